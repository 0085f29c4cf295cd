package load

import "time"

// Settings are cmd/loadgen's flags and env vars (platform/config reads
// them; docs/configuration.md lists them).
type Settings struct {
	URL               string        `env:"LOADGEN_URL" flag:"url" default:"http://127.0.0.1:8080" desc:"the gateway (only http://127.0.0.1)"`
	Mail              string        `env:"LOADGEN_MAIL" flag:"mail" desc:"verification mail source: empty = <url>/dev/mail.json (embedded); server mode: the SES emulator http://127.0.0.1:8005/store"`
	Customers         int           `env:"LOADGEN_CUSTOMERS" flag:"customers" default:"32" desc:"virtual customers (each registers and signs in once, before the clock starts)"`
	OrdersPerCustomer int           `env:"LOADGEN_ORDERS_PER_CUSTOMER" flag:"orders-per-customer" default:"10" desc:"orders each customer places"`
	Concurrency       int           `env:"LOADGEN_CONCURRENCY" flag:"concurrency" default:"32" desc:"customers checking out at once (each waits for Paid before its next order)"`
	Duration          time.Duration `env:"LOADGEN_DURATION" flag:"duration" default:"0s" desc:"bound on the measured phase (0: until every order is placed)"`
	Lines             int           `env:"LOADGEN_LINES" flag:"lines" default:"2" desc:"distinct products per order"`
	SKUs              []string      `env:"LOADGEN_SKUS" flag:"skus" desc:"comma-separated SKUs to buy (default: in-stock products of the catalog's first page)"`
	ClientIPs         string        `env:"LOADGEN_CLIENT_IPS" flag:"client-ips" default:"198.18.0.0/15" desc:"give each customer an X-Forwarded-For address from this prefix so the auth service's per-IP limits apply per customer (believed only when the shop's TRUSTED_PROXIES lists loopback: the embedded default); empty: off"`
	AdminEmail        string        `env:"LOADGEN_ADMIN_EMAIL" flag:"admin-email" default:"admin@example.com" desc:"admin who tops up stock (only with a password)"`
	AdminPassword     string        `env:"LOADGEN_ADMIN_PASSWORD" flag:"admin-password" desc:"the admin's password (prefer the env var); empty: stock is only checked"`
	Follow            string        `env:"LOADGEN_FOLLOW" flag:"follow" default:"wait" desc:"how each order is followed to Paid: wait (a read held until the order changes: If-None-Match with Prefer: wait) or poll (a read every poll interval)"`
	Poll              time.Duration `env:"LOADGEN_POLL" flag:"poll" default:"0s" desc:"order status polling interval, stretched to a tenth of the wait so far (default 20ms)"`
	PaidTimeout       time.Duration `env:"LOADGEN_PAID_TIMEOUT" flag:"paid-timeout" default:"0s" desc:"give up on an order not Paid after this (default 30s)"`
	SetupConcurrency  int           `env:"LOADGEN_SETUP_CONCURRENCY" flag:"setup-concurrency" default:"4" desc:"registrations and sign-ins at once (argon2id is CPU- and memory-heavy)"`
	PIDs              string        `env:"LOADGEN_PIDS" flag:"pids" desc:"processes whose memory to report: name=pid,... (default: the process listening on the url's port)"`
	Procs             string        `env:"LOADGEN_PROCS" flag:"procs" desc:"also report every process with one of these command names (e.g. gateway,auth,basket,...)"`
	CheckReads        bool          `env:"LOADGEN_CHECK_READS" flag:"check-reads" default:"false" desc:"read every basket write back and each order right after its checkout, counting stale reads, 412s and 404s"`
	JSON              string        `env:"LOADGEN_JSON" flag:"json" desc:"also write the report as JSON to this file"`
	Metrics           []string      `env:"LOADGEN_METRICS" flag:"metrics" desc:"comma-separated /metrics URLs of the shop's processes (only http://127.0.0.1): adds broker deliveries per checkout and OrderPaid → email"`
	EmailWait         time.Duration `env:"LOADGEN_EMAIL_WAIT" flag:"email-wait" default:"0s" desc:"with -metrics: wait up to this long after the run for the order confirmations (default 2m)"`
}
