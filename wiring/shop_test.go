package wiring_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/wiring"
)

// The one-process shop runs the notifier's ops alert watcher too: a dead
// /readyz target makes it mail OPS_EMAIL (read here from the embedded
// outbox at /dev/mail.json).
func TestEmbeddedShopSendsOpsAlerts(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"ALERT_READYZ_TARGETS": "inventory=http://127.0.0.1:1/readyz", // nothing listens on port 1
		"ALERT_FAIL_FOR":       "100ms", "ALERT_INTERVAL": "50ms", "OPS_EMAIL": "ops@shop.test", "SEED_DEMO": "false",
		"DATA_DIR": t.TempDir(),
	}
	s, err := wiring.LoadShop(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	in := wiring.NewInfra(&s.Common, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	app, err := in.Shop(ctx, s)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, nil) }()
	t.Cleanup(func() {
		cancel()
		<-done
		in.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := app.Test(httptest.NewRequest("GET", "/dev/mail.json", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		var sent []memory.Sent
		err = json.NewDecoder(res.Body).Decode(&sent)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sent {
			if m.To == "ops@shop.test" && strings.Contains(m.Subject+m.Text, "inventory") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ops alert about the dead target; sent: %+v", sent)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
