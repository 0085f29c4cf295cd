// Package wiring builds the shop's services from settings: it opens the
// infrastructure a mode needs (in-memory for the embedded shop, real servers
// otherwise) and assembles each service from its commands, projections and
// API. cmd/shop calls every builder in one process; cmd/<service> calls one.
// Keeping this in one place means the one-process shop and the separate
// binaries cannot drift apart.
package wiring

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/ratelimit"
)

// Modes of running.
const (
	ModeEmbedded = "embedded"
	ModeServer   = "server"
)

// Settings are the configuration shared by every binary; each is an env var
// with a flag (see config).
type Settings struct {
	Mode      string
	Addr      string
	LogFormat string
	LogLevel  string
	PublicURL string
	WebDir    string

	EventStore  string // memory | postgres | esdb
	PostgresURL string
	ESDBURL     string
	Bus         string // memory | amqp
	AMQPURL     string
	BusPrefix   string
	QueueType   string
	// Consumers is how many messages of each command queue a process
	// handles at once (AMQP only).
	Consumers int
	RedisURL  string
	MongoURL  string
	MongoDB   string
	// CatalogStock is where the catalog keeps stock counts and reservations
	// in server mode: postgres (products stay in MongoDB) or mongo.
	CatalogStock string

	JWTKeys      string
	JWKSURL      string
	JWTIssuer    string
	JWTAudience  string
	CookieSecure bool
	MailLinkKey  string

	// PaymentGateways are the payment methods the shop offers (sandbox,
	// stripe, paypal), from PAYMENT_GATEWAYS, else the older single
	// PAYMENT_GATEWAY. Embedded mode defaults to the sandbox; server mode has
	// no default (see PaymentMethods).
	PaymentGateways []string
	StripeKey       string
	StripePublic    string
	StripeWebhook   string
	StripeURL       string
	PayPalClientID  string
	PayPalSecret    string
	PayPalURL       string
	PayPalWebhookID string
	PaymentDeadline time.Duration

	SESEndpoint   string
	SESRegion     string
	SESFrom       string
	SESConfigSet  string
	OpsEmail      string
	AdminEmail    string
	AdminPassword string
	SeedDemo      bool
	UpstreamURLs  map[string]*string
	CORSOrigins   string
	RateLimit     int
	CSRFKey       string
	// TrustedProxies may set X-Forwarded-For: the client address of the
	// rate limits is then the right-most hop outside them (ratelimit.ClientIP).
	TrustedProxies []netip.Prefix
	PprofAddr      string // net/http/pprof for profiling under load; loopback only, empty: off
	MetricsAddr    string // internal listener serving /metrics; empty: off

	// ProjectionsSource feeds the read-model projectors: bus (a queue each)
	// or store (catch-up from $all, projections/catchup); ProjectionsBatch
	// is the most events one catch-up write applies.
	ProjectionsSource string
	ProjectionsBatch  int

	bind           func()                // copies parsed flag values into the fields
	given          func(env string) bool // whether a setting was set rather than defaulted
	trustedProxies string
}

// Declare registers the shared settings on cfg. defaultMode is embedded for
// cmd/shop and server for the per-service binaries.
func Declare(cfg *config.Set, defaultMode string) *Settings {
	s := &Settings{UpstreamURLs: map[string]*string{}}
	bind := func(flag, env, def, usage string) *string { return cfg.String(flag, env, def, usage) }
	mode := bind("mode", "SHOP_MODE", defaultMode, "embedded (in-memory, no servers) or server (real servers named below)")
	addr := bind("addr", "ADDR", ":8080", "HTTP listen address (embedded default: 127.0.0.1:8080, this machine only)")
	logFormat := bind("log-format", "LOG_FORMAT", "text", "log format: text or json")
	logLevel := bind("log-level", "LOG_LEVEL", "info", "log level: debug, info, warn, error")
	publicURL := bind("public-url", "PUBLIC_URL", "http://localhost:8080", "public base URL of the storefront (links in emails)")
	webDir := bind("web-dir", "WEB_DIR", "web/dist", "directory of the built storefront served by the gateway")
	es := bind("eventstore", "EVENTSTORE", "", "event store: memory, postgres or esdb (default: memory when embedded, postgres in server mode)")
	pgURL := bind("postgres-url", "POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL (event store, read models, auth, checkpoints)")
	esdbURL := bind("esdb-url", "ESDB_URL", "esdb://127.0.0.1:2113?tls=false", "EventStoreDB connection string (EVENTSTORE=esdb)")
	bus := bind("bus", "BUS", "", "message bus: memory (Go channels) or amqp (default: memory when embedded, amqp in server mode)")
	amqpURL := bind("amqp-url", "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL")
	prefix := bind("bus-prefix", "BUS_PREFIX", "shop", "prefix of every exchange and queue")
	queueType := bind("amqp-queue-type", "AMQP_QUEUE_TYPE", "classic", "RabbitMQ queue type: classic or quorum")
	consumers := cfg.Int("bus-consumers", "BUS_CONSUMERS", 0, "commands of one queue a process handles at once, 1–64 (default: 8 with amqp, 1 with memory, which allows only 1)")
	projSource := bind("projections-source", "PROJECTIONS_SOURCE", "bus", "read-model projectors read from: bus (a queue each) or store (catch-up from the event store's $all, batched)")
	projBatch := cfg.Int("projections-batch", "PROJECTIONS_BATCH", 500, "PROJECTIONS_SOURCE=store: most events one read-model write applies, 1–10000")
	redisURL := bind("redis-url", "REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL (caches, refresh tokens, rate limits, basket read model)")
	mongoURL := bind("mongo-url", "MONGO_URL", "mongodb://127.0.0.1:27017/", "MongoDB URL (catalog, client profiles)")
	mongoDB := bind("mongo-db", "MONGO_DB", "shop", "MongoDB database name")
	catalogStock := bind("catalog-stock", "CATALOG_STOCK", "postgres", "server mode: where the catalog keeps stock counts and reservations, postgres (products stay in MongoDB; MongoDB stock is copied over on first use) or mongo; embedded mode keeps all in memory")
	jwtKeys := bind("jwt-keys", "AUTH_JWT_KEYS", "", "Ed25519 signing keys \"kid:base64seed,...\" (first signs); generated when empty in embedded mode")
	jwksURL := bind("jwks-url", "JWKS_URL", "http://127.0.0.1:8080/api/auth/.well-known/jwks.json", "where services fetch the auth JWKS (server mode)")
	issuer := bind("jwt-issuer", "JWT_ISSUER", "evshop-auth", "access-token issuer")
	audience := bind("jwt-audience", "JWT_AUDIENCE", "evshop", "access-token audience")
	cookieSecure := cfg.Bool("cookie-secure", "COOKIE_SECURE", true, "Secure cookies with the __Host-/__Secure- prefixes, and HSTS (embedded default: false, for plain http://localhost); false in server mode serves a plain-HTTP shop and logs a warning")
	mailKey := bind("mail-link-key", "MAIL_LINK_KEY", "", "64 hex chars sealing tokens sent to the notifier; generated when empty in embedded mode")
	gws := bind("payment-gateways", "PAYMENT_GATEWAYS", "", "comma-separated payment methods the shop offers: stripe, paypal, sandbox (default: sandbox when embedded; required in server mode by basket, orders, payments and the gateway, where the sandbox exists only when named)")
	gw := bind("payment-gateway", "PAYMENT_GATEWAY", "", "deprecated: one payment method, read when PAYMENT_GATEWAYS is empty")
	stripeKey := bind("stripe-secret-key", "STRIPE_SECRET_KEY", "", "Stripe secret key")
	stripePub := bind("stripe-publishable-key", "STRIPE_PUBLISHABLE_KEY", "", "Stripe publishable key (sent to the storefront)")
	stripeWH := bind("stripe-webhook-secret", "STRIPE_WEBHOOK_SECRET", "", "Stripe webhook signing secret")
	stripeURL := bind("stripe-url", "STRIPE_URL", "", "Stripe API base URL (stripe-mock in tests); empty = api.stripe.com")
	ppID := bind("paypal-client-id", "PAYPAL_CLIENT_ID", "", "PayPal REST client id")
	ppSecret := bind("paypal-secret", "PAYPAL_SECRET", "", "PayPal REST secret")
	ppURL := bind("paypal-url", "PAYPAL_URL", "https://api-m.sandbox.paypal.com", "PayPal API base URL")
	ppWH := bind("paypal-webhook-id", "PAYPAL_WEBHOOK_ID", "", "PayPal webhook id for signature verification")
	deadline := cfg.Duration("payment-deadline", "PAYMENT_DEADLINE", 15*time.Minute, "checkout cancels an order not authorized within this time")
	sesEndpoint := bind("ses-endpoint", "AWS_ENDPOINT_URL_SES", "", "SES v2 endpoint (the emulator locally); empty = AWS; embedded mode uses the in-memory outbox")
	sesRegion := bind("aws-region", "AWS_REGION", "us-east-1", "AWS region of SES")
	sesFrom := bind("ses-from", "SES_FROM", "shop@example.com", "sender address of every email")
	sesSet := bind("ses-configuration-set", "SES_CONFIGURATION_SET", "", "SES configuration set name")
	ops := bind("ops-email", "OPS_EMAIL", "ops@example.com", "where ops alerts go")
	adminEmail := bind("admin-email", "AUTH_BOOTSTRAP_ADMIN_EMAIL", "", "creates this admin at start-up when set (embedded default: admin@example.com)")
	adminPassword := bind("admin-password", "AUTH_BOOTSTRAP_ADMIN_PASSWORD", "", "password of the bootstrap admin")
	seed := cfg.Bool("seed-demo", "SEED_DEMO", true, "seed the demo catalog when the catalog is empty")
	cors := bind("cors-origins", "CORS_ORIGINS", "", "comma-separated origins allowed by CORS (empty: same origin only)")
	csrfKey := bind("csrf-key", "CSRF_KEY", "", "64 hex chars signing CSRF tokens at the gateway; generated when empty in embedded mode")
	rate := cfg.Int("rate-limit", "RATE_LIMIT", 600, "requests per minute per IP at the gateway")
	trusted := bind("trusted-proxies", "TRUSTED_PROXIES", "", "CIDRs of the proxies whose X-Forwarded-For is believed (ingress, gateway, pod network); the client address keys the per-IP rate limits (default: none in server mode, loopback when embedded)")
	pprofAddr := bind("pprof-addr", "PPROF_ADDR", "", "serve net/http/pprof on this loopback address (e.g. 127.0.0.1:6060) for profiling; empty: off")
	metricsAddr := bind("metrics-addr", "METRICS_ADDR", ":9090", "internal listener serving Prometheus /metrics, never the public port (embedded default: 127.0.0.1:9090); empty: off")
	for _, svc := range []string{"AUTH", "CLIENTS", "CATALOG", "BASKET", "ORDERS", "PAYMENTS", "ADMIN", "NOTIFICATIONS"} {
		s.UpstreamURLs[svc] = bind("upstream-"+lower(svc), "UPSTREAM_"+svc, "", "gateway in server mode: URL of the "+lower(svc)+" service")
	}
	s.bind = func() {
		s.Mode, s.Addr, s.LogFormat, s.LogLevel = *mode, *addr, *logFormat, *logLevel
		s.PublicURL, s.WebDir = *publicURL, *webDir
		s.EventStore, s.PostgresURL, s.ESDBURL = *es, *pgURL, *esdbURL
		s.Bus, s.AMQPURL, s.BusPrefix, s.QueueType = *bus, *amqpURL, *prefix, *queueType
		s.RedisURL, s.MongoURL, s.MongoDB, s.CatalogStock = *redisURL, *mongoURL, *mongoDB, *catalogStock
		s.JWTKeys, s.JWKSURL, s.JWTIssuer, s.JWTAudience = *jwtKeys, *jwksURL, *issuer, *audience
		s.CookieSecure, s.MailLinkKey = *cookieSecure, *mailKey
		s.PaymentGateways = splitList(*gws)
		if len(s.PaymentGateways) == 0 {
			s.PaymentGateways = splitList(*gw)
		}
		s.StripeKey, s.StripePublic, s.StripeWebhook, s.StripeURL = *stripeKey, *stripePub, *stripeWH, *stripeURL
		s.PayPalClientID, s.PayPalSecret, s.PayPalURL, s.PayPalWebhookID = *ppID, *ppSecret, *ppURL, *ppWH
		s.PaymentDeadline = *deadline
		s.SESEndpoint, s.SESRegion, s.SESFrom, s.SESConfigSet, s.OpsEmail = *sesEndpoint, *sesRegion, *sesFrom, *sesSet, *ops
		s.AdminEmail, s.AdminPassword, s.SeedDemo = *adminEmail, *adminPassword, *seed
		s.CORSOrigins, s.RateLimit, s.CSRFKey = *cors, *rate, *csrfKey
		s.PprofAddr, s.MetricsAddr = *pprofAddr, *metricsAddr
		s.Consumers = *consumers
		s.trustedProxies = *trusted
		s.ProjectionsSource, s.ProjectionsBatch = *projSource, *projBatch
	}
	s.given = cfg.Given
	return s
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// Resolve copies the parsed values in, fills the mode's defaults and
// validates the combination. Call it after cfg.Parse.
func (s *Settings) Resolve() error {
	s.bind()
	if !slices.Contains([]string{ModeEmbedded, ModeServer}, s.Mode) {
		return fmt.Errorf("SHOP_MODE=%q: must be embedded or server", s.Mode)
	}
	if s.EventStore == "" {
		s.EventStore = map[string]string{ModeEmbedded: "memory", ModeServer: "postgres"}[s.Mode]
	}
	if s.Bus == "" {
		s.Bus = map[string]string{ModeEmbedded: "memory", ModeServer: "amqp"}[s.Mode]
	}
	if s.Mode == ModeEmbedded {
		// The embedded shop is a developer's own: its outbox (/dev/mail) and
		// metrics stay on this machine, and it speaks plain HTTP on
		// localhost, where Go clients and some browsers drop Secure cookies.
		for env, set := range map[string]func(){
			"ADDR":          func() { s.Addr = "127.0.0.1:8080" },
			"METRICS_ADDR":  func() { s.MetricsAddr = "127.0.0.1:9090" },
			"COOKIE_SECURE": func() { s.CookieSecure = false },
		} {
			if s.given == nil || !s.given(env) {
				set()
			}
		}
	}
	if s.Consumers == 0 {
		s.Consumers = map[string]int{"memory": 1, "amqp": 8}[s.Bus]
	}
	checks := []struct {
		name, val string
		allowed   []string
	}{
		{"EVENTSTORE", s.EventStore, []string{"memory", "postgres", "esdb"}},
		{"BUS", s.Bus, []string{"memory", "amqp"}},
		{"AMQP_QUEUE_TYPE", s.QueueType, []string{"classic", "quorum"}},
		{"PROJECTIONS_SOURCE", s.ProjectionsSource, []string{"bus", "store"}},
		{"CATALOG_STOCK", s.CatalogStock, []string{"postgres", "mongo"}},
	}
	for _, g := range s.PaymentGateways {
		checks = append(checks, struct {
			name, val string
			allowed   []string
		}{"PAYMENT_GATEWAYS", g, []string{"sandbox", "stripe", "paypal"}})
	}
	if len(s.PaymentGateways) == 0 && s.Mode == ModeEmbedded {
		s.PaymentGateways = []string{"sandbox"}
	}
	for _, c := range checks {
		if !slices.Contains(c.allowed, c.val) {
			return fmt.Errorf("%s=%q: must be one of %v", c.name, c.val, c.allowed)
		}
	}
	if s.Mode == ModeServer && s.MailLinkKey == "" {
		return fmt.Errorf("MAIL_LINK_KEY is required in server mode (64 hex characters shared by auth and notifier)")
	}
	if slices.Contains(s.PaymentGateways, "stripe") && s.StripeKey == "" {
		return fmt.Errorf("PAYMENT_GATEWAYS with stripe needs STRIPE_SECRET_KEY")
	}
	if slices.Contains(s.PaymentGateways, "paypal") && (s.PayPalClientID == "" || s.PayPalSecret == "") {
		return fmt.Errorf("PAYMENT_GATEWAYS with paypal needs PAYPAL_CLIENT_ID and PAYPAL_SECRET")
	}
	if s.Consumers < 1 || s.Consumers > 64 || (s.Bus == "memory" && s.Consumers != 1) {
		return fmt.Errorf("BUS_CONSUMERS=%d: must be 1–64 with BUS=amqp and 1 with BUS=memory", s.Consumers)
	}
	if s.ProjectionsBatch < 1 || s.ProjectionsBatch > 10_000 {
		return fmt.Errorf("PROJECTIONS_BATCH=%d: must be 1–10000", s.ProjectionsBatch)
	}
	if s.RateLimit <= 0 {
		return fmt.Errorf("RATE_LIMIT=%d: must be positive", s.RateLimit)
	}
	if s.trustedProxies == "" && s.Embedded() {
		// A developer's own machine: a local proxy may speak for the client.
		s.trustedProxies = "127.0.0.0/8,::1/128"
	}
	trusted, err := ratelimit.ParsePrefixes(s.trustedProxies)
	if err != nil {
		return fmt.Errorf("TRUSTED_PROXIES=%q: %w", s.trustedProxies, err)
	}
	s.TrustedProxies = trusted
	if s.PprofAddr != "" {
		// Profiles expose memory contents and cost CPU: never on a public interface.
		host, _, err := net.SplitHostPort(s.PprofAddr)
		if ip, perr := netip.ParseAddr(host); err != nil || perr != nil || !ip.IsLoopback() {
			return fmt.Errorf("PPROF_ADDR=%q: must be a loopback host:port such as 127.0.0.1:6060", s.PprofAddr)
		}
	}
	if s.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(s.MetricsAddr); err != nil || port == "" {
			return fmt.Errorf("METRICS_ADDR=%q: must be host:port such as :9090 or 127.0.0.1:9090, or empty for none", s.MetricsAddr)
		}
	}
	return nil
}

// Warnings are settings that are valid but unsafe, for the log at start.
func (s *Settings) Warnings() []string {
	var w []string
	if s.Mode == ModeServer && !s.CookieSecure {
		w = append(w, "COOKIE_SECURE=false: session and CSRF cookies go without Secure and the __Host- prefix and no HSTS is sent; only for a shop served over plain HTTP")
	}
	if s.Mode == ModeEmbedded && !LoopbackOnly(s.Addr) {
		w = append(w, "ADDR="+s.Addr+": the embedded shop is reachable beyond this machine; only admins may read /dev/mail")
	}
	return w
}

// PaymentMethods is the validated list of payment methods the shop offers,
// for the services that take or make payments. Server mode names them
// explicitly: a production shop never falls back to the sandbox.
func (s *Settings) PaymentMethods() ([]string, error) {
	if len(s.PaymentGateways) == 0 {
		return nil, fmt.Errorf("PAYMENT_GATEWAYS is required in server mode (e.g. stripe,paypal)")
	}
	return slices.Clone(s.PaymentGateways), nil
}

// Embedded reports whether the process runs without servers.
func (s *Settings) Embedded() bool { return s.Mode == ModeEmbedded }
