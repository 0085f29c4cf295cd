package wiring_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/testenv"
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

// A small shop on one box sends real mail: with MAIL_SENDER=ses the durable
// embedded shop mails through SES (the emulator here) and has no /dev/mail.
func TestEmbeddedShopSendsMailThroughSES(t *testing.T) {
	t.Parallel()
	ses := testenv.SES(t)
	ops := testenv.SESRecipient("embedded-ops")
	env := map[string]string{
		"MAIL_SENDER": "ses", "AWS_ENDPOINT_URL_SES": ses, "OPS_EMAIL": ops, "SEED_DEMO": "false",
		"ALERT_FAIL_FOR": "100ms", "ALERT_INTERVAL": "50ms", "DATA_DIR": t.TempDir(),
	}
	in, url := startEmbeddedShop(t, env)
	bus, err := in.Bus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.DeadLetters().Add(context.Background(), messaging.DeadLetter{ID: "dl-ses", Handler: "notifier.emails", RedriveTo: "x",
		Reason: "smtp refused", FailedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// No outbox viewer: the path falls through to the storefront, not JSON.
	res, err := http.Get(url + "/dev/mail.json")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") {
		t.Fatalf("/dev/mail.json answered %s (%s) while mail goes through SES", res.Status, ct)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, m := range testenv.SESMails(t, ses, ops) {
			if strings.HasPrefix(m.Subject, "[ALERT] dead-letters") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dead-letter alert reached %s through SES", ops)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
