package settings

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/evshop/shop/platform/config"
)

// Each binary's settings are the groups of the services it runs, so it
// accepts (and validates) exactly those: the notifier never reads
// STRIPE_SECRET_KEY, and the one-process shop reads everything, the
// notifier's alerts and reminders included.

// ShopSettings are cmd/shop's: every service in one process.
type ShopSettings struct {
	Common   Common
	Auth     Auth
	Client   Client
	Catalog  Catalog
	Basket   Basket
	Ordering Ordering
	Payment  Payment
	Checkout Checkout
	Notifier Notifier
	Admin    Admin
	Gateway  Gateway
	Relay    Relay
}

// AuthSettings are cmd/auth's.
type AuthSettings struct {
	Common Common
	Auth   Auth
}

// ClientSettings are cmd/client's.
type ClientSettings struct {
	Common Common
	Client Client
}

// CatalogSettings are cmd/catalog's.
type CatalogSettings struct {
	Common  Common
	Catalog Catalog
}

// BasketSettings are cmd/basket's: the catalog is reached over HTTP.
type BasketSettings struct {
	Common     Common
	Basket     Basket
	CatalogURL string `env:"CATALOG_URL" default:"http://127.0.0.1:8080" desc:"catalog service base URL (product lookups)"`
}

// Validate checks the catalog URL.
func (b *BasketSettings) Validate(string) error { return httpURL("CATALOG_URL", b.CatalogURL) }

// OrderingSettings are cmd/ordering's.
type OrderingSettings struct {
	Common   Common
	Ordering Ordering
}

// PaymentSettings are cmd/payment's.
type PaymentSettings struct {
	Common  Common
	Payment Payment
}

// CheckoutSettings are cmd/checkout's.
type CheckoutSettings struct {
	Common   Common
	Checkout Checkout
}

// NotifierSettings are cmd/notifier's.
type NotifierSettings struct {
	Common   Common
	Notifier Notifier
}

// AdminSettings are cmd/admin's.
type AdminSettings struct {
	Common Common
	Admin  Admin
}

// GatewaySettings are cmd/gateway's: it proxies to the services.
type GatewaySettings struct {
	Common    Common
	Gateway   Gateway
	Upstreams Upstreams
}

// RelaySettings are cmd/relay's.
type RelaySettings struct {
	Common Common
	Relay  Relay
}

// PreviewSettings are those of `notifier preview` (templates rendered with
// sample data; no servers).
type PreviewSettings struct {
	Lang string `env:"PREVIEW_LANG" flag:"lang" desc:"only this language (default: all)"`
	Out  string `env:"PREVIEW_OUT" flag:"out" desc:"directory to write <lang>/<kind>.{txt,html} into (default: print the text bodies)"`
}

func (s *ShopSettings) CommonGroup() *Common     { return &s.Common }
func (s *AuthSettings) CommonGroup() *Common     { return &s.Common }
func (s *ClientSettings) CommonGroup() *Common   { return &s.Common }
func (s *CatalogSettings) CommonGroup() *Common  { return &s.Common }
func (s *BasketSettings) CommonGroup() *Common   { return &s.Common }
func (s *OrderingSettings) CommonGroup() *Common { return &s.Common }
func (s *PaymentSettings) CommonGroup() *Common  { return &s.Common }
func (s *CheckoutSettings) CommonGroup() *Common { return &s.Common }
func (s *NotifierSettings) CommonGroup() *Common { return &s.Common }
func (s *AdminSettings) CommonGroup() *Common    { return &s.Common }
func (s *GatewaySettings) CommonGroup() *Common  { return &s.Common }
func (s *RelaySettings) CommonGroup() *Common    { return &s.Common }

// BinarySettings is a binary's settings struct (a pointer to one of the
// above): its Common group is what wiring.Main opens the servers with.
type BinarySettings[S any] interface {
	*S
	CommonGroup() *Common
}

// Binary is one cmd/<name> built on wiring.Main: its default mode and its
// settings, for the documentation and the deployment checks.
type Binary struct {
	Name string
	Mode string // default SHOP_MODE
	// New returns a zero settings struct of the binary.
	New func() any
}

// Defaults are the binary's own defaults over the struct tags.
func (b Binary) Defaults() map[string]string { return map[string]string{"SHOP_MODE": b.Mode} }

// Load reads and validates the binary's settings from lookup and args
// without opening anything: what the binary checks before it starts.
func (b Binary) Load(lookup func(string) (string, bool), args []string) (any, error) {
	s := b.New()
	_, err := config.Load(s, Options(b.Name, b.Mode, args, lookup))
	return s, err
}

// Vars lists the binary's settings.
func (b Binary) Vars() ([]config.Var, error) { return config.Describe(b.New(), b.Defaults()) }

// Binaries lists every binary built on wiring.Main.
func Binaries() []Binary {
	return []Binary{
		{"admin", ModeServer, func() any { return new(AdminSettings) }},
		{"auth", ModeServer, func() any { return new(AuthSettings) }},
		{"basket", ModeServer, func() any { return new(BasketSettings) }},
		{"catalog", ModeServer, func() any { return new(CatalogSettings) }},
		{"checkout", ModeServer, func() any { return new(CheckoutSettings) }},
		{"client", ModeServer, func() any { return new(ClientSettings) }},
		{"gateway", ModeServer, func() any { return new(GatewaySettings) }},
		{"notifier", ModeServer, func() any { return new(NotifierSettings) }},
		{"ordering", ModeServer, func() any { return new(OrderingSettings) }},
		{"payment", ModeServer, func() any { return new(PaymentSettings) }},
		{"relay", ModeServer, func() any { return new(RelaySettings) }},
		{"shop", ModeEmbedded, func() any { return new(ShopSettings) }},
	}
}

// BinaryNamed returns the binary called name.
func BinaryNamed(name string) (Binary, error) {
	i := slices.IndexFunc(Binaries(), func(b Binary) bool { return b.Name == name })
	if i < 0 {
		return Binary{}, fmt.Errorf("no binary %q built on wiring.Main", name)
	}
	return Binaries()[i], nil
}

// LoadShop reads the one-process shop's settings from lookup and args
// (tests and tools that run the shop in process).
func LoadShop(lookup func(string) (string, bool), args ...string) (*ShopSettings, error) {
	s, err := load[ShopSettings]("shop", ModeEmbedded, lookup, args)
	return s, err
}

func load[S any, P BinarySettings[S]](name, mode string, lookup func(string) (string, bool), args []string) (P, error) {
	s := P(new(S))
	rest, err := config.Load(s, Options(name, mode, args, lookup))
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected arguments %q", rest)
	}
	return s, err
}

// ShopctlSettings are cmd/shopctl's: the stores of the services it reads,
// under the names and with the defaults those services use (a test keeps
// them equal), so shopctl finds what a shop started the same way wrote.
type ShopctlSettings struct {
	EventStore   string `env:"EVENTSTORE" default:"postgres" desc:"event store to read (never written): postgres or esdb, or sqlite for the embedded shop's data directory (DATA_DIR)"`
	DataDir      string `env:"DATA_DIR" desc:"EVENTSTORE=sqlite: the embedded shop's data directory (default $XDG_DATA_HOME/evshop, else ~/.local/share/evshop), read while the shop runs; backup copies it"`
	PostgresURL  string `env:"POSTGRES_URL" default:"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" desc:"PostgreSQL of the services: event store (EVENTSTORE=postgres, read only), orders and payments read models, rebuild progress and locks (shared with the admin API), dead letters"`
	ESDBURL      string `env:"ESDB_URL" default:"esdb://127.0.0.1:2113?tls=false" desc:"EventStoreDB connection string (EVENTSTORE=esdb)"`
	RedisURL     string `env:"REDIS_URL" default:"redis://127.0.0.1:6379/0" desc:"Redis of the basket read model"`
	MongoURL     string `env:"MONGO_URL" default:"mongodb://127.0.0.1:27017/" desc:"MongoDB of the recommendations read model"`
	MongoDB      string `env:"MONGO_DB" default:"shop" desc:"MongoDB database name"`
	AMQPURL      string `env:"AMQP_URL" default:"amqp://guest:guest@127.0.0.1:5672/" desc:"RabbitMQ (deadletters redrive only)"`
	BusPrefix    string `env:"BUS_PREFIX" default:"shop" desc:"the services' prefix of every exchange and queue, and of the Redis keys (the basket read model lives under <prefix>:baskets)"`
	QueueType    string `env:"AMQP_QUEUE_TYPE" default:"classic" desc:"RabbitMQ queue type: classic or quorum"`
	LogLevel     string `env:"LOG_LEVEL" default:"warn" desc:"debug, info, warn or error"`
	RebuildBatch int    `env:"SHOPCTL_REBUILD_BATCH" flag:"rebuild-batch" default:"2000" desc:"events per shadow write during a rebuild (1..100000)"`
	TimeZone     string `env:"SHOP_TIMEZONE" default:"UTC" desc:"the services' IANA time zone of the sales figures (report sales, rebuild of the sales read model)"`
}

// Validate checks the URLs, the prefix and the batch size.
func (s *ShopctlSettings) Validate(string) error {
	var errs []error
	if p, err := url.Parse(s.PostgresURL); err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
		errs = append(errs, fmt.Errorf("POSTGRES_URL must be a postgres:// URL"))
	}
	if !slices.Contains([]string{"postgres", "esdb", "sqlite"}, s.EventStore) {
		errs = append(errs, fmt.Errorf("EVENTSTORE must be postgres or esdb (a shop on servers), or sqlite (the embedded shop's DATA_DIR)"))
	}
	if p, err := url.Parse(s.ESDBURL); err != nil || (p.Scheme != "esdb" && p.Scheme != "esdb+discover") {
		errs = append(errs, fmt.Errorf("ESDB_URL must be an esdb:// URL"))
	}
	if p, err := url.Parse(s.MongoURL); err != nil || (p.Scheme != "mongodb" && p.Scheme != "mongodb+srv") {
		errs = append(errs, fmt.Errorf("MONGO_URL must be a mongodb:// URL"))
	}
	if s.MongoDB == "" || strings.ContainsAny(s.MongoDB, "/\\. \"$") {
		errs = append(errs, fmt.Errorf("MONGO_DB must be a database name"))
	}
	if _, err := redis.ParseURL(s.RedisURL); err != nil {
		errs = append(errs, fmt.Errorf("REDIS_URL: %v", err))
	}
	if _, err := Location(s.TimeZone); err != nil {
		errs = append(errs, err)
	}
	if p, err := url.Parse(s.AMQPURL); err != nil || (p.Scheme != "amqp" && p.Scheme != "amqps") {
		errs = append(errs, fmt.Errorf("AMQP_URL must be an amqp:// URL"))
	}
	if s.BusPrefix == "" || strings.ContainsAny(s.BusPrefix, " \t\n") {
		errs = append(errs, fmt.Errorf("BUS_PREFIX must be a non-empty word"))
	}
	if !slices.Contains([]string{"classic", "quorum"}, s.QueueType) {
		errs = append(errs, fmt.Errorf("AMQP_QUEUE_TYPE must be classic or quorum"))
	}
	if s.RebuildBatch < 1 || s.RebuildBatch > 100_000 {
		errs = append(errs, fmt.Errorf("SHOPCTL_REBUILD_BATCH must be in 1..100000"))
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, s.LogLevel) {
		errs = append(errs, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error"))
	}
	return errors.Join(errs...)
}

// BasketsBase is the Redis key space of the basket read model for a bus
// prefix: the services write there and shopctl rebuilds there.
func BasketsBase(busPrefix string) string { return busPrefix + ":baskets" }
