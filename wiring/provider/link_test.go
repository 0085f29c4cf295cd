package provider_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// SDKs and drivers a binary links only when it runs a service that talks to
// them (package import paths, matched as prefixes).
const (
	stripeSDK = "github.com/stripe/stripe-go/"
	sesSDK    = "github.com/aws/aws-sdk-go-v2/service/sesv2"
	paypal    = "github.com/evshop/shop/payments/paypal"
	mongo     = "go.mongodb.org/mongo-driver/"
	esdb      = "github.com/EventStore/EventStore-Client-Go/"
	sqlite    = "modernc.org/sqlite"
)

// TestBinariesLinkOnlyWhatTheyRun: each binary links the payment providers'
// and the mail provider's SDKs only if it runs the payment service or the
// notifier, and a store's driver only if it runs a service that may open
// that store (wiring/providers/...): MongoDB for the catalog, the client
// profiles (which the notifier reads) and the recommendations (which the
// admin rebuilds); EventStoreDB for every service that reads or appends
// the event store (EVENTSTORE=esdb); SQLite for the durable embedded shop
// and shopctl, which reads its data directory. A service binary that gained
// an SDK would carry, and could be made to use, credentials it has no
// business with; a driver costs megabytes and start-up time.
func TestBinariesLinkOnlyWhatTheyRun(t *testing.T) {
	t.Parallel()
	all := []string{stripeSDK, sesSDK, paypal, mongo, esdb, sqlite}
	allowed := map[string][]string{ // binary → what it may link; every other is refused
		"shop":     all,
		"shopctl":  {mongo, esdb, sqlite},
		"payment":  {stripeSDK, paypal, esdb},
		"notifier": {sesSDK, mongo, esdb},
		"catalog":  {mongo, esdb},
		"client":   {mongo, esdb}, // PROJECTIONS_SOURCE=store reads the event store
		"admin":    {mongo, esdb},
		"basket":   {esdb},
		"checkout": {esdb},
		"ordering": {esdb},
		"relay":    {esdb},
		// auth, gateway, docgen (embedded memory shop), loadgen, benchtable: none
	}
	mains, err := filepath.Glob("../../cmd/*/main.go")
	if err != nil || len(mains) < 10 {
		t.Fatalf("found %d binaries (%v)", len(mains), err)
	}
	for _, m := range mains {
		bin := filepath.Base(filepath.Dir(m))
		t.Run(bin, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("go", "list", "-deps", "./"+filepath.Dir(m))
			cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", bin, err)
			}
			deps := strings.Fields(string(out))
			for _, lib := range all {
				links := slices.ContainsFunc(deps, func(d string) bool { return strings.HasPrefix(d, lib) })
				if links && !slices.Contains(allowed[bin], lib) {
					t.Errorf("cmd/%s links %s, but runs no service that uses it", bin, lib)
				}
				if !links && slices.Contains(allowed[bin], lib) {
					t.Errorf("cmd/%s does not link %s: it runs a service that needs it", bin, lib)
				}
			}
		})
	}
}
