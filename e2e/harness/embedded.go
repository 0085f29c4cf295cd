package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Embedded is the one-process shop (cmd/shop, SHOP_MODE=embedded) running as
// a separate process on a data directory of its own, for the durable-mode
// tests: it can be killed with SIGKILL and started again on the same
// directory and address.
type Embedded struct {
	URL           string // http://127.0.0.1:port
	DataDir       string
	AdminEmail    string
	AdminPassword string

	t    testing.TB
	bin  string
	addr string
	env  []string
	log  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// EmbeddedOptions tune an embedded shop.
type EmbeddedOptions struct {
	// DataDir is the data directory; empty: a fresh temporary one.
	DataDir string
	// Env adds or overrides settings (NAME=value).
	Env []string
	// Host is the host the shop listens on (ADDR), e.g. 0.0.0.0 for every
	// interface; empty: 127.0.0.1. URL stays on 127.0.0.1 and the same port.
	Host string
}

// StartEmbedded builds cmd/shop (once per test binary) and starts it on its
// own address, metrics address and data directory, with a known bootstrap
// admin and a rate limit high enough for a load test. It is stopped at
// t.Cleanup.
func StartEmbedded(t testing.TB, opts EmbeddedOptions) *Embedded {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test of the embedded shop: skipped by -short")
	}
	e := &Embedded{t: t, bin: filepath.Join(Build(t), "shop"), DataDir: opts.DataDir,
		AdminEmail: "admin@example.com", AdminPassword: "e2e admin password " + randomHex(4)}
	if e.DataDir == "" {
		e.DataDir = t.TempDir()
	}
	var err error
	if e.addr, err = freeAddr(); err != nil {
		t.Fatal(err)
	}
	metrics, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	e.URL = "http://" + e.addr
	e.log = filepath.Join(t.TempDir(), "shop.log")
	listen := e.addr
	if opts.Host != "" {
		_, port, _ := net.SplitHostPort(e.addr)
		listen = net.JoinHostPort(opts.Host, port)
	}
	e.env = append(EmbeddedEnv(e.DataDir, listen, metrics),
		"AUTH_BOOTSTRAP_ADMIN_EMAIL="+e.AdminEmail, "AUTH_BOOTSTRAP_ADMIN_PASSWORD="+e.AdminPassword)
	e.env = append(e.env, opts.Env...)
	t.Cleanup(e.Stop)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}

// EmbeddedEnv is the environment of an embedded shop on dir listening on
// addr: the caller's environment without the shop's own settings (a
// developer's DATA_DIR or STORAGE must not leak in), then the test's.
func EmbeddedEnv(dir, addr, metricsAddr string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DATA_DIR", "STORAGE", "EVENTSTORE", "SHOP_MODE", "ADDR", "METRICS_ADDR", "XDG_DATA_HOME",
			"AUTH_BOOTSTRAP_ADMIN_EMAIL", "AUTH_BOOTSTRAP_ADMIN_PASSWORD", "RATE_LIMIT", "LOG_LEVEL":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "DATA_DIR="+dir, "ADDR="+addr, "METRICS_ADDR="+metricsAddr, "RATE_LIMIT=1000000", "LOG_LEVEL=info")
}

// Start starts the shop (again) and waits for its /readyz.
func (e *Embedded) Start(ctx context.Context) error {
	f, err := os.OpenFile(e.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "\n===== harness: starting the shop on %s at %s =====\n", e.addr, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(e.bin)
	cmd.Env = e.env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start shop: %w", err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait() //nolint:errcheck
		f.Close()
		close(done)
	}()
	e.mu.Lock()
	e.cmd, e.done = cmd, done
	e.mu.Unlock()
	if err := waitReady(ctx, e.URL+"/readyz", done, 60*time.Second); err != nil {
		return fmt.Errorf("shop not ready: %w\n%s", err, tail(e.log, 30))
	}
	return nil
}

// Kill stops the shop with SIGKILL and waits until it is gone.
func (e *Embedded) Kill() {
	e.mu.Lock()
	cmd, done := e.cmd, e.done
	e.mu.Unlock()
	if cmd == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck
	<-done
}

// Stop stops the shop gracefully (SIGTERM, then SIGKILL after 15s); the
// log is shown when the test failed.
func (e *Embedded) Stop() {
	e.mu.Lock()
	cmd, done := e.cmd, e.done
	e.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-done:
	default:
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) //nolint:errcheck
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck
			<-done
		}
	}
	if e.t.Failed() {
		e.t.Logf("shop log (last lines):\n%s", tail(e.log, 60))
	}
}

// Log returns the last n lines the shop wrote.
func (e *Embedded) Log(n int) string { return tail(e.log, n) }

// NewBrowser returns a shopper on the shop.
func (e *Embedded) NewBrowser() (*Browser, error) { return NewBrowser(e.URL, "") }

// Mailbox reads the shop's durable outbox (/dev/mail.json).
func (e *Embedded) Mailbox() *Mailbox { return NewDevMailbox(e.URL) }

// RunShop runs the shop binary with env until it exits (at most timeout),
// for start-up failures: it returns what it wrote and its exit error; a
// shop still running at the timeout is killed and reported as such.
func RunShop(t *testing.T, env []string, timeout time.Duration) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(Build(t), "shop"))
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), errors.New("the shop did not exit: it started")
	}
	return string(out), err
}
