// Package harness runs the shop in server mode as separate processes for
// end-to-end and fault tests: it builds the cmd binaries once per test
// binary (relinking only what changed), gives every run a private slice of the real servers (a fresh
// PostgreSQL database, an AMQP and Redis name prefix, a MongoDB database, the
// SES emulator, stripe-mock), starts gateway, auth, client, catalog, basket,
// ordering, payment, checkout, notifier and relay on free ports, waits for
// their /readyz, can kill -9 and restart any of them, and stops and cleans up
// everything at t.Cleanup, even when the test fails.
//
// The tests using it are skipped by -short only: they belong to `make test`.
package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binaries are the commands a cluster runs, plus shopctl (rebuilds,
// backups) and the one-process shop (the durable-mode tests), by the name of
// their cmd/ directory.
var Binaries = []string{"gateway", "auth", "client", "catalog", "basket", "ordering", "payment", "checkout", "notifier", "relay", "admin", "shopctl", "shop"}

// built is the one build of a test binary's run. It is package state on
// purpose: linking ten binaries takes long, and every test of the package
// shares the result.
var built struct {
	once sync.Once
	dir  string
	err  error
}

// Main runs the tests of a package using the harness. Call it from
// TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
//
// The binaries stay in test-output/e2e-server/bin: go build relinks only
// what changed, which saves minutes per run on a two-core machine.
func Main(m *testing.M) int { return m.Run() }

// ModuleRoot is the directory holding go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("harness: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Build compiles the binaries once per test binary into
// test-output/e2e-server/bin and returns that directory. A file lock keeps
// two test packages from writing the same binaries at once.
func Build(t testing.TB) string {
	t.Helper()
	built.once.Do(func() { built.dir, built.err = build() })
	if built.err != nil {
		t.Fatalf("harness: %v", built.err)
	}
	return built.dir
}

func build() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "test-output", "e2e-server", "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck
	pkgs := make([]string, len(Binaries))
	for i, b := range Binaries {
		pkgs[i] = "./cmd/" + b
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", strings.Join(pkgs, " "), err, out)
	}
	return dir, nil
}
