package wiring_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/messaging"
)

// The one-process shop runs the notifier's ops alert watcher too: a dead
// /readyz target and a dead letter on its bus make it mail OPS_EMAIL (read
// here from the embedded outbox at /dev/mail.json).
func TestEmbeddedShopSendsOpsAlerts(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"ALERT_READYZ_TARGETS": "inventory=http://127.0.0.1:1/readyz", // nothing listens on port 1
		"ALERT_FAIL_FOR":       "100ms", "ALERT_INTERVAL": "50ms", "OPS_EMAIL": "ops@shop.test", "SEED_DEMO": "false",
		"ADDR":     "127.0.0.1:8080", // loopback only: /dev/mail is open (the test serves on its own port)
		"DATA_DIR": t.TempDir(),      // once the embedded shop keeps its data on disk: not the developer's shop
	}
	in, url := startEmbeddedShop(t, env)
	bus, err := in.Bus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.DeadLetters().Add(context.Background(), messaging.DeadLetter{ID: "dl-1", Handler: "notifier.emails", RedriveTo: "x",
		Reason: "smtp refused", FailedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c := serverShop{gatewayURL: url}.caller(t, "")
	deadline := time.Now().Add(30 * time.Second)
	for {
		var sent []memory.Sent
		if status := c.do(http.MethodGet, "/dev/mail.json", nil, &sent); status != http.StatusOK {
			t.Fatalf("dev mail: %d", status)
		}
		var readyz, deadLetters bool
		for _, m := range sent {
			readyz = readyz || m.To == "ops@shop.test" && strings.Contains(m.Subject+m.Text, "inventory")
			deadLetters = deadLetters || m.To == "ops@shop.test" && strings.HasPrefix(m.Subject, "[ALERT] dead-letters")
		}
		if readyz && deadLetters {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ops alerts: dead target %v, dead letters %v; sent: %+v", readyz, deadLetters, sent)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
