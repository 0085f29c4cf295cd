package faults_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/evshop/shop/e2e/harness"
	"github.com/evshop/shop/platform/testenv"
)

func TestDebugRabbitBounce(t *testing.T) {
	if os.Getenv("E2E_DEBUG") == "" {
		t.Skip()
	}
	c := harness.Start(t, harness.Options{Env: map[string]string{"LOG_LEVEL": "debug"}})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	b, _ := c.NewBrowser("")
	if _, err := b.SignUp(ctx, c.Mailbox(), testenv.SESRecipient("dbg"), "debug passphrase 123", "Dbg"); err != nil {
		t.Fatal(err)
	}
	order := func(key string) {
		if err := b.AddItem(ctx, "KIT-004", 1); err != nil {
			t.Fatal(err)
		}
		id, r, err := b.Checkout(ctx, key, harness.SandboxCard(harness.CardSuccess))
		if err != nil || id == "" {
			t.Fatalf("%v %s", err, r)
		}
		wctx, wc := context.WithTimeout(ctx, 60*time.Second)
		defer wc()
		o, err := b.WaitOrder(wctx, id, "Paid", "Cancelled")
		t.Logf("order %s: %s %v", id, o.Status, err)
	}
	order("dbg-key-1")
	t0 := time.Now()
	if err := bounceRabbit(t, 5*time.Second, filepath.Join(c.LogDir(), "rabbitmq-bounce.log")); err != nil {
		t.Fatal(err)
	}
	t.Logf("bounce took %s", time.Since(t0))
	order("dbg-key-2")
	out, _ := exec.Command("rabbitmqctl", "-q", "list_queues", "name", "messages_ready", "messages_unacknowledged", "consumers").Output()
	t.Logf("queues:\n%s", out)
}
