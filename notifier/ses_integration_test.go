package notifier_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/mail/ses"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/platform/testenv"
)

// TestThroughSESEmulator sends through the real SES v2 API of the
// aws-ses-v2-local emulator (scripts/ses-emulator.sh) and reads the mail back
// from its store.
func TestThroughSESEmulator(t *testing.T) {
	t.Parallel()
	base := testenv.SES(t)
	ctx := context.Background()
	sender, err := ses.New(ctx, ses.Config{Endpoint: base, From: "evshop <no-reply@shop.example>"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, sender)

	t.Run("registration sends exactly one verification email with a working link", func(t *testing.T) {
		to := testenv.SESRecipient("reg")
		userID := uuid.NewString()
		plain := "verify-" + uuid.NewString()
		ev := event(notifier.EventUserRegistered, "user-"+userID, 0, map[string]any{
			"userId": userID, "email": to, "name": "Ann", "sealedToken": h.box.Seal(plain, userID)})
		for range 2 {
			if err := h.handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		got := testenv.SESMails(t, base, to)
		if len(got) != 1 {
			t.Fatalf("emulator holds %d mails for %s, want 1", len(got), to)
		}
		m := got[0]
		match := linkToken.FindStringSubmatch(m.Body.Text)
		if match == nil || !strings.Contains(m.Body.Text, "https://shop.example/verify?token=") {
			t.Fatalf("no verify link in:\n%s", m.Body.Text)
		}
		token, err := url.QueryUnescape(match[1])
		if err != nil || token != plain {
			t.Fatalf("link carries %q, want the plain token %q", token, plain)
		}
		if !strings.Contains(m.Body.HTML, match[1]) || !strings.Contains(m.Subject, "Welcome") {
			t.Fatalf("html/subject wrong: %q", m.Subject)
		}
	})

	t.Run("InvoiceIssued delivered three times sends exactly one confirmation", func(t *testing.T) {
		to := testenv.SESRecipient("order")
		orderID := uuid.NewString()
		p := placed(orderID)
		p.Data = []byte(strings.Replace(string(p.Data), "bob@example.com", to, 1))
		if err := h.handle(ctx, p); err != nil {
			t.Fatal(err)
		}
		paid := event(notifier.EventOrderPaid, "order-"+orderID, 4, map[string]any{"orderId": orderID, "paymentId": "p"})
		invoiced := event(notifier.EventInvoiceIssued, "order-"+orderID, 5, map[string]any{"orderId": orderID, "number": "INV-000009"})
		for _, ev := range []eventstore.RecordedEvent{paid, invoiced, invoiced, invoiced} {
			if err := h.handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		got := testenv.SESMails(t, base, to)
		if len(got) != 1 {
			t.Fatalf("emulator holds %d mails for %s, want 1", len(got), to)
		}
		if !strings.Contains(got[0].Subject, orderID) || !strings.Contains(got[0].Body.Text, "Blue Mug") || !strings.Contains(got[0].Body.HTML, "€25.00") ||
			!strings.Contains(got[0].Body.Text, "Invoice INV-000009") {
			t.Fatalf("confirmation = %+v", got[0])
		}
	})

	t.Run("a restock mails each subscriber exactly once, and the next restock nobody", func(t *testing.T) {
		sku := "MUG-" + uuid.NewString()[:8]
		subscribers := map[string]string{} // customer id -> address
		for _, name := range []string{"ann", "bob"} {
			id := uuid.NewString()
			subscribers[id] = testenv.SESRecipient("bis-" + name)
			h.prefs.Set(id, notifier.MarketingContact{Email: subscribers[id], Name: name})
			for range 2 { // idempotent
				if err := h.n.SubscribeBackInStock(ctx, sku, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		bystander := testenv.SESRecipient("bis-other")
		other := uuid.NewString()
		h.prefs.Set(other, notifier.MarketingContact{Email: bystander})
		if err := h.n.SubscribeBackInStock(ctx, sku+"-RED", other); err != nil { // another variant
			t.Fatal(err)
		}
		restock := event(notifier.EventStockRestocked, "restock-"+sku, 0, map[string]any{"sku": sku, "name": "Blue Mug", "available": 3})
		for range 3 { // redelivered
			if err := h.handle(ctx, restock); err != nil {
				t.Fatal(err)
			}
		}
		next := event(notifier.EventStockRestocked, "restock-"+sku, 1, map[string]any{"sku": sku, "name": "Blue Mug", "available": 5})
		if err := h.handle(ctx, next); err != nil {
			t.Fatal(err)
		}
		for id, to := range subscribers {
			got := testenv.SESMails(t, base, to)
			if len(got) != 1 {
				t.Fatalf("emulator holds %d mails for %s, want 1", len(got), to)
			}
			m := got[0]
			if !strings.Contains(m.Subject, "Blue Mug is back in stock") || !strings.Contains(m.Body.Text, "https://shop.example/products/"+sku) ||
				!strings.Contains(m.Body.Text, "/api/notifications/unsubscribe?token=") {
				t.Fatalf("back-in-stock mail = %q:\n%s", m.Subject, m.Body.Text)
			}
			if still, _ := h.n.BackInStockSubscribed(ctx, sku, id); still {
				t.Fatalf("subscription of %s outlived its email", id)
			}
		}
		if got := testenv.SESMails(t, base, bystander); len(got) != 0 {
			t.Fatalf("the other variant's subscriber got %d mails", len(got))
		}
	})
}
