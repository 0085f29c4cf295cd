package provider_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// SDKs a binary links only when it runs the service that talks to them.
const (
	stripeSDK = "github.com/stripe/stripe-go/"
	sesSDK    = "github.com/aws/aws-sdk-go-v2/service/sesv2"
	paypal    = "github.com/evshop/shop/payments/paypal"
)

// TestBinariesLinkOnlyWhatTheyRun: each binary links the payment providers'
// and the mail provider's SDKs only if it runs the payment service or the
// notifier (wiring/providers/...). A service binary that gained one would
// carry, and could be made to use, credentials it has no business with.
func TestBinariesLinkOnlyWhatTheyRun(t *testing.T) {
	t.Parallel()
	allowed := map[string][]string{ // binary → SDKs it may link; every other is refused
		"shop":     {stripeSDK, sesSDK, paypal},
		"payment":  {stripeSDK, paypal},
		"notifier": {sesSDK},
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
			for _, sdk := range []string{stripeSDK, sesSDK, paypal} {
				links := slices.ContainsFunc(deps, func(d string) bool { return strings.HasPrefix(d, sdk) })
				if links && !slices.Contains(allowed[bin], sdk) {
					t.Errorf("cmd/%s links %s, which only the payment service or the notifier may", bin, sdk)
				}
				if !links && slices.Contains(allowed[bin], sdk) {
					t.Errorf("cmd/%s does not link %s: it runs the service that needs it", bin, sdk)
				}
			}
		})
	}
}
