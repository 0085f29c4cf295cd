// Package settings is every binary's settings as typed structs: one group
// per service plus Common, read by platform/config from the struct tags
// (env var, flag, default per mode, meaning, when required). A binary's
// settings are the groups of the services it runs (binaries.go), so it reads
// and validates exactly those. It imports no adapter, so tools (shopctl,
// docgen) read the same names and defaults without linking the services.
package settings

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/invoices"
	"github.com/evshop/shop/notifier/alerts"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/ratelimit"
)

// Modes of running.
const (
	ModeEmbedded = "embedded"
	ModeServer   = "server"
	// ModeExposed is not a SHOP_MODE but the embedded shop listening beyond
	// loopback (ADDR not 127.0.0.1, ::1 or localhost): a narrower profile
	// (see Narrow) in which the server mode's safe defaults apply again, so
	// a setting's `exposed:"…"` tag is its default there.
	ModeExposed = "exposed"
)

// Narrow names the narrower settings profile: exposed when an embedded
// binary listens beyond loopback (config.Options.Narrow).
func Narrow(profile string, value func(env string) string) (name, why string) {
	if profile == ModeEmbedded && !LoopbackOnly(value("ADDR")) {
		return ModeExposed, "when the embedded shop listens beyond loopback (ADDR=" + value("ADDR") + ")"
	}
	return "", ""
}

// Options are how every binary reads its settings: the SHOP_MODE profile
// (defaulting to mode), narrowed to exposed beyond loopback.
func Options(name, mode string, args []string, lookup func(string) (string, bool)) config.Options {
	return config.Options{Name: name, Args: args, Lookup: lookup, Profile: "SHOP_MODE",
		Defaults: map[string]string{"SHOP_MODE": mode}, Narrow: Narrow}
}

// Profile is the profile the settings were read under: the mode, or
// exposed for an embedded shop listening beyond loopback.
func (s *Common) Profile() string {
	if name, _ := Narrow(s.Mode, func(string) string { return s.Addr }); name != "" {
		return name
	}
	return s.Mode
}

// Settings are read by platform/config from struct tags: env var, flag,
// default (a tag named after a mode is that mode's default), meaning and
// when the setting is required. A binary's settings are the groups of what
// it runs (binaries.go); a group shared by several services (Tokens,
// Cookies, ...) is one setting in a binary that runs them together.

// Common is what every binary of the shop reads: the mode, its listeners
// and logs, and the servers.
type Common struct {
	Mode        string `env:"SHOP_MODE" flag:"mode" default:"server" desc:"embedded (one process, no servers: data in DATA_DIR) or server (the real servers named below)"`
	Storage     string `env:"STORAGE" embedded:"sqlite" desc:"embedded mode: where the shop keeps its data, sqlite (durable, one file in DATA_DIR) or memory (gone at exit, for quick demos); server mode: ignored"`
	DataDir     string `env:"DATA_DIR" desc:"embedded mode with STORAGE=sqlite: the data directory (default $XDG_DATA_HOME/evshop, else ~/.local/share/evshop); printed at start"`
	Addr        string `env:"ADDR" default:":8080" embedded:"127.0.0.1:8080" desc:"HTTP listen address"`
	MetricsAddr string `env:"METRICS_ADDR" default:":9090" embedded:"127.0.0.1:9090" desc:"internal listener serving Prometheus /metrics, never the public port; empty: off"`
	LogFormat   string `env:"LOG_FORMAT" default:"text" desc:"log format: text or json"`
	LogLevel    string `env:"LOG_LEVEL" default:"info" desc:"log level: debug, info, warn, error"`
	PprofAddr   string `env:"PPROF_ADDR" desc:"serve net/http/pprof on this loopback address (e.g. 127.0.0.1:6060) for profiling; empty: off"`

	EventStore  string `env:"EVENTSTORE" default:"postgres" embedded:"sqlite" desc:"event store: sqlite (embedded, in DATA_DIR), memory, postgres or esdb"`
	PostgresURL string `env:"POSTGRES_URL" default:"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" desc:"PostgreSQL (event store, read models, auth, checkpoints)"`
	ESDBURL     string `env:"ESDB_URL" default:"esdb://127.0.0.1:2113?tls=false" desc:"EventStoreDB connection string (EVENTSTORE=esdb)"`
	Bus         string `env:"BUS" default:"amqp" embedded:"memory" desc:"message bus: memory (Go channels) or amqp"`
	AMQPURL     string `env:"AMQP_URL" default:"amqp://guest:guest@127.0.0.1:5672/" desc:"RabbitMQ URL"`
	BusPrefix   string `env:"BUS_PREFIX" default:"shop" desc:"prefix of every exchange and queue, and of the Redis keys"`
	QueueType   string `env:"AMQP_QUEUE_TYPE" default:"classic" desc:"RabbitMQ queue type: classic or quorum"`
	// Consumers is how many messages of each command queue a process
	// handles at once (AMQP only); 0 picks the bus's default.
	Consumers int    `env:"BUS_CONSUMERS" desc:"commands of one queue a process handles at once, 1–64 (default: 8 with amqp, 1 with memory, which allows only 1)"`
	RedisURL  string `env:"REDIS_URL" default:"redis://127.0.0.1:6379/0" desc:"Redis URL (caches, refresh tokens, rate limits, basket read model)"`
	MongoURL  string `env:"MONGO_URL" default:"mongodb://127.0.0.1:27017/" desc:"MongoDB URL (catalog, client profiles)"`
	MongoDB   string `env:"MONGO_DB" default:"shop" desc:"MongoDB database name"`
}

// Validate checks the mode and the infrastructure choices, and fills the
// bus's consumer default.
func (s *Common) Validate(string) error {
	checks := []struct {
		name, val string
		allowed   []string
	}{
		{"SHOP_MODE", s.Mode, []string{ModeEmbedded, ModeServer}},
		{"EVENTSTORE", s.EventStore, []string{"sqlite", "memory", "postgres", "esdb"}},
		{"BUS", s.Bus, []string{"memory", "amqp"}},
		{"AMQP_QUEUE_TYPE", s.QueueType, []string{"classic", "quorum"}},
		{"LOG_FORMAT", s.LogFormat, []string{"text", "json"}},
		{"LOG_LEVEL", s.LogLevel, []string{"debug", "info", "warn", "error"}},
	}
	for _, c := range checks {
		if err := oneOf(c.name, c.val, c.allowed...); err != nil {
			return err
		}
	}
	switch {
	case !s.Embedded():
		if s.EventStore == "sqlite" {
			return fmt.Errorf("EVENTSTORE=sqlite is the embedded mode's store; server mode takes postgres or esdb")
		}
	case s.Storage != "sqlite" && s.Storage != "memory":
		return fmt.Errorf("STORAGE=%q: must be sqlite or memory", s.Storage)
	case s.Storage == "memory" && s.EventStore == "sqlite":
		s.EventStore = "memory" // the embedded default follows STORAGE
	}
	if s.Consumers == 0 {
		s.Consumers = map[string]int{"memory": 1, "amqp": 8}[s.Bus]
	}
	if s.Consumers < 1 || s.Consumers > 64 || (s.Bus == "memory" && s.Consumers != 1) {
		return fmt.Errorf("BUS_CONSUMERS=%d: must be 1–64 with BUS=amqp and 1 with BUS=memory", s.Consumers)
	}
	if s.BusPrefix == "" {
		return fmt.Errorf("BUS_PREFIX must not be empty")
	}
	if _, _, err := net.SplitHostPort(s.Addr); err != nil {
		return fmt.Errorf("ADDR=%q: must be host:port or :port", s.Addr)
	}
	if s.MetricsAddr != "" { // empty: no metrics listener
		if _, port, err := net.SplitHostPort(s.MetricsAddr); err != nil || port == "" {
			return fmt.Errorf("METRICS_ADDR=%q: must be host:port such as :9090 or 127.0.0.1:9090, or empty for none", s.MetricsAddr)
		}
	}
	if s.PprofAddr != "" {
		// Profiles expose memory contents and cost CPU: never on a public interface.
		host, _, err := net.SplitHostPort(s.PprofAddr)
		if ip, perr := netip.ParseAddr(host); err != nil || perr != nil || !ip.IsLoopback() {
			return fmt.Errorf("PPROF_ADDR=%q: must be a loopback host:port such as 127.0.0.1:6060", s.PprofAddr)
		}
	}
	return nil
}

// Embedded reports whether the process runs without servers.
func (s *Common) Embedded() bool { return s.Mode == ModeEmbedded }

// Durable reports whether the embedded shop keeps its data in DATA_DIR.
func (s *Common) Durable() bool { return s.Embedded() && s.Storage == "sqlite" }

// Warnings: an embedded shop listening beyond this machine (its outbox at
// /dev/mail then answers admins only).
func (s *Common) Warnings(string) []string {
	if s.Embedded() && !LoopbackOnly(s.Addr) {
		return []string{"ADDR=" + s.Addr + ": the embedded shop is reachable beyond this machine; only admins may read /dev/mail"}
	}
	return nil
}

// LoopbackOnly reports whether a listen address (host:port) accepts
// connections from this machine only: a loopback IP or "localhost". An empty
// host, 0.0.0.0, :: or any other name or address listens beyond it.
func LoopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// Warnings are the loaded settings' valid but unsafe values, for the log at
// start (config.Warner groups under the settings' profile: the mode, or
// exposed for an embedded shop listening beyond loopback).
func Warnings(s interface{ CommonGroup() *Common }) []string {
	return config.Warnings(s, s.CommonGroup().Profile())
}

// Tokens are what a service needs to check access tokens: in server mode a
// service without the signing keys fetches the auth service's JWKS.
type Tokens struct {
	JWKSURL  string `env:"JWKS_URL" default:"http://127.0.0.1:8080/api/auth/.well-known/jwks.json" desc:"where services fetch the auth JWKS (server mode)"`
	Issuer   string `env:"JWT_ISSUER" default:"evshop-auth" desc:"access-token issuer"`
	Audience string `env:"JWT_AUDIENCE" default:"evshop" desc:"access-token audience"`
}

// Cookies are the cookie policy of the services that set cookies (auth,
// basket, gateway).
type Cookies struct {
	Secure bool `env:"COOKIE_SECURE" default:"true" embedded:"false" exposed:"true" desc:"Secure cookies with the __Host-/__Secure- prefixes, and HSTS (embedded on loopback: false, for plain http://localhost; exposed, i.e. embedded beyond loopback: true, serve it behind HTTPS); false in server mode or beyond loopback serves a plain-HTTP shop and logs a warning"`
}

// Warnings: a shop reachable from other machines (server mode, or exposed)
// without Secure cookies.
func (c *Cookies) Warnings(profile string) []string {
	switch {
	case c.Secure:
	case profile == ModeServer:
		return []string{"COOKIE_SECURE=false: session and CSRF cookies go without Secure and the __Host- prefix and no HSTS is sent; only for a shop served over plain HTTP"}
	case profile == ModeExposed:
		return []string{"COOKIE_SECURE=false while the embedded shop listens beyond loopback: session and CSRF cookies travel in clear over the network and no HSTS is sent; only for a demo on a trusted network"}
	}
	return nil
}

// Proxies name who may report a client's address (X-Forwarded-For): the
// gateway and the auth service key rate limits by it.
type Proxies struct {
	Trusted []string `env:"TRUSTED_PROXIES" default:"" embedded:"127.0.0.0/8,::1/128" desc:"CIDRs of proxies whose X-Forwarded-For is believed (the ingress, the gateway's pod network); empty: none"`
}

// Validate checks every entry is a CIDR.
func (p *Proxies) Validate(string) error {
	_, err := p.Prefixes()
	return err
}

// Prefixes returns the trusted networks.
func (p *Proxies) Prefixes() ([]netip.Prefix, error) {
	out, err := ratelimit.ParsePrefixes(joinComma(p.Trusted))
	if err != nil {
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	return out, nil
}

// MailLink is the secret sealing the tokens that travel to the notifier
// (verification and reset links) and deriving the unsubscribe-link and
// guest-order-link keys.
type MailLink struct {
	Key string `env:"MAIL_LINK_KEY" required:"server" desc:"64 hex chars sealing tokens sent to the notifier and signing guest order links (shared by auth, notifier, basket, ordering and payment); generated when empty in embedded mode"`
}

// Validate checks the key's shape when given.
func (m *MailLink) Validate(string) error {
	if m.Key == "" {
		return nil
	}
	if b, err := hex.DecodeString(m.Key); err != nil || len(b) != 32 {
		return fmt.Errorf("MAIL_LINK_KEY must be 64 hex characters")
	}
	return nil
}

// PublicSite is where customers reach the shop (links in emails, payment
// return pages).
type PublicSite struct {
	URL string `env:"PUBLIC_URL" default:"http://localhost:8080" desc:"public base URL of the storefront (links in emails, payment return pages)"`
}

// Validate checks the URL.
func (p *PublicSite) Validate(string) error { return httpURL("PUBLIC_URL", p.URL) }

// Warnings: an embedded shop listening beyond loopback whose PUBLIC_URL
// (by default http://localhost:8080) names a loopback host, so the links
// in its emails and the payment return pages lead customers to their own
// machine.
func (p *PublicSite) Warnings(profile string) []string {
	if profile != ModeExposed {
		return nil
	}
	u, err := url.Parse(p.URL)
	if err != nil || !loopbackHost(u.Hostname()) {
		return nil
	}
	return []string{"PUBLIC_URL=" + p.URL + " names this machine's loopback while the embedded shop listens beyond loopback: links in emails and payment return pages would lead customers to their own machine; set PUBLIC_URL to the address they reach the shop at"}
}

// loopbackHost reports whether host is localhost or a loopback address.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// PaymentMethods are the gateways a checkout may use (the payment service
// registers them; the gateway tells the storefront which forms to show).
type PaymentMethods struct {
	Gateways []string `env:"PAYMENT_GATEWAYS" required:"server,exposed" embedded:"sandbox" exposed:"" desc:"payment gateways offered, comma-separated: sandbox, stripe, paypal (the first is the storefront's default); the sandbox only when named (embedded on loopback: by default), with a warning in server mode and beyond loopback"`
}

// Warnings: the sandbox, which approves test cards without taking money,
// offered by a shop other machines reach (server mode, or exposed).
func (p *PaymentMethods) Warnings(profile string) []string {
	if !p.Has("sandbox") {
		return nil
	}
	switch profile {
	case ModeServer:
		return []string{"PAYMENT_GATEWAYS names sandbox: the sandbox payment gateway approves test cards without taking money; never name it in PAYMENT_GATEWAYS of a real shop"}
	case ModeExposed:
		return []string{"PAYMENT_GATEWAYS names sandbox while the embedded shop listens beyond loopback: ANYONE WHO REACHES IT CAN CHECK OUT WITH A TEST CARD AND NO MONEY; only for a demo on a trusted network, never for a real shop"}
	}
	return nil
}

// Validate checks the gateway names; a shop offers at least one.
func (p *PaymentMethods) Validate(string) error {
	if len(p.Gateways) == 0 {
		return fmt.Errorf("PAYMENT_GATEWAYS must name at least one gateway: sandbox, stripe or paypal")
	}
	for _, g := range p.Gateways {
		if !slices.Contains([]string{"sandbox", "stripe", "paypal"}, g) {
			return fmt.Errorf("PAYMENT_GATEWAYS: unknown gateway %q (sandbox, stripe, paypal)", g)
		}
	}
	return nil
}

// Has reports whether gateway is offered.
func (p *PaymentMethods) Has(gateway string) bool { return slices.Contains(p.Gateways, gateway) }

// Pricing is how orders are priced: tax rates per destination country and
// tax class, the shipping methods, and whether prices are entered with tax.
// The files are read and checked when the settings are.
type Pricing struct {
	PricesIncludeTax    bool   `env:"PRICES_INCLUDE_TAX" default:"true" desc:"product prices and shipping rates include tax (gross, the EU consumer default); false: they are net and tax is added"`
	TaxRatesFile        string `env:"TAX_RATES_FILE" desc:"JSON file of tax rates in basis points per country and tax class (docs/pricing.md); empty: the built-in table (DE, FR, NL, AT, IT, ES, BE, CH, GB, US)"`
	ShippingMethodsFile string `env:"SHIPPING_METHODS_FILE" desc:"JSON file of shipping methods: zones, flat or weight-band rates, free-from threshold (docs/pricing.md); empty: the built-in demo set (standard, express, pickup)"`
	ShopCountry         string `env:"SHOP_COUNTRY" default:"DE" desc:"the shop's home country (ISO 3166 alpha-2): where pickup is offered (\"@home\" in a shipping methods file)"`
}

// Validate reads and checks the files.
func (p *Pricing) Validate(string) error {
	_, err := p.Rules()
	return err
}

// Rules reads the configured tax table and shipping methods (or the
// built-in ones).
func (p *Pricing) Rules() (ordering.Pricing, error) {
	if !pricing.ValidCountry(p.ShopCountry) {
		return ordering.Pricing{}, fmt.Errorf("SHOP_COUNTRY=%q: must be an ISO 3166 alpha-2 code such as DE", p.ShopCountry)
	}
	out, err := ordering.DefaultPricing(p.ShopCountry)
	if err != nil {
		return ordering.Pricing{}, err
	}
	out.PricesIncludeTax = p.PricesIncludeTax
	if p.TaxRatesFile != "" {
		data, err := os.ReadFile(p.TaxRatesFile)
		if err != nil {
			return ordering.Pricing{}, fmt.Errorf("TAX_RATES_FILE: %w", err)
		}
		if out.Taxes, err = pricing.ParseTaxTable(data); err != nil {
			return ordering.Pricing{}, fmt.Errorf("TAX_RATES_FILE=%s: %w", p.TaxRatesFile, err)
		}
	}
	if p.ShippingMethodsFile != "" {
		data, err := os.ReadFile(p.ShippingMethodsFile)
		if err != nil {
			return ordering.Pricing{}, fmt.Errorf("SHIPPING_METHODS_FILE: %w", err)
		}
		if out.Shipping, err = pricing.ParseShippingMethods(data, p.ShopCountry); err != nil {
			return ordering.Pricing{}, fmt.Errorf("SHIPPING_METHODS_FILE=%s: %w", p.ShippingMethodsFile, err)
		}
	}
	for _, m := range out.Shipping.All() {
		for _, z := range m.Zones {
			if !out.Taxes.Has(z) {
				return ordering.Pricing{}, fmt.Errorf("shipping method %s serves %s, which has no tax rates", m.ID, z)
			}
		}
	}
	return out, nil
}

// Projections say where a service's read-model projectors read from.
type Projections struct {
	Source string `env:"PROJECTIONS_SOURCE" default:"store" desc:"read-model projectors read from: bus (a queue each) or store (catch-up from the event store's $all, batched)"`
	Batch  int    `env:"PROJECTIONS_BATCH" default:"500" desc:"PROJECTIONS_SOURCE=store: most events one read-model write applies, 1–10000"`
	// Linger trades read-model lag for fewer, larger batches: each batch is
	// one write transaction per read model. Customers read their own orders
	// and baskets through the stream's newer events, so they do not wait.
	Linger time.Duration `env:"PROJECTIONS_LINGER" default:"50ms" desc:"PROJECTIONS_SOURCE=store: how long a woken read model lets appends gather before it reads them, 0–1s"`
}

// Relay says which events the event-store relay publishes to the bus.
type Relay struct {
	Publish string `env:"RELAY_PUBLISH" default:"consumed" desc:"events the relay publishes to the bus: consumed (only the types some handler of this shop consumes from its queue; with PROJECTIONS_SOURCE=bus the one-process shop adds its projectors' types, cmd/relay needs all) or all (every event: for PROJECTIONS_SOURCE=bus across binaries, or queues of your own bound to the events exchange)"`
}

// Validate checks the choice.
func (r *Relay) Validate(string) error { return oneOf("RELAY_PUBLISH", r.Publish, "consumed", "all") }

// oneOf refuses a setting whose value is not one of allowed.
func oneOf(name, val string, allowed ...string) error {
	if !slices.Contains(allowed, val) {
		return fmt.Errorf("%s=%q: must be one of %v", name, val, allowed)
	}
	return nil
}

// ShopTime is the shop's time zone: the sales figures count days in it.
type ShopTime struct {
	TimeZone string `env:"SHOP_TIMEZONE" default:"UTC" desc:"IANA time zone the sales figures count days in (e.g. Europe/Paris); changing it needs a rebuild of the sales read model"`
}

// Validate checks the zone name.
func (t *ShopTime) Validate(string) error {
	_, err := Location(t.TimeZone)
	return err
}

// Location is the validated zone.
func (t *ShopTime) Location() *time.Location {
	loc, _ := Location(t.TimeZone) // validated
	return loc
}

// Location loads the IANA time zone SHOP_TIMEZONE names. "Local" is refused:
// a shop's days must not depend on the host's zone.
func Location(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("SHOP_TIMEZONE=%q: must be an IANA time zone name such as UTC or Europe/Paris", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("SHOP_TIMEZONE=%q: must be an IANA time zone name such as UTC or Europe/Paris", name)
	}
	return loc, nil
}

// Validate checks the source and the batch size.
func (p *Projections) Validate(string) error {
	if err := oneOf("PROJECTIONS_SOURCE", p.Source, "bus", "store"); err != nil {
		return err
	}
	if p.Batch < 1 || p.Batch > 10_000 {
		return fmt.Errorf("PROJECTIONS_BATCH=%d: must be 1–10000", p.Batch)
	}
	if p.Linger < 0 || p.Linger > time.Second {
		return fmt.Errorf("PROJECTIONS_LINGER=%s: must be 0–1s", p.Linger)
	}
	return nil
}

// Auth is the identity service's own settings.
type Auth struct {
	Tokens   Tokens
	Cookies  Cookies
	Proxies  Proxies
	MailLink MailLink

	JWTKeys            string        `env:"AUTH_JWT_KEYS" flag:"jwt-keys" required:"server" desc:"Ed25519 signing keys \"kid:base64seed,...\" (first signs); generated when empty in embedded mode"`
	AccessTTL          time.Duration `env:"AUTH_ACCESS_TTL" flag:"access-ttl" default:"15m" desc:"access-token lifetime (at most 15m)"`
	RefreshTTL         time.Duration `env:"AUTH_REFRESH_TTL" flag:"refresh-ttl" default:"168h" desc:"refresh-token lifetime (sliding, per rotation)"`
	RefreshAbsoluteTTL time.Duration `env:"AUTH_REFRESH_ABSOLUTE_TTL" flag:"refresh-absolute-ttl" default:"720h" desc:"a sign-in's absolute lifetime: refreshing never keeps it past this (at least AUTH_REFRESH_TTL)"`
	HashConcurrency    int           `env:"AUTH_HASH_CONCURRENCY" flag:"hash-concurrency" default:"4" desc:"argon2id hashes run at once (19 MiB each)"`
	AdminEmail         string        `env:"AUTH_BOOTSTRAP_ADMIN_EMAIL" flag:"admin-email" desc:"creates this admin at start-up when set (embedded default: admin@example.com with a password logged once)"`
	AdminPassword      string        `env:"AUTH_BOOTSTRAP_ADMIN_PASSWORD" flag:"admin-password" desc:"password of the bootstrap admin"`
}

// Validate checks the lifetimes and the hashing pool.
func (a *Auth) Validate(string) error {
	switch {
	case a.AccessTTL <= 0 || a.AccessTTL > 15*time.Minute:
		return fmt.Errorf("AUTH_ACCESS_TTL=%s: must be positive and at most 15m", a.AccessTTL)
	case a.RefreshTTL <= 0:
		return fmt.Errorf("AUTH_REFRESH_TTL=%s: must be positive", a.RefreshTTL)
	case a.RefreshAbsoluteTTL < a.RefreshTTL:
		return fmt.Errorf("AUTH_REFRESH_ABSOLUTE_TTL=%s: must not be shorter than AUTH_REFRESH_TTL=%s", a.RefreshAbsoluteTTL, a.RefreshTTL)
	case a.HashConcurrency < 1 || a.HashConcurrency > 64:
		return fmt.Errorf("AUTH_HASH_CONCURRENCY=%d: must be 1–64", a.HashConcurrency)
	case (a.AdminEmail == "") != (a.AdminPassword == "") && a.AdminEmail != "":
		return fmt.Errorf("AUTH_BOOTSTRAP_ADMIN_EMAIL needs AUTH_BOOTSTRAP_ADMIN_PASSWORD")
	}
	if a.JWTKeys != "" {
		if _, err := authn.ParseKeySet(a.JWTKeys); err != nil {
			return fmt.Errorf("AUTH_JWT_KEYS: %w", err)
		}
	}
	return nil
}

// Client is the client (customer profile) service's settings.
type Client struct {
	Tokens      Tokens
	Projections Projections // recommendations
	Stock       Stock       // recommendations read products with their stock
}

// Catalog is the catalog service's settings.
type Catalog struct {
	Tokens   Tokens
	Stock    Stock
	Uploads  Uploads
	SeedDemo bool `env:"SEED_DEMO" default:"false" embedded:"true" desc:"seed the demo catalog when the catalog is empty"`
}

// Uploads bound the product images staff upload to the catalog. The
// gateway and the catalog service accept request bodies this large (plus
// room for the multipart envelope) instead of their usual 1 MiB.
type Uploads struct {
	ImageMaxBytes  int `env:"CATALOG_IMAGE_MAX_BYTES" default:"5242880" desc:"largest product image file staff may upload, in bytes (64 KiB–32 MiB); the gateway's and the catalog's body limit follow it"`
	ImageMaxPixels int `env:"CATALOG_IMAGE_MAX_PIXELS" default:"40000000" desc:"most pixels (width × height) of an uploaded product image, 1–100000000, checked before it is decoded"`
}

// Validate checks the bounds.
func (u *Uploads) Validate(string) error {
	if u.ImageMaxBytes < 64<<10 || u.ImageMaxBytes > 32<<20 {
		return fmt.Errorf("CATALOG_IMAGE_MAX_BYTES=%d: must be 65536–33554432", u.ImageMaxBytes)
	}
	if u.ImageMaxPixels < 1 || u.ImageMaxPixels > 100_000_000 {
		return fmt.Errorf("CATALOG_IMAGE_MAX_PIXELS=%d: must be 1–100000000", u.ImageMaxPixels)
	}
	return nil
}

// BodyLimit is the request body limit of a server that takes the uploads:
// the image plus 256 KiB for the multipart envelope, at least 1 MiB.
func (u Uploads) BodyLimit() int { return max(1<<20, u.ImageMaxBytes+256<<10) }

// Stock says where the catalog keeps stock counts and reservations in server
// mode (catalog/pgstock beside the MongoDB product documents, or all in
// MongoDB); the embedded shop keeps everything in memory.
type Stock struct {
	Store string `env:"CATALOG_STOCK" default:"postgres" desc:"server mode: where the catalog keeps stock counts and reservations, postgres (products stay in MongoDB; MongoDB stock is copied over on first use) or mongo; embedded mode keeps all in memory"`
}

// Validate checks the stock store's name.
func (s *Stock) Validate(string) error { return oneOf("CATALOG_STOCK", s.Store, "postgres", "mongo") }

// Basket is the basket service's settings: checkouts name one of the
// payment methods offered; MailLink signs the order status links of guest
// checkouts.
type Basket struct {
	Tokens      Tokens
	Cookies     Cookies
	Methods     PaymentMethods
	Projections Projections
	MailLink    MailLink
	Pricing     Pricing // the basket's estimates and checkout
}

// Ordering is the ordering service's settings: orders are placed with one
// of the payment methods offered; guest orders are read through links
// signed with MailLink.
type Ordering struct {
	Tokens      Tokens
	Methods     PaymentMethods
	Projections Projections // the orders and sales read models
	Time        ShopTime    // the days of the sales figures
	Invoicing   Invoicing   // the seller and numbers on invoices and credit notes
	MailLink    MailLink    // checks the signed links of guest orders
	Pricing     Pricing     // orders are priced when placed; /api/shipping
	Returns     Returns     // customers' returns of delivered orders
}

// Returns are the rules of customers' returns.
type Returns struct {
	WindowDays                 int  `env:"RETURN_WINDOW_DAYS" default:"30" desc:"how many days after its delivery an order's units may be asked back (1 to 365)"`
	RefundShippingOnFullReturn bool `env:"RETURNS_REFUND_SHIPPING_ON_FULL_RETURN" default:"true" desc:"refund the shipping with the return that brings back the last unit of an order"`
}

// Validate checks the window.
func (r *Returns) Validate(string) error {
	if r.WindowDays < 1 || r.WindowDays > 365 {
		return fmt.Errorf("RETURN_WINDOW_DAYS must be 1 to 365")
	}
	return nil
}

// Invoicing is what the shop prints on its invoices and credit notes: the
// seller, and the prefixes of their gapless numbers.
type Invoicing struct {
	SellerName       string `env:"SELLER_NAME" default:"evshop" desc:"seller's legal name printed on invoices and credit notes"`
	SellerAddress    string `env:"SELLER_ADDRESS" embedded:"1 Demo Street; 10115 Berlin; DE" desc:"seller's postal address printed on invoices, lines separated by ';'"`
	SellerVATID      string `env:"SELLER_VAT_ID" desc:"seller's VAT identification number printed on invoices (empty: none printed)"`
	SellerEmail      string `env:"SELLER_EMAIL" desc:"seller's contact address printed on invoices (empty: none printed)"`
	InvoicePrefix    string `env:"INVOICE_PREFIX" default:"INV-" desc:"prefix of invoice numbers (then the number, zero-padded to 6 digits); at most 16 letters, digits, '-' or '_'"`
	CreditNotePrefix string `env:"CREDIT_NOTE_PREFIX" default:"CN-" desc:"prefix of credit-note numbers, as INVOICE_PREFIX; must differ from it"`
}

// Validate checks the seller's fields and the prefixes.
func (v *Invoicing) Validate(string) error {
	for name, val := range map[string]string{"SELLER_NAME": v.SellerName, "SELLER_ADDRESS": v.SellerAddress, "SELLER_VAT_ID": v.SellerVATID, "SELLER_EMAIL": v.SellerEmail} {
		if len(val) > 300 || strings.ContainsAny(val, "\x00\r\n") {
			return fmt.Errorf("%s: at most 300 characters on one line", name)
		}
	}
	if strings.TrimSpace(v.SellerName) == "" {
		return fmt.Errorf("SELLER_NAME is required")
	}
	if v.SellerEmail != "" {
		if a, err := mail.ParseAddress(v.SellerEmail); err != nil || a.Address != v.SellerEmail {
			return fmt.Errorf("SELLER_EMAIL %q is not an email address", v.SellerEmail)
		}
	}
	if !invoices.ValidPrefix(v.InvoicePrefix) || !invoices.ValidPrefix(v.CreditNotePrefix) {
		return fmt.Errorf("INVOICE_PREFIX and CREDIT_NOTE_PREFIX: at most 16 letters, digits, '-' or '_'")
	}
	if v.InvoicePrefix == v.CreditNotePrefix {
		return fmt.Errorf("INVOICE_PREFIX and CREDIT_NOTE_PREFIX must differ (credit notes and invoices are numbered separately)")
	}
	return nil
}

// Payment is the payment service's settings: the gateways offered and
// their credentials.
type Payment struct {
	Tokens      Tokens
	Methods     PaymentMethods
	Public      PublicSite
	Projections Projections // the payments ledger
	MailLink    MailLink    // checks the order tokens of guest buyers (PayPal approval, return, cancel)

	StripeSecretKey     string `env:"STRIPE_SECRET_KEY" desc:"Stripe secret key (required when PAYMENT_GATEWAYS names stripe)"`
	StripeWebhookSecret string `env:"STRIPE_WEBHOOK_SECRET" desc:"Stripe webhook signing secret"`
	StripeURL           string `env:"STRIPE_URL" desc:"Stripe API base URL (stripe-mock in tests); empty = api.stripe.com"`
	PayPalClientID      string `env:"PAYPAL_CLIENT_ID" desc:"PayPal REST client id (required when PAYMENT_GATEWAYS names paypal)"`
	PayPalSecret        string `env:"PAYPAL_SECRET" desc:"PayPal REST secret (required when PAYMENT_GATEWAYS names paypal)"`
	PayPalURL           string `env:"PAYPAL_URL" default:"https://api-m.sandbox.paypal.com" desc:"PayPal API base URL"`
	PayPalWebhookID     string `env:"PAYPAL_WEBHOOK_ID" desc:"PayPal webhook id for signature verification"`
}

// Validate checks that every gateway offered has its credentials.
func (p *Payment) Validate(string) error {
	if p.Methods.Has("stripe") && p.StripeSecretKey == "" {
		return fmt.Errorf("PAYMENT_GATEWAYS names stripe: STRIPE_SECRET_KEY is required")
	}
	if p.Methods.Has("paypal") && (p.PayPalClientID == "" || p.PayPalSecret == "") {
		return fmt.Errorf("PAYMENT_GATEWAYS names paypal: PAYPAL_CLIENT_ID and PAYPAL_SECRET are required")
	}
	if p.StripeURL != "" {
		if err := httpURL("STRIPE_URL", p.StripeURL); err != nil {
			return err
		}
	}
	return httpURL("PAYPAL_URL", p.PayPalURL)
}

// Checkout is the checkout saga's settings.
type Checkout struct {
	PaymentDeadline time.Duration `env:"PAYMENT_DEADLINE" default:"15m" desc:"checkout cancels an order not authorized within this time"`
}

// Validate checks the deadline.
func (c *Checkout) Validate(string) error {
	if c.PaymentDeadline <= 0 {
		return fmt.Errorf("PAYMENT_DEADLINE=%s: must be positive", c.PaymentDeadline)
	}
	return nil
}

// Notifier is the notification service's settings: mail delivery, the
// abandoned-basket reminder and the ops alert watcher (which mails
// OPS_EMAIL).
type Notifier struct {
	Tokens      Tokens
	MailLink    MailLink
	Public      PublicSite
	Webhooks    Webhooks
	Projections Projections // the abandoned-basket tracking

	MailSender   string `env:"MAIL_SENDER" default:"ses" embedded:"outbox" desc:"where emails go: ses (Amazon SES v2, or AWS_ENDPOINT_URL_SES) or outbox (kept for /dev/mail; embedded mode only)"`
	SESEndpoint  string `env:"AWS_ENDPOINT_URL_SES" flag:"ses-endpoint" desc:"SES v2 endpoint (the emulator locally); empty = AWS; used when MAIL_SENDER=ses"`
	SESRegion    string `env:"AWS_REGION" flag:"aws-region" default:"us-east-1" desc:"AWS region of SES"`
	SESFrom      string `env:"SES_FROM" default:"shop@example.com" desc:"sender address of every email"`
	SESConfigSet string `env:"SES_CONFIGURATION_SET" desc:"SES configuration set name"`
	OpsEmail     string `env:"OPS_EMAIL" default:"ops@example.com" desc:"where ops alerts go (readiness, error rate, dead letters, projection lag, relay leader, recovered panics); empty turns the alerts off"`

	ReminderIdle     time.Duration `env:"REMINDER_IDLE" default:"24h" embedded:"1h" desc:"basket idle time before the abandoned-basket reminder (opted-in customers only)"`
	ReminderMaxAge   time.Duration `env:"REMINDER_MAX_AGE" default:"168h" desc:"baskets idle longer than this are never reminded"`
	ReminderInterval time.Duration `env:"REMINDER_INTERVAL" default:"1m" desc:"how often due reminders are looked for"`

	AlertReadyzTargets  []string      `env:"ALERT_READYZ_TARGETS" flag:"alert-readyz" desc:"name=url list of /readyz endpoints to watch"`
	AlertMetricsTargets []string      `env:"ALERT_METRICS_TARGETS" flag:"alert-metrics" desc:"name=url list of /metrics endpoints whose 5xx rate, projection lag and recovered panics are watched: each binary's METRICS_ADDR listener, e.g. gateway=http://gateway:9090/metrics (the process's own metrics are always read)"`
	AlertFailFor        time.Duration `env:"ALERT_FAIL_FOR" default:"2m" desc:"how long a condition fails before it alerts"`
	AlertThrottle       time.Duration `env:"ALERT_THROTTLE" default:"15m" desc:"at most one alert per condition per this period"`
	AlertInterval       time.Duration `env:"ALERT_INTERVAL" default:"15s" desc:"how often the watcher checks"`
	AlertRatePercent    int           `env:"ALERT_ERROR_RATE_PERCENT" flag:"alert-error-rate" default:"5" desc:"error rate (percent of requests) that counts as failing"`
	AlertMinRequests    int           `env:"ALERT_MIN_REQUESTS" default:"20" desc:"requests needed in the window before the error rate counts"`
	AlertProjectionLag  int           `env:"ALERT_PROJECTION_LAG" default:"1000" desc:"events a read model may trail the event store (checkpoint vs head) before it counts as failing"`
	AlertPanicWindow    time.Duration `env:"ALERT_PANIC_WINDOW" default:"10m" desc:"a recovered panic keeps its process failing this long; the recovery email follows a quiet window"`
	AlertRelays         []string      `env:"ALERT_RELAYS" default:"events" desc:"relays that must have a leader (a process holding their lease); empty: not watched"`
}

// Validate checks the reminder and alert settings.
func (n *Notifier) Validate(mode string) error {
	_, _, err := n.AlertTargets()
	if err != nil {
		return err
	}
	switch {
	case n.MailSender != "ses" && n.MailSender != "outbox":
		return fmt.Errorf("MAIL_SENDER=%q: must be ses or outbox", n.MailSender)
	case n.MailSender == "outbox" && mode != ModeEmbedded:
		return fmt.Errorf("MAIL_SENDER=outbox is the embedded shop's; server mode sends through SES")
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"REMINDER_IDLE", n.ReminderIdle}, {"REMINDER_MAX_AGE", n.ReminderMaxAge}, {"REMINDER_INTERVAL", n.ReminderInterval},
		{"ALERT_FAIL_FOR", n.AlertFailFor}, {"ALERT_THROTTLE", n.AlertThrottle}, {"ALERT_INTERVAL", n.AlertInterval},
		{"ALERT_PANIC_WINDOW", n.AlertPanicWindow}} {
		if d.d <= 0 {
			return fmt.Errorf("%s=%s: must be positive", d.name, d.d)
		}
	}
	switch {
	case n.ReminderMaxAge < n.ReminderIdle:
		return fmt.Errorf("REMINDER_MAX_AGE=%s: must not be shorter than REMINDER_IDLE=%s", n.ReminderMaxAge, n.ReminderIdle)
	case n.AlertRatePercent < 1 || n.AlertRatePercent > 100:
		return fmt.Errorf("ALERT_ERROR_RATE_PERCENT=%d: must be 1–100", n.AlertRatePercent)
	case n.AlertMinRequests < 1:
		return fmt.Errorf("ALERT_MIN_REQUESTS=%d: must be positive", n.AlertMinRequests)
	case n.AlertProjectionLag < 1:
		return fmt.Errorf("ALERT_PROJECTION_LAG=%d: must be positive", n.AlertProjectionLag)
	case n.OpsEmail != "" && !strings.Contains(n.OpsEmail, "@"):
		return fmt.Errorf("OPS_EMAIL=%q: not an email address", n.OpsEmail)
	}
	if n.SESEndpoint != "" {
		return httpURL("AWS_ENDPOINT_URL_SES", n.SESEndpoint)
	}
	return nil
}

// AlertTargets parses the watched /readyz and /metrics endpoints.
func (n *Notifier) AlertTargets() (ready, metrics []alerts.Target, err error) {
	if ready, err = alerts.ParseTargets(joinComma(n.AlertReadyzTargets)); err != nil {
		return nil, nil, fmt.Errorf("ALERT_READYZ_TARGETS: %w", err)
	}
	if metrics, err = alerts.ParseTargets(joinComma(n.AlertMetricsTargets)); err != nil {
		return nil, nil, fmt.Errorf("ALERT_METRICS_TARGETS: %w", err)
	}
	for _, t := range append(append([]alerts.Target{}, ready...), metrics...) {
		if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, nil, fmt.Errorf("alert target %s: %q is not an http(s) URL", t.Name, t.URL)
		}
	}
	return ready, metrics, nil
}

// Webhooks are the outbound webhooks' settings (the notifier delivers them).
type Webhooks struct {
	AllowNets   []string      `env:"WEBHOOK_ALLOW_NETS" desc:"comma-separated CIDR prefixes that webhook endpoints may reach although loopback, private, link-local, carrier-grade NAT or metadata addresses (refused otherwise), e.g. 127.0.0.1/32 for a local receiver; in server mode plain http is accepted only to these"`
	Timeout     time.Duration `env:"WEBHOOK_TIMEOUT" default:"10s" desc:"how long one webhook delivery attempt may take (connect, send, answer)"`
	RetryFor    time.Duration `env:"WEBHOOK_RETRY_FOR" default:"24h" desc:"how long a webhook delivery is retried (exponential backoff with jitter) before it is marked failed"`
	Concurrency int           `env:"WEBHOOK_CONCURRENCY" default:"4" desc:"deliveries in flight per webhook endpoint, 1–32 (endpoints never wait for each other)"`
}

// Validate checks the allow-list and the limits.
func (w *Webhooks) Validate(string) error {
	if _, err := w.Prefixes(); err != nil {
		return err
	}
	switch {
	case w.Timeout <= 0 || w.Timeout > time.Minute:
		return fmt.Errorf("WEBHOOK_TIMEOUT=%s: must be positive and at most 1m", w.Timeout)
	case w.RetryFor < time.Minute:
		return fmt.Errorf("WEBHOOK_RETRY_FOR=%s: must be at least 1m", w.RetryFor)
	case w.Concurrency < 1 || w.Concurrency > 32:
		return fmt.Errorf("WEBHOOK_CONCURRENCY=%d: must be 1–32", w.Concurrency)
	}
	return nil
}

// Prefixes parses WEBHOOK_ALLOW_NETS (a bare address is a /32 or /128).
func (w *Webhooks) Prefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range w.AllowNets {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("WEBHOOK_ALLOW_NETS: %q is not a CIDR prefix such as 127.0.0.1/32", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Admin is the back office's settings.
type Admin struct {
	Tokens Tokens
	Time   ShopTime // the days of the sales read model it rebuilds
}

// Gateway is the public entry's settings.
type Gateway struct {
	Tokens  Tokens
	Cookies Cookies
	Proxies Proxies
	Methods PaymentMethods
	Uploads Uploads

	StripePublishableKey string `env:"STRIPE_PUBLISHABLE_KEY" desc:"Stripe publishable key (public; sent to the storefront when PAYMENT_GATEWAYS names stripe)"`

	WebDir      string   `env:"WEB_DIR" desc:"directory of a built storefront to serve instead of the one built into the binary"`
	CORSOrigins []string `env:"CORS_ORIGINS" desc:"comma-separated origins allowed by CORS (empty: same origin only)"`
	RateLimit   int      `env:"RATE_LIMIT" default:"600" desc:"requests per minute per client address at the gateway"`
	CSRFKey     string   `env:"CSRF_KEY" required:"server" desc:"64 hex chars signing CSRF tokens at the gateway; generated when empty in embedded mode"`
}

// Validate checks the rate limit and the CSRF key.
func (g *Gateway) Validate(string) error {
	if g.RateLimit <= 0 {
		return fmt.Errorf("RATE_LIMIT=%d: must be positive", g.RateLimit)
	}
	if g.CSRFKey != "" {
		if b, err := hex.DecodeString(g.CSRFKey); err != nil || len(b) < 32 {
			return fmt.Errorf("CSRF_KEY must be at least 64 hex characters")
		}
	}
	for _, o := range g.CORSOrigins {
		if err := httpURL("CORS_ORIGINS", o); err != nil {
			return err
		}
	}
	return nil
}

// Upstreams are where the separate gateway proxies each service's routes.
type Upstreams struct {
	Auth          string `env:"UPSTREAM_AUTH" required:"always" desc:"URL of the auth service"`
	Clients       string `env:"UPSTREAM_CLIENTS" required:"always" desc:"URL of the client service"`
	Catalog       string `env:"UPSTREAM_CATALOG" required:"always" desc:"URL of the catalog service"`
	Basket        string `env:"UPSTREAM_BASKET" required:"always" desc:"URL of the basket service"`
	Orders        string `env:"UPSTREAM_ORDERS" required:"always" desc:"URL of the ordering service"`
	Payments      string `env:"UPSTREAM_PAYMENTS" required:"always" desc:"URL of the payment service"`
	Admin         string `env:"UPSTREAM_ADMIN" required:"always" desc:"URL of the admin service"`
	Notifications string `env:"UPSTREAM_NOTIFICATIONS" required:"always" desc:"URL of the notifier"`
}

// Validate checks every URL.
func (u *Upstreams) Validate(string) error {
	for _, r := range u.ByService() {
		if err := httpURL("UPSTREAM_"+r.Service, r.URL); err != nil {
			return err
		}
	}
	return nil
}

// Upstream is one service's URL and its key (UPSTREAM_<Service>).
type Upstream struct{ Service, URL string }

// ByService lists the upstreams by service key.
func (u *Upstreams) ByService() []Upstream {
	return []Upstream{{"AUTH", u.Auth}, {"CLIENTS", u.Clients}, {"CATALOG", u.Catalog}, {"BASKET", u.Basket},
		{"ORDERS", u.Orders}, {"PAYMENTS", u.Payments}, {"ADMIN", u.Admin}, {"NOTIFICATIONS", u.Notifications}}
}

func httpURL(name, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s=%q: must be an http(s) URL", name, s)
	}
	return nil
}

func joinComma(list []string) string { return strings.Join(list, ",") }
