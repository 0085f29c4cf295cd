package deploy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/evshop/shop/e2e/harness"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/testenv"
)

const root = ".." // the module root, from this package's directory

type composeFile struct {
	Services map[string]struct {
		Build struct {
			Args map[string]string `yaml:"args"`
		} `yaml:"build"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Profiles    []string          `yaml:"profiles"`
		DependsOn   map[string]struct {
			Required *bool `yaml:"required"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil { // resolves the <<: *env merges
		t.Fatalf("compose.yaml: %v", err)
	}
	return c
}

// interpolation matches ${NAME}, ${NAME:?error} and ${NAME:-default}; a
// variable with a default is a setting, not a secret, and takes its
// default here as in a plain `docker compose up`.
var interpolation = regexp.MustCompile(`\$\{([A-Z0-9_]+)(:-([^}]*))?[^}]*\}`)

// interpolate resolves v's variables from gen, or their defaults.
func interpolate(v string, gen map[string]string) string {
	return interpolation.ReplaceAllStringFunc(v, func(m string) string {
		sm := interpolation.FindStringSubmatch(m)
		if sm[2] != "" {
			return sm[3]
		}
		return gen[sm[1]]
	})
}

// secrets generates what scripts/compose-env.sh prints, and checks that the
// script prints every variable compose.yaml interpolates.
func secrets(t *testing.T, c composeFile) map[string]string {
	t.Helper()
	script, err := os.ReadFile(filepath.Join(root, "scripts", "compose-env.sh"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := authn.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{"MAIL_LINK_KEY": randomHex(32), "CSRF_KEY": randomHex(32), "AUTH_JWT_KEYS": key.MarshalSeed(),
		"ADMIN_PASSWORD": "compose passphrase " + randomHex(6)}
	for _, s := range c.Services {
		for _, v := range s.Environment {
			for _, m := range interpolation.FindAllStringSubmatch(v, -1) {
				if m[2] != "" {
					continue // a setting with a default
				}
				if !strings.Contains(string(script), `echo "`+m[1]+`=`) {
					t.Errorf("compose.yaml interpolates %s, which scripts/compose-env.sh does not print", m[1])
				}
				if _, ok := out[m[1]]; !ok {
					t.Errorf("compose.yaml interpolates %s, which this test does not generate", m[1])
				}
			}
		}
	}
	return out
}

// compose.yaml deploys what every test covers: the PostgreSQL event store
// by default; EventStoreDB runs only with the esdb profile, which no
// service needs otherwise.
func TestComposeDefaultsToThePostgresEventStore(t *testing.T) {
	t.Parallel()
	c := readCompose(t)
	for name, s := range c.Services {
		if s.Build.Args["SERVICE"] == "" {
			continue
		}
		if got := interpolate(s.Environment["EVENTSTORE"], nil); got != "postgres" {
			t.Errorf("compose service %s: EVENTSTORE defaults to %q, want postgres", name, got)
		}
		if d, ok := s.DependsOn["eventstore"]; ok && (d.Required == nil || *d.Required) {
			t.Errorf("compose service %s requires the eventstore server, which only the esdb profile starts", name)
		}
	}
	if es, ok := c.Services["eventstore"]; !ok || !slices.Equal(es.Profiles, []string{"esdb"}) {
		t.Errorf("the eventstore server must be in the esdb profile only, has %v", es.Profiles)
	}
}

func TestComposeSESPortIsLocalOnly(t *testing.T) {
	t.Parallel()
	for name, s := range readCompose(t).Services {
		for _, p := range s.Ports {
			if name != "gateway" && !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("compose service %s publishes %q beyond this host", name, p)
			}
		}
	}
}

// Every compose service's binary, started with its compose environment
// (server hostnames rewritten to the local servers, service hostnames to
// the other binaries' local ports), becomes ready; so does every binary but
// payment with PAYMENT_GATEWAYS=stripe and no STRIPE_SECRET_KEY.
func TestComposeServicesBecomeReady(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts every service: skipped by -short")
	}
	c := readCompose(t)
	gen := secrets(t, c)

	// Local servers, isolated per run: a fresh database, Mongo database,
	// bus prefix (which also prefixes the Redis keys).
	pgURL := testenv.PostgresURL(t)
	mongoDB := testenv.Mongo(t).Name()
	_, redisPrefix := testenv.Redis(t)
	busPrefix := strings.TrimSuffix(redisPrefix, ":")
	amqpURL, _ := testenv.AMQP(t)
	testenv.DeleteAMQP(t, amqpURL, func() ([]string, []string) { return harness.AMQPNames(t, busPrefix) })
	sesURL := testenv.SES(t)
	servers := map[string]string{
		"POSTGRES_URL": pgURL, "AMQP_URL": amqpURL, "MONGO_URL": testenv.URL(testenv.MongoURLEnv), "MONGO_DB": mongoDB,
		"REDIS_URL": testenv.URL(testenv.RedisURLEnv), "BUS_PREFIX": busPrefix, "AWS_ENDPOINT_URL_SES": sesURL,
	}

	var apps []string
	for name, s := range c.Services {
		if s.Build.Args["SERVICE"] != "" {
			apps = append(apps, name)
		}
	}
	sort.Strings(apps)
	addrs := map[string]string{}
	for _, name := range apps {
		addrs[name] = freeAddr(t)
	}
	bin := harness.Build(t) // the e2e tests' build: one link per binary per run
	for _, name := range apps {
		if !slices.Contains(harness.Binaries, c.Services[name].Build.Args["SERVICE"]) {
			t.Fatalf("compose service %s: e2e/harness does not build cmd/%s", name, c.Services[name].Build.Args["SERVICE"])
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logs := t.TempDir()
	for _, name := range apps {
		env := map[string]string{}
		for k, v := range c.Services[name].Environment {
			env[k] = interpolate(v, gen)
		}
		for k, v := range env {
			env[k] = rewriteHosts(v, addrs)
		}
		for k, v := range servers {
			env[k] = v
		}
		if esdb := os.Getenv("TEST_ESDB_URL"); esdb != "" {
			// An EventStoreDB server given: the compose esdb profile's
			// setting (EVENTSTORE=esdb), the only one that changes.
			env["EVENTSTORE"], env["ESDB_URL"] = "esdb", esdb
		}
		if name != "payment" {
			// Only the payment service reads Stripe's secret: every other
			// binary starts with Stripe offered and no key in its env.
			env["PAYMENT_GATEWAYS"] = "stripe"
			delete(env, "STRIPE_SECRET_KEY")
		}
		env["ADDR"], env["METRICS_ADDR"] = addrs[name], freeAddr(t)
		cmd := exec.CommandContext(ctx, filepath.Join(bin, c.Services[name].Build.Args["SERVICE"]))
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		logFile, err := os.Create(filepath.Join(logs, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 20 * time.Second
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cancel()
			cmd.Wait() //nolint:errcheck // stopped by the test
			logFile.Close()
		})
	}

	client := http.Client{Timeout: 5 * time.Second}
	started := time.Now()
	deadline := started.Add(3 * time.Minute)
	for _, name := range apps {
		for {
			res, err := client.Get("http://" + addrs[name] + "/readyz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					t.Logf("%s ready %s after start", name, time.Since(started).Round(time.Millisecond))
					break
				}
			}
			if time.Now().After(deadline) {
				log, _ := os.ReadFile(filepath.Join(logs, name+".log"))
				t.Fatalf("compose service %s never became ready (last: %v)\n%s", name, err, tail(string(log), 40))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// rewriteHosts points http URLs at another compose service to that
// service's local address.
func rewriteHosts(v string, addrs map[string]string) string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		prefix, raw, ok := strings.Cut(p, "=") // name=url lists (ALERT_*_TARGETS)
		if !ok || strings.Contains(prefix, "/") {
			prefix, raw = "", p
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			continue
		}
		if addr, ok := addrs[u.Hostname()]; ok {
			u.Host = addr
			if prefix != "" {
				parts[i] = prefix + "=" + u.String()
			} else {
				parts[i] = u.String()
			}
		}
	}
	return strings.Join(parts, ",")
}

// freeAddr is a listen address for a service the test starts: below the
// ephemeral range (harness.FreeAddr), since a port 0 one could be taken by a
// client connection before the service binds it (seen: "address already in
// use").
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := harness.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck
	return hex.EncodeToString(b)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return fmt.Sprintf("… %s", strings.Join(lines, "\n"))
}
