// Package harness runs the shop in server mode as separate processes for
// end-to-end and fault tests: it builds the cmd binaries once per test
// binary, gives every run a private slice of the real servers (a fresh
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
	"testing"
	"time"
)

// Binaries are the commands a cluster runs (plus shopctl, used to rebuild
// projections), by the name of their cmd/ directory.
var Binaries = []string{"gateway", "auth", "client", "catalog", "basket", "ordering", "payment", "checkout", "notifier", "relay", "shopctl"}

// built is the one build of a test binary's run. It is package state on
// purpose: building ten binaries takes long, and every test of the package
// shares the result; Main removes the directory at the end.
var built struct {
	once sync.Once
	dir  string
	err  error
}

// Main runs the tests of a package using the harness and removes the
// binaries built for them afterwards. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	return code
}

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

// Build compiles the binaries once (go build into a temporary directory) and
// returns that directory.
func Build(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		root, err := ModuleRoot()
		if err != nil {
			built.err = err
			return
		}
		dir, err := os.MkdirTemp("", "evshop-e2e-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		pkgs := make([]string, len(Binaries))
		for i, b := range Binaries {
			pkgs[i] = "./cmd/" + b
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build %s: %v\n%s", strings.Join(pkgs, " "), err, out)
		}
	})
	if built.err != nil {
		t.Fatalf("harness: %v", built.err)
	}
	return built.dir
}
