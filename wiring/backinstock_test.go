package wiring_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// TestEmbeddedShopBackInStock goes through the one-process shop's HTTP API:
// a signed-in user (the bootstrap admin, whose address the shop knows) asks
// about a sold-out product, restocks it, and the notifier mails them exactly
// once and ends the request.
func TestEmbeddedShopBackInStock(t *testing.T) {
	t.Parallel()
	const email, password = "admin@bis.test", "back-in-stock admin passphrase"
	env := map[string]string{"AUTH_BOOTSTRAP_ADMIN_EMAIL": email, "AUTH_BOOTSTRAP_ADMIN_PASSWORD": password,
		"OPS_EMAIL": "", "METRICS_ADDR": "", "RATE_LIMIT": "100000",
		"DATA_DIR": t.TempDir()} // once the embedded shop keeps its data on disk: not the developer's shop
	_, url := startEmbeddedShop(t, env)
	c := serverShop{gatewayURL: url}.caller(t, "")
	if status := c.login(email, password); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	const path = "/api/notifications/back-in-stock/OUT-001"
	var state struct{ Subscribed bool }
	steps := []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "/api/catalog/products/OUT-001/stock", map[string]any{"delta": -12, "reason": "correction", "note": "sold out"}},
		{http.MethodPost, path, nil},
		{http.MethodPost, path, nil}, // idempotent
		{http.MethodPost, "/api/catalog/products/OUT-001/stock", map[string]any{"delta": 3, "reason": "received", "note": "delivery"}},
	}
	for _, st := range steps {
		state.Subscribed = false
		if status := c.do(st.method, st.path, st.body, &state); status != http.StatusOK {
			t.Fatalf("%s %s: %d", st.method, st.path, status)
		}
		if st.path == path && !state.Subscribed {
			t.Fatalf("POST %s did not subscribe", path)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var sent []memory.Sent
		if status := c.do(http.MethodGet, "/dev/mail.json", nil, &sent); status != http.StatusOK {
			t.Fatalf("dev mail: %d", status)
		}
		n := 0
		for _, m := range sent {
			if m.To == email && strings.Contains(m.Subject, "is back in stock") {
				n++
			}
		}
		if n > 1 {
			t.Fatalf("%d back-in-stock mails, want 1", n)
		}
		if n == 1 && c.do(http.MethodGet, path, nil, &state) == http.StatusOK && !state.Subscribed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("back-in-stock mails: %d (subscribed still %v); sent: %+v", n, state.Subscribed, sent)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startEmbeddedShop runs the one-process shop with env until the test ends,
// served on a loopback port, and returns it with its base URL.
func startEmbeddedShop(t *testing.T, env map[string]string) (*wiring.Infra, string) {
	t.Helper()
	s, err := wiring.LoadShop(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	in := wiring.NewInfra(&s.Common, log)
	shopproviders.Set(&in.Providers) // as cmd/shop
	ctx, cancel := context.WithCancel(context.Background())
	app, err := in.Shop(ctx, s)
	if err == nil {
		var ln net.Listener
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err == nil {
			ran, served := make(chan struct{}), make(chan struct{})
			go func() { defer close(ran); _ = in.Run(ctx, nil) }()
			go func() { defer close(served); _ = service.Serve(ctx, app, ln, log) }()
			t.Cleanup(func() {
				cancel()
				<-ran
				<-served
				in.Close()
			})
			return in, "http://" + ln.Addr().String()
		}
	}
	cancel()
	in.Close()
	t.Fatal(err)
	return nil, ""
}
