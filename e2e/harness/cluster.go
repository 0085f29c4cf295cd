package harness

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/testenv"
)

// Services are the processes of a cluster in start order: what others need
// at start-up comes first (auth serves the JWKS, catalog seeds the demo
// products the basket looks up), the gateway last. Starting one at a time
// also keeps their schema migrations from racing on a fresh database.
var Services = []string{"auth", "catalog", "client", "ordering", "payment", "basket", "checkout", "notifier", "relay", "gateway"}

// Options tune a cluster.
type Options struct {
	// PaymentGateway is sandbox (default) or stripe (against stripe-mock):
	// the one method the shop offers (PAYMENT_GATEWAYS).
	PaymentGateway string
	// PaymentDeadline is the checkout saga's authorization deadline (0: the
	// shop's default).
	PaymentDeadline time.Duration
	// Env adds or overrides variables of every process; ServiceEnv those
	// of one (e.g. {"catalog": {"LOG_LEVEL": "debug"}}).
	Env        map[string]string
	ServiceEnv map[string]map[string]string
	// ReadyTimeout bounds the wait for one process's /readyz (default 90s).
	ReadyTimeout time.Duration
	// Replicas runs more than one process of a service (e.g. {"ordering":
	// 2}): the second is named "ordering-2", on its own address, in the
	// same consumer groups and behind the same lease as the first. A second
	// gateway proxies to the second replicas where they exist (as a
	// load balancer would spread requests); NewBrowserOn picks a gateway.
	Replicas map[string]int
}

// Cluster is a running server-mode shop.
type Cluster struct {
	t      testing.TB
	bin    string
	logDir string
	opts   Options

	// GatewayURL is the public entry (http://127.0.0.1:port).
	GatewayURL string
	// Servers and names the cluster uses; BusPrefix also prefixes every
	// Redis key.
	PostgresURL, AMQPURL, BusPrefix, RedisURL, MongoURL, MongoDB, SESURL, StripeURL string
	// Secrets generated for this run.
	JWTKeys, MailLinkKey, CSRFKey, StripeWebhookSecret string
	// AdminEmail and AdminPassword sign in the bootstrap admin.
	AdminEmail, AdminPassword string

	mu    sync.Mutex
	procs map[string]*proc
	order []string // instance names in start order
}

type proc struct {
	name    string
	service string // the binary: "ordering" for "ordering-2"
	addr    string
	metrics string // its METRICS_ADDR
	env     []string
	cmd     *exec.Cmd
	done    chan struct{}
	log     *os.File
	wanted  bool // false once the test killed or stopped it on purpose
	crashed error
}

// Start brings up a cluster for t and registers its teardown. It skips (or
// fails under CI=true) when a server is missing. The servers FerretDB, the
// SES emulator and stripe-mock are started by scripts/test.sh
// (scripts/ferretdb.sh, ses-emulator.sh, stripe-mock.sh).
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("server-mode end-to-end test: skipped by -short")
	}
	if opts.PaymentGateway == "" {
		opts.PaymentGateway = "sandbox"
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 90 * time.Second
	}
	c := &Cluster{t: t, opts: opts, procs: map[string]*proc{}}
	// Resources first: their cleanups run after the processes are gone
	// (t.Cleanup is last in, first out).
	c.PostgresURL = testenv.PostgresURL(t)
	mongo := testenv.Mongo(t)
	c.MongoURL, c.MongoDB = testenv.URL(testenv.MongoURLEnv), mongo.Name()
	_, redisPrefix := testenv.Redis(t) // deletes every key under the prefix at cleanup
	c.RedisURL = testenv.URL(testenv.RedisURLEnv)
	c.BusPrefix = strings.TrimSuffix(redisPrefix, ":")
	c.AMQPURL, _ = testenv.AMQP(t)
	testenv.DeleteAMQP(t, c.AMQPURL, func() ([]string, []string) { return AMQPNames(t, c.BusPrefix) })
	c.SESURL = testenv.SES(t)
	c.StripeURL = strings.TrimRight(testenv.Require(t, testenv.StripeURLEnv), "/")

	c.bin = Build(t)
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	c.logDir = filepath.Join(root, "test-output", "e2e-server", sanitize(t.Name()))
	os.RemoveAll(c.logDir)
	if err := os.MkdirAll(c.logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	key, err := authn.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	c.JWTKeys, c.MailLinkKey, c.CSRFKey = key.MarshalSeed(), randomHex(32), randomHex(32)
	c.StripeWebhookSecret = "whsec_" + randomHex(16)
	c.AdminEmail, c.AdminPassword = testenv.SESRecipient("admin"), "admin passphrase "+randomHex(6)

	for _, svc := range Services {
		for i := range max(1, opts.Replicas[svc]) {
			name := svc
			if i > 0 {
				name = fmt.Sprintf("%s-%d", svc, i+1)
			}
			addr, err := freeAddr()
			if err != nil {
				t.Fatal(err)
			}
			metrics, err := freeAddr()
			if err != nil {
				t.Fatal(err)
			}
			c.procs[name] = &proc{name: name, service: svc, addr: addr, metrics: metrics}
			c.order = append(c.order, name)
		}
	}
	c.GatewayURL = "http://" + c.procs["gateway"].addr
	for _, name := range c.order {
		c.procs[name].env = c.environment(name)
	}
	t.Cleanup(c.stopAll)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(len(c.order))*opts.ReadyTimeout)
	defer cancel()
	for _, name := range c.order {
		if err := c.start(ctx, name); err != nil {
			t.Fatalf("harness: %v", err)
		}
	}
	t.Logf("harness: shop running at %s (logs in %s)", c.GatewayURL, c.logDir)
	return c
}

// Instances are the names of the cluster's processes in start order
// ("ordering", "ordering-2", ...).
func (c *Cluster) Instances() []string { return slices.Clone(c.order) }

// URL is the base URL of one service.
func (c *Cluster) URL(name string) string { return "http://" + c.proc(name).addr }

// LogDir holds <service>.log of every process.
func (c *Cluster) LogDir() string { return c.logDir }

// BinDir holds the built binaries (shopctl for projection rebuilds).
func (c *Cluster) BinDir() string { return c.bin }

// Kill sends SIGKILL to the service (kill -9: no graceful stop) and waits
// until it is gone.
func (c *Cluster) Kill(name string) {
	c.t.Helper()
	p := c.proc(name)
	c.mu.Lock()
	p.wanted = false
	c.mu.Unlock()
	if p.cmd != nil && p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck
		<-p.done
	}
	fmt.Fprintf(p.log, "\n===== harness: killed with SIGKILL at %s =====\n", time.Now().Format(time.RFC3339Nano))
}

// Stop stops the service gracefully (SIGTERM, SIGKILL after 15 s).
func (c *Cluster) Stop(name string) {
	c.t.Helper()
	p := c.proc(name)
	c.mu.Lock()
	p.wanted = false
	c.mu.Unlock()
	terminate(p, 15*time.Second)
	fmt.Fprintf(p.log, "\n===== harness: stopped at %s =====\n", time.Now().Format(time.RFC3339Nano))
}

// Restart starts a stopped or killed service again on the same address and
// waits for its /readyz.
func (c *Cluster) Restart(ctx context.Context, name string) error {
	p := c.proc(name)
	select {
	case <-p.done:
	default:
		return fmt.Errorf("harness: %s is still running", name)
	}
	return c.start(ctx, name)
}

// CheckAlive fails the test for every process that died without being asked
// to, with the end of its log.
func (c *Cluster) CheckAlive() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range c.order {
		p := c.procs[name]
		if p.crashed != nil {
			c.t.Errorf("harness: %s exited on its own: %v\n%s", name, p.crashed, tail(filepath.Join(c.logDir, name+".log"), 30))
		}
	}
}

func (c *Cluster) proc(name string) *proc {
	p, ok := c.procs[name]
	if !ok {
		c.t.Fatalf("harness: unknown service %q", name)
	}
	return p
}

func (c *Cluster) environment(name string) []string {
	auth := "http://" + c.procs["auth"].addr
	self := c.procs[name]
	// peer is the instance of svc this process talks to over HTTP: the
	// replica with the same number where there is one.
	peer := func(svc string) string {
		if _, n, ok := strings.Cut(name, "-"); ok {
			if p, ok := c.procs[svc+"-"+n]; ok {
				return "http://" + p.addr
			}
		}
		return "http://" + c.procs[svc].addr
	}
	env := map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "TMPDIR": os.TempDir(),
		"SHOP_MODE": "server", "ADDR": self.addr, "LOG_FORMAT": "json", "LOG_LEVEL": "info",
		"POSTGRES_URL": c.PostgresURL, "EVENTSTORE": "postgres", "BUS": "amqp", "AMQP_URL": c.AMQPURL, "BUS_PREFIX": c.BusPrefix,
		"REDIS_URL": c.RedisURL, "MONGO_URL": c.MongoURL, "MONGO_DB": c.MongoDB,
		"MAIL_LINK_KEY": c.MailLinkKey, "JWKS_URL": auth + "/api/auth/.well-known/jwks.json",
		"PUBLIC_URL": c.GatewayURL, "WEB_DIR": filepath.Join(c.logDir, "no-storefront"), "SEED_DEMO": "true",
		"RATE_LIMIT": "1000000", "PAYMENT_GATEWAYS": c.opts.PaymentGateway,
		// The cluster speaks plain HTTP on loopback (Go's cookie jar drops
		// Secure cookies there), and processes on one host cannot share
		// the default metrics port.
		"COOKIE_SECURE": "false", "METRICS_ADDR": self.metrics,
		"AWS_ENDPOINT_URL_SES": c.SESURL, "SES_FROM": "shop@test.evshop.example",
		// Opt in: every process runs on loopback, so the auth service must
		// believe the gateway's X-Forwarded-For to limit each browser (each
		// with its own 127.x source address) on its own.
		"TRUSTED_PROXIES": "127.0.0.0/8,::1/128",
	}
	if c.opts.PaymentGateway == "stripe" {
		env["STRIPE_SECRET_KEY"] = "sk_test_123"
		env["STRIPE_PUBLISHABLE_KEY"] = "pk_test_123"
		env["STRIPE_WEBHOOK_SECRET"] = c.StripeWebhookSecret
		env["STRIPE_URL"] = c.StripeURL
	}
	if c.opts.PaymentDeadline > 0 {
		env["PAYMENT_DEADLINE"] = c.opts.PaymentDeadline.String()
	}
	switch self.service {
	case "auth":
		env["AUTH_JWT_KEYS"] = c.JWTKeys
		env["AUTH_BOOTSTRAP_ADMIN_EMAIL"], env["AUTH_BOOTSTRAP_ADMIN_PASSWORD"] = c.AdminEmail, c.AdminPassword
	case "basket":
		env["CATALOG_URL"] = peer("catalog")
	case "gateway":
		env["CSRF_KEY"] = c.CSRFKey
		up := map[string]string{"AUTH": "auth", "CLIENTS": "client", "CATALOG": "catalog", "BASKET": "basket",
			"ORDERS": "ordering", "PAYMENTS": "payment", "NOTIFICATIONS": "notifier",
			// Nothing serves /api/admin/projections and /deadletters in
			// server mode yet (wiring.Admin has no routes); ordering
			// answers them with 404.
			"ADMIN": "ordering"}
		for k, svc := range up {
			env["UPSTREAM_"+k] = peer(svc)
		}
	}
	for k, v := range c.opts.Env {
		env[k] = v
	}
	for k, v := range c.opts.ServiceEnv[self.service] {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func (c *Cluster) start(ctx context.Context, name string) error {
	p := c.procs[name]
	if p.log == nil {
		f, err := os.OpenFile(filepath.Join(c.logDir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		p.log = f
	}
	fmt.Fprintf(p.log, "\n===== harness: starting %s on %s at %s =====\n", name, p.addr, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(filepath.Join(c.bin, p.service))
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = p.log, p.log
	// Its own process group: kill -9 reaches everything it started, and a
	// ^C on the test does not hit it before the cleanup does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	done := make(chan struct{})
	c.mu.Lock()
	p.cmd, p.done, p.wanted, p.crashed = cmd, done, true, nil
	c.mu.Unlock()
	go func() {
		err := cmd.Wait()
		c.mu.Lock()
		if p.wanted && p.cmd == cmd {
			if err == nil {
				err = errors.New("exit status 0")
			}
			p.crashed = err
		}
		c.mu.Unlock()
		close(done)
	}()
	if err := waitReady(ctx, "http://"+p.addr+"/readyz", done, c.opts.ReadyTimeout); err != nil {
		return fmt.Errorf("%s not ready: %w\n%s", name, err, tail(filepath.Join(c.logDir, name+".log"), 30))
	}
	return nil
}

func waitReady(ctx context.Context, url string, exited <-chan struct{}, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	last := "no answer"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-exited:
			return errors.New("the process exited")
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %s)", ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stopAll stops every process gracefully, in parallel, and reports those
// that died on their own.
func (c *Cluster) stopAll() {
	c.CheckAlive()
	if c.t.Failed() {
		c.diagnose()
	}
	var wg sync.WaitGroup
	for _, p := range c.procs {
		c.mu.Lock()
		p.wanted = false
		c.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			terminate(p, 10*time.Second)
		}()
	}
	wg.Wait()
	for _, p := range c.procs {
		if p.log != nil {
			p.log.Close()
		}
	}
}

func terminate(p *proc, grace time.Duration) {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM) //nolint:errcheck
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck
		<-p.done
	}
}

// diagnose writes what a failed run leaves behind, before the database and
// the queues are deleted: queue depths and consumers, the relay checkpoints
// against the event store's head, and event counts per type.
func (c *Cluster) diagnose() {
	path := filepath.Join(c.logDir, "diagnostics.txt")
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fmt.Fprintf(f, "== queues of %s (name, ready, unacked, consumers)\n", c.BusPrefix)
	if out, err := exec.CommandContext(ctx, "rabbitmqctl", "-q", "list_queues", "name", "messages_ready", "messages_unacknowledged", "consumers").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, c.BusPrefix+".") {
				fmt.Fprintln(f, line)
			}
		}
	} else {
		fmt.Fprintln(f, "rabbitmqctl:", err)
	}
	for _, q := range []string{
		`SELECT 'head', coalesce(max(position), 0)::text FROM events`,
		`SELECT name, position::text || ' at ' || updated_at::text FROM relay_checkpoints`,
		`SELECT type, count(*)::text FROM events GROUP BY type ORDER BY type`,
	} {
		out, err := exec.CommandContext(ctx, "psql", "-At", "-F", "\t", c.PostgresURL, "-c", q).CombinedOutput()
		fmt.Fprintf(f, "== %s\n%s", q, out)
		if err != nil {
			fmt.Fprintln(f, err)
		}
	}
	c.t.Logf("harness: diagnostics in %s", path)
}

// AMQPNames lists the queues and exchanges named under prefix (rabbitmqctl
// on this machine; nothing when it is not there), for cleaning up a run's
// topology (testenv.DeleteAMQP).
func AMQPNames(t testing.TB, prefix string) (queues, exchanges []string) {
	list := func(what string) []string {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "rabbitmqctl", "-q", what, "name").Output()
		if err != nil {
			t.Logf("harness: rabbitmqctl %s: %v", what, err)
			return nil
		}
		var names []string
		for _, line := range strings.Split(string(out), "\n") {
			if n := strings.TrimSpace(line); strings.HasPrefix(n, prefix+".") {
				names = append(names, n)
			}
		}
		return names
	}
	return list("list_queues"), list("list_exchanges")
}

// FreeAddr is a loopback listen address for a process a test starts: a port
// below the ephemeral range, never handed out twice in this test binary.
func FreeAddr() (string, error) { return freeAddr() }

func freeAddr() (string, error) {
	// Not port 0: the kernel hands those out of the ephemeral range, where
	// the cluster's own client connections (to PostgreSQL, RabbitMQ, …)
	// take ports too, so one could be gone by the time a process binds it
	// (seen: a gateway replica failing with "address already in use").
	// Ports below the ephemeral range, never handed out twice by this
	// process, are only ever taken by another listener.
	allocMu.Lock()
	defer allocMu.Unlock()
	for range 1000 {
		port := lowPorts.lo + allocRand.IntN(lowPorts.hi-lowPorts.lo)
		if allocated[port] {
			continue
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		allocated[port] = true
		return l.Addr().String(), nil
	}
	return "", errors.New("harness: no free port below the ephemeral range")
}

// lowPorts is where freeAddr picks listen ports: below Linux's default
// ephemeral range (32768–60999) and above the well-known services.
var (
	lowPorts  = struct{ lo, hi int }{20000, 32000}
	allocMu   sync.Mutex
	allocated = map[int]bool{}
	allocRand = mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid())))
)

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck
	return hex.EncodeToString(b)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitize(name string) string { return unsafeName.ReplaceAllString(name, "_") }

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// Metric reads one sample of an instance's /metrics, by its exact series
// name with labels (e.g. `relay_leader{relay="events"}`); ok is false when
// the instance does not expose it.
func (c *Cluster) Metric(ctx context.Context, name, series string) (value float64, ok bool, err error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.proc(name).metrics+"/metrics", nil)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body) //nolint:errcheck
	for _, line := range strings.Split(body.String(), "\n") {
		if rest, found := strings.CutPrefix(line, series+" "); found {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil, err
		}
	}
	return 0, false, nil
}

// RelayLeaders lists the running relay instances that hold the lease of the
// events relay (one, when leadership works).
func (c *Cluster) RelayLeaders(ctx context.Context) []string {
	var out []string
	for _, name := range c.order {
		p := c.procs[name]
		if p.service != "relay" {
			continue
		}
		select {
		case <-p.done:
			continue // stopped or killed
		default:
		}
		if v, ok, _ := c.Metric(ctx, name, `relay_leader{relay="events"}`); ok && v == 1 {
			out = append(out, name)
		}
	}
	return out
}

// PID is the process id of an instance (0 when it is not running).
func (c *Cluster) PID(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.procs[name]
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// MetricsURL is where an instance serves /metrics.
func (c *Cluster) MetricsURL(name string) string {
	return "http://" + c.proc(name).metrics + "/metrics"
}

// Port is the TCP port of a service.
func (c *Cluster) Port(name string) int {
	_, port, _ := net.SplitHostPort(c.proc(name).addr)
	n, _ := strconv.Atoi(port)
	return n
}
