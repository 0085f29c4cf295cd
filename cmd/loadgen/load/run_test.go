package load_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/cmd/loadgen/load"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// embeddedShop starts the whole embedded shop (memory adapters, Go-channel
// bus) in this process on a free 127.0.0.1 port and returns its URL.
func embeddedShop(t *testing.T, env map[string]string) string {
	t.Helper()
	if _, ok := env["DATA_DIR"]; !ok {
		env["DATA_DIR"] = t.TempDir()
	}
	s, err := wiring.LoadShop(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	in := wiring.NewInfra(&s.Common, log)
	shopproviders.Set(&in.Providers) // as cmd/shop
	app, err := in.Shop(ctx, s)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{}, 2)
	go func() { in.Run(ctx, nil); done <- struct{}{} }()                 //nolint:errcheck // the bus and relays; errors show as failed checkouts
	go func() { service.Serve(ctx, app, ln, log); done <- struct{}{} }() //nolint:errcheck
	t.Cleanup(func() {
		cancel()
		<-done
		<-done
		in.Close()
	})
	base := "http://" + ln.Addr().String()
	for i := 0; ; i++ {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		if i == 100 {
			t.Fatalf("the embedded shop is not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRunAgainstEmbeddedShop drives a small bounded load through the real
// gateway and services and checks every order is counted Paid.
func TestRunAgainstEmbeddedShop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole embedded shop")
	}
	const adminPassword = "load-test-admin-password"
	base := embeddedShop(t, map[string]string{
		"RATE_LIMIT": "1000000", "SEED_DEMO": "true", "WEB_DIR": "",
		"AUTH_BOOTSTRAP_ADMIN_EMAIL": "admin@example.com", "AUTH_BOOTSTRAP_ADMIN_PASSWORD": adminPassword,
		"AUTH_HASH_CONCURRENCY": "2",
		// Opt in explicitly (also the embedded default): the generator's
		// X-Forwarded-For comes from loopback and must be believed.
		"TRUSTED_PROXIES": "127.0.0.1/32",
	})
	cases := []struct {
		name      string
		cfg       load.Config
		wantPaid  int
		wantStock string
	}{
		{
			name: "restocked by the admin, one line",
			cfg: load.Config{Customers: 3, OrdersPerCustomer: 2, Concurrency: 2, Lines: 1, SKUs: []string{"KIT-001"},
				AdminEmail: "admin@example.com", AdminPassword: adminPassword, ClientIPs: netip.MustParsePrefix("198.18.0.0/24")},
			wantPaid: 6, wantStock: "topped up",
		},
		{
			name:     "catalog-chosen products, two lines, stock only checked, orders polled",
			cfg:      load.Config{Customers: 2, OrdersPerCustomer: 2, Concurrency: 2, ClientIPs: netip.MustParsePrefix("198.18.1.0/24"), Follow: load.FollowPoll},
			wantPaid: 4, wantStock: "enough stock",
		},
		{
			// Issue 16 item 8: eight customers at once, each reading every
			// basket write back and its order right after checkout.
			name: "customers read their own writes",
			cfg: load.Config{Customers: 8, OrdersPerCustomer: 3, Concurrency: 8, Lines: 2, SKUs: []string{"KIT-001", "KIT-002"}, CheckReads: true,
				AdminEmail: "admin@example.com", AdminPassword: adminPassword, ClientIPs: netip.MustParsePrefix("198.18.3.0/24")},
			wantPaid: 24, wantStock: "topped up",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.URL = base
			rep, err := load.Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("run: %v (report %+v)", err, rep)
			}
			if rep.Paid != c.wantPaid || rep.Placed != c.wantPaid || len(rep.Errors) != 0 {
				t.Fatalf("placed %d, paid %d, errors %+v; want %d paid and no error", rep.Placed, rep.Paid, rep.Errors, c.wantPaid)
			}
			if rep.PlaceOrder.N != c.wantPaid || rep.ToPaid.N != c.wantPaid || rep.PlaceOrder.P99 <= 0 || rep.ToPaid.P50 < rep.PlaceOrder.P50 {
				t.Fatalf("latency summaries inconsistent: place %+v, to paid %+v", rep.PlaceOrder, rep.ToPaid)
			}
			// Followed by held reads, an order costs a read per change it
			// goes through on its way to Paid (Placed → Paid: one or two).
			if cfg.Follow != load.FollowPoll && rep.OrderPolls > 2*c.wantPaid {
				t.Fatalf("%d order reads for %d orders followed with Prefer: wait", rep.OrderPolls, c.wantPaid)
			}
			if c.cfg.CheckReads {
				if err := ownWritesSeen(rep, c.wantPaid); err != nil {
					t.Fatal(err)
				}
			} else if rep.Reads != nil {
				t.Fatalf("read checks reported without CheckReads: %+v", rep.Reads)
			}
			if !strings.Contains(rep.Stock, c.wantStock) {
				t.Fatalf("stock note %q, want it to say %q", rep.Stock, c.wantStock)
			}
			var text strings.Builder
			if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "place order") {
				t.Fatalf("text report: %v\n%s", err, text.String())
			}
		})
	}
	t.Run("a wrong admin password stops the run before any load", func(t *testing.T) {
		rep, err := load.Run(context.Background(), load.Config{URL: base, Customers: 1, OrdersPerCustomer: 1, Concurrency: 1,
			AdminEmail: "admin@example.com", AdminPassword: "not-the-password", ClientIPs: netip.MustParsePrefix("198.18.2.0/24")})
		if err == nil || !strings.Contains(err.Error(), "admin sign-in: HTTP 401") || rep != nil {
			t.Fatalf("err %v, report %+v; want the 401 of the admin sign-in and no report", err, rep)
		}
	})
}

// ownWritesSeen checks a CheckReads report of orders checkouts: every basket
// write was read back as written, no write was refused for a stale ETag and
// every order was found right after its checkout.
func ownWritesSeen(rep *load.Report, orders int) error {
	r := rep.Reads
	switch {
	case r == nil:
		return errors.New("no read checks in the report")
	case r.BasketReads != orders*rep.Lines || r.OrderReads != orders:
		return fmt.Errorf("%d basket reads and %d order reads, want %d and %d", r.BasketReads, r.OrderReads, orders*rep.Lines, orders)
	case r.Stale != 0 || r.PreconditionFailed != 0 || r.OrderNotFound != 0:
		return fmt.Errorf("%d stale basket reads, %d writes refused 412, %d orders not found after checkout; errors %+v", r.Stale, r.PreconditionFailed, r.OrderNotFound, rep.Errors)
	}
	return nil
}

// TestRunRefusals: a refused target or a bad configuration never sends a
// request.
func TestRunRefusals(t *testing.T) {
	t.Parallel()
	_, err := load.Run(context.Background(), load.Config{URL: "http://192.0.2.1:8080", Customers: 1, OrdersPerCustomer: 1, Concurrency: 1})
	if !errors.Is(err, load.ErrTarget) {
		t.Fatalf("remote target: err %v, want ErrTarget", err)
	}
	_, err = load.Run(context.Background(), load.Config{URL: "http://127.0.0.1:8080", Customers: 0, OrdersPerCustomer: 1, Concurrency: 1})
	if err == nil || !strings.Contains(err.Error(), "customers=0") {
		t.Fatalf("zero customers: err %v", err)
	}
}
