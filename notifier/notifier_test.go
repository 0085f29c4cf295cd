package notifier_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
	esmem "github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/mail"
	mailmem "github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/notifier/memstore"
	"github.com/evshop/shop/notifier/templates"
	"github.com/evshop/shop/platform/guestorder"
	"github.com/evshop/shop/platform/sealed"
	"github.com/evshop/shop/platform/testenv"
)

type harness struct {
	links  *guestorder.Signer
	n      *notifier.Notifier
	outbox *mailmem.Outbox
	store  *memstore.Store
	events *esmem.Store // where the order emails read their orders
	prefs  *memstore.Preferences
	box    *sealed.Box
	clock  *testenv.Clock
}

// secrets are what every test notifier needs: a random 32-byte key (for
// unsubscribe links and guest-order links), the box sealing mail links
// with it, and the templates.
func secrets(t *testing.T) ([]byte, *sealed.Box, *templates.Set) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key) //nolint:errcheck
	box, err := sealed.New(key)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	return key, box, tpl
}

func newHarness(t *testing.T, sender mail.Sender) *harness {
	t.Helper()
	return newHarnessLogging(t, sender, nil)
}

// newHarnessLogging is newHarness with deliveries (nil: the harness's
// memory store) as the notifier's delivery log, and opts applied to its
// configuration. Its clock stands still, so a claim held elsewhere is not
// waited for (InFlightWait < 0) unless an option says so.
func newHarnessLogging(t *testing.T, sender mail.Sender, deliveries notifier.DeliveryLog, opts ...func(*notifier.Config)) *harness {
	t.Helper()
	key, box, tpl := secrets(t)
	h := &harness{outbox: mailmem.New(), store: memstore.New(), events: esmem.New(), prefs: memstore.NewPreferences(), box: box,
		clock: testenv.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))}
	if sender == nil {
		sender = h.outbox
	}
	if deliveries == nil {
		deliveries = h.store
	}
	var err error
	if h.links, err = guestorder.NewSigner(key); err != nil {
		t.Fatal(err)
	}
	cfg := notifier.Config{OrderLinks: h.links,
		Sender: sender, Templates: tpl, Deliveries: deliveries, Events: h.events, Baskets: h.store, BackInStock: h.store,
		Recipients: h.prefs, Marketing: h.prefs, OptOut: h.prefs, LinkBox: box, UnsubscribeKey: key,
		PublicURL: "https://shop.example/", ReminderIdle: time.Hour, Now: h.clock.Now,
		Retry: mail.RetryConfig{Attempts: 1}, InFlightWait: -1,
	}
	for _, o := range opts {
		o(&cfg)
	}
	h.n, err = notifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// handle hands ev to the notifier as the bus would. An OrderPlaced, which
// the notifier does not take from the bus, is appended to the order's
// stream instead, where the order emails read it (handing the same one
// again changes nothing: its event id is stored).
func (h *harness) handle(ctx context.Context, ev eventstore.RecordedEvent) error {
	if ev.Type == notifier.EventOrderPlaced {
		_, err := h.events.Append(ctx, ev.Stream, eventstore.Any(), eventstore.EventData{ID: ev.ID, Type: ev.Type, Data: ev.Data})
		return err
	}
	return h.n.Handle(ctx, ev)
}

func event(typ, stream string, rev uint64, data any) eventstore.RecordedEvent {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	return eventstore.RecordedEvent{ID: uuid.NewString(), Stream: stream, Revision: rev, Type: typ, Data: b,
		Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

var linkToken = regexp.MustCompile(`\?token=([A-Za-z0-9._~%-]+)`)

func TestIdentityEmails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		typ       string
		lang      string
		noToken   bool
		badToken  bool
		wantMails int
		wantPath  string
		subject   string
	}{
		{"registration sends a verification link", notifier.EventUserRegistered, "", false, false, 1, "/verify", "Welcome"},
		{"resend sends a verification link", notifier.EventVerificationRequested, "", false, false, 1, "/verify", "confirm"},
		{"password reset link", notifier.EventPasswordResetRequested, "", false, false, 1, "/reset-password", "Reset"},
		{"profile language is used", notifier.EventUserRegistered, "de", false, false, 1, "/verify", "Willkommen"},
		{"already verified account gets nothing", notifier.EventUserRegistered, "", true, false, 0, "", ""},
		{"token sealed with another key is recorded as failed", notifier.EventPasswordResetRequested, "", false, true, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			ctx := context.Background()
			userID := uuid.NewString()
			if tt.lang != "" {
				h.prefs.Set(userID, notifier.MarketingContact{Lang: tt.lang})
			}
			plain := "tok-" + uuid.NewString()
			sealedTok := h.box.Seal(plain, userID)
			if tt.badToken {
				other, _ := sealed.New(make([]byte, 32))
				sealedTok = other.Seal(plain, userID)
			}
			if tt.noToken {
				sealedTok = ""
			}
			ev := event(tt.typ, "user-"+userID, 0, map[string]any{"userId": userID, "email": "ann@example.com", "name": "Ann",
				"sealedToken": sealedTok, "roles": []string{"customer"}, "someNewField": true})
			for range 2 { // a redelivery must not send again
				if err := h.handle(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			got := h.outbox.To("ann@example.com")
			if len(got) != tt.wantMails {
				t.Fatalf("%d mails, want %d", len(got), tt.wantMails)
			}
			if tt.badToken {
				failed, _ := h.n.FailedDeliveries(ctx, 10)
				if len(failed) != 1 || failed[0].Key != ev.ID || strings.Contains(failed[0].LastError, sealedTok) {
					t.Fatalf("failed deliveries = %+v", failed)
				}
			}
			if tt.wantMails == 0 {
				return
			}
			m := got[0]
			if !strings.Contains(m.Subject, tt.subject) || !strings.Contains(m.Text, "Ann") {
				t.Fatalf("mail = %q\n%s", m.Subject, m.Text)
			}
			wantLink := "https://shop.example" + tt.wantPath + "?token=" + url.QueryEscape(plain)
			if !strings.Contains(m.Text, wantLink) || !strings.Contains(m.HTML, wantLink) {
				t.Fatalf("link %s missing:\n%s", wantLink, m.Text)
			}
			if strings.Contains(m.Text, sealedTok) {
				t.Fatal("the sealed token leaked into the mail")
			}
		})
	}
}

const customer = "4b4e3c0e-8a53-4d5a-9d43-2c8e1c2b9a11"

func placed(orderID string) eventstore.RecordedEvent {
	return event(notifier.EventOrderPlaced, "order-"+orderID, 0, map[string]any{
		"orderId": orderID, "customerId": customer, "email": "bob@example.com",
		"lines": []map[string]any{{"sku": "MUG", "name": "Blue Mug", "category": "kitchen", "quantity": 2,
			"unitPrice": money.DTO{Amount: 1250, Currency: "EUR"}}},
		"total": money.DTO{Amount: 2500, Currency: "EUR"}, "currency": "EUR",
		"shippingAddress": map[string]any{"name": "Bob Builder", "line1": "1 Yard", "city": "Bristol", "postalCode": "BS1", "country": "GB"},
		"payment":         map[string]any{"method": "sandbox", "token": "tok_x", "last4": "4242"},
		"placedAt":        time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})
}

func TestOrderEmails(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	orderID := uuid.NewString()
	paid := event(notifier.EventOrderPaid, "order-"+orderID, 4, map[string]any{"orderId": orderID, "paymentId": "p1", "amount": money.DTO{Amount: 2500, Currency: "EUR"}})
	invoiced := event(notifier.EventInvoiceIssued, "order-"+orderID, 5, map[string]any{"orderId": orderID, "number": "INV-000042", "sequence": 42})
	refund := money.DTO{Amount: 500, Currency: "EUR"}
	steps := []struct {
		ev      eventstore.RecordedEvent
		times   int
		subject string
		inText  []string
	}{
		{placed(orderID), 2, "", nil},
		// The confirmation waits for the invoice number: OrderPaid sends nothing.
		{paid, 2, "", nil},
		{invoiced, 3, "is confirmed", []string{"2 × Blue Mug", "€25.00", "Bob Builder", "1 Yard", "BS1 Bristol", orderID,
			"Invoice INV-000042: https://shop.example/orders/" + orderID + "/invoice"}},
		{event(notifier.EventPaymentFailed, "payment-p1", 1, map[string]any{"paymentId": "p1", "orderId": orderID, "reason": "card declined", "code": "card_declined"}), 1, "failed", []string{"card declined"}},
		{event(notifier.EventOrderShipped, "order-"+orderID, 5, map[string]any{"orderId": orderID, "carrier": "DHL", "trackingNumber": "JJD123"}), 2, "on its way", []string{"DHL", "JJD123"}},
		{event(notifier.EventOrderCancelled, "order-"+orderID, 6, map[string]any{"orderId": orderID, "reason": "payment timeout"}), 1, "cancelled", []string{"payment timeout"}},
		{event(notifier.EventOrderRefunded, "order-"+orderID, 7, map[string]any{"orderId": orderID, "amount": refund, "reason": "damaged"}), 1, "refunded €5.00", []string{"damaged"}},
		// The payment side of the same refund: no second email.
		{event(notifier.EventPaymentRefunded, "payment-p1", 3, map[string]any{"paymentId": "p1", "orderId": orderID, "amount": refund, "reason": "damaged"}), 1, "", nil},
		// An order paid before invoices existed gets its invoice with its
		// first refund: it was confirmed when paid, so no second confirmation.
		{event(notifier.EventInvoiceIssued, "order-"+orderID, 8, map[string]any{"orderId": orderID, "number": "INV-000043", "sequence": 43, "afterRefund": true}), 1, "", nil},
	}
	want := 0
	for _, st := range steps {
		for range st.times {
			if err := h.handle(ctx, st.ev); err != nil {
				t.Fatalf("%s: %v", st.ev.Type, err)
			}
		}
		if st.subject == "" {
			if n := len(h.outbox.To("bob@example.com")); n != want {
				t.Fatalf("after %s: %d mails, want %d", st.ev.Type, n, want)
			}
			continue
		}
		want++
		got := h.outbox.To("bob@example.com")
		if len(got) != want {
			t.Fatalf("after %s ×%d: %d mails, want %d", st.ev.Type, st.times, len(got), want)
		}
		m := got[len(got)-1]
		if !strings.Contains(m.Subject, st.subject) {
			t.Fatalf("%s: subject %q lacks %q", st.ev.Type, m.Subject, st.subject)
		}
		for _, s := range append(st.inText, "Hello Bob Builder") {
			if !strings.Contains(m.Text, s) {
				t.Fatalf("%s: text lacks %q:\n%s", st.ev.Type, s, m.Text)
			}
		}
	}
}

func TestOrderEventBeforeOrderPlacedIsRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	orderID := uuid.NewString()
	paid := event(notifier.EventInvoiceIssued, "order-"+orderID, 5, map[string]any{"orderId": orderID, "number": "INV-000001"})
	if err := h.handle(ctx, paid); !errors.Is(err, notifier.ErrNotFound) {
		t.Fatalf("InvoiceIssued before OrderPlaced: err = %v, want a retryable not-found", err)
	}
	if err := h.handle(ctx, placed(orderID)); err != nil {
		t.Fatal(err)
	}
	if err := h.handle(ctx, paid); err != nil {
		t.Fatal(err)
	}
	if n := len(h.outbox.To("bob@example.com")); n != 1 {
		t.Fatalf("%d mails, want 1", n)
	}
}

func TestProfileLanguageAndName(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	h.prefs.Set(customer, notifier.MarketingContact{Name: "Robert", Lang: "de-DE"})
	orderID := uuid.NewString()
	for _, ev := range []eventstore.RecordedEvent{placed(orderID), event(notifier.EventInvoiceIssued, "order-"+orderID, 5, map[string]any{"orderId": orderID, "number": "INV-000001"})} {
		if err := h.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	got := h.outbox.To("bob@example.com")
	if len(got) != 1 || !strings.Contains(got[0].Subject, "ist bestätigt") || !strings.Contains(got[0].Text, "Hallo Robert") || !strings.Contains(got[0].Text, "25,00\u00a0€") {
		t.Fatalf("mails = %+v", got)
	}
}

type flaky struct {
	mu    sync.Mutex
	fails int
	err   error
	next  mail.Sender
}

func (f *flaky) Send(ctx context.Context, m mail.Message) (string, error) {
	f.mu.Lock()
	if f.fails > 0 {
		f.fails--
		f.mu.Unlock()
		return "", f.err
	}
	f.mu.Unlock()
	return f.next.Send(ctx, m)
}

func TestTransientFailureIsRetriedByRedelivery(t *testing.T) {
	t.Parallel()
	outbox := mailmem.New()
	f := &flaky{fails: 1, err: fmt.Errorf("%w: ses TooManyRequestsException", mail.ErrTransient), next: outbox}
	h := newHarness(t, f)
	ctx := context.Background()
	orderID := uuid.NewString()
	if err := h.handle(ctx, placed(orderID)); err != nil {
		t.Fatal(err)
	}
	paid := event(notifier.EventInvoiceIssued, "order-"+orderID, 5, map[string]any{"orderId": orderID, "number": "INV-000001"})
	if err := h.handle(ctx, paid); !errors.Is(err, mail.ErrTransient) {
		t.Fatalf("first delivery: err = %v, want transient", err)
	}
	d, err := h.store.Get(ctx, paid.ID)
	if err != nil || d.Status != notifier.StatusPending || !strings.Contains(d.LastError, "TooManyRequests") {
		t.Fatalf("delivery after transient failure = %+v, %v", d, err)
	}
	for range 2 {
		if err := h.handle(ctx, paid); err != nil {
			t.Fatalf("redelivery: %v", err)
		}
	}
	if n := len(outbox.To("bob@example.com")); n != 1 {
		t.Fatalf("%d mails, want 1", n)
	}
	if d, _ := h.store.Get(ctx, paid.ID); d.Status != notifier.StatusSent || d.Attempts != 2 {
		t.Fatalf("delivery = %+v", d)
	}
}

func TestPermanentFailureIsListedForSupport(t *testing.T) {
	t.Parallel()
	outbox := mailmem.New()
	f := &flaky{fails: 1, err: fmt.Errorf("%w: ses MessageRejected: address on suppression list", mail.ErrPermanent), next: outbox}
	h := newHarness(t, f)
	ctx := context.Background()
	orderID := uuid.NewString()
	if err := h.handle(ctx, placed(orderID)); err != nil {
		t.Fatal(err)
	}
	paid := event(notifier.EventInvoiceIssued, "order-"+orderID, 5, map[string]any{"orderId": orderID, "number": "INV-000001"})
	for range 2 {
		if err := h.handle(ctx, paid); err != nil {
			t.Fatalf("a permanent failure must not be retried by the bus: %v", err)
		}
	}
	if n := len(outbox.List()); n != 0 {
		t.Fatalf("%d mails sent after a permanent failure", n)
	}
	failed, err := h.n.FailedDeliveries(ctx, 10)
	if err != nil || len(failed) != 1 || failed[0].Kind != "order_confirmation" || failed[0].To != "bob@example.com" ||
		!strings.Contains(failed[0].LastError, "MessageRejected") {
		t.Fatalf("failed = %+v, %v", failed, err)
	}
}

func TestConcurrentRedeliverySendsOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	orderID := uuid.NewString()
	if err := h.handle(ctx, placed(orderID)); err != nil {
		t.Fatal(err)
	}
	paid := event(notifier.EventInvoiceIssued, "order-"+orderID, 5, map[string]any{"orderId": orderID, "number": "INV-000001"})
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.handle(ctx, paid); err != nil && !errors.Is(err, notifier.ErrInFlight) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(h.outbox.To("bob@example.com")); n != 1 {
		t.Fatalf("%d mails, want 1", n)
	}
}

// TestClaimHeldElsewhereIsWaitedOut: an order email another worker has
// claimed is sent once that worker's lease runs out (it died mid-send: in
// server mode the broker hands the event to another replica at once, and
// the bus's retries alone would give up long before the lease), is not sent
// again when the holder marks it sent meanwhile, and goes back to the bus
// when the holder outlasts the wait. Real time: the lease is 300 ms.
func TestClaimHeldElsewhereIsWaitedOut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		wait   time.Duration // InFlightWait; 0: the default (lease + 10 s)
		stop   bool          // the process is stopping
		holder func(h *harness, key string)
		err    error
		mails  int
	}{
		{"holder died", 0, false, nil, nil, 1},
		{"stopping: not waited for", 0, true, nil, notifier.ErrInFlight, 0},
		{"holder sends meanwhile", 0, false, func(h *harness, key string) {
			time.Sleep(100 * time.Millisecond)
			h.store.MarkSent(context.Background(), key, "sent-by-holder", time.Now()) //nolint:errcheck // checked by the mail count
		}, nil, 0},
		{"holder outlasts the wait", 100 * time.Millisecond, false, nil, notifier.ErrInFlight, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const lease = 300 * time.Millisecond
			stopping := make(chan struct{})
			if tt.stop {
				close(stopping)
			}
			h := newHarnessLogging(t, nil, nil, func(c *notifier.Config) {
				c.Now, c.Lease, c.InFlightWait, c.Stopping = time.Now, lease, tt.wait, stopping
			})
			ctx := context.Background()
			orderID := uuid.NewString()
			if err := h.handle(ctx, placed(orderID)); err != nil {
				t.Fatal(err)
			}
			invoiced := event(notifier.EventInvoiceIssued, "order-"+orderID, 5, map[string]any{"orderId": orderID, "number": "INV-000001"})
			if err := h.store.Claim(ctx, notifier.Claim{Key: invoiced.ID, Kind: "order_confirmation", To: "bob@example.com",
				Now: time.Now(), Lease: lease}); err != nil {
				t.Fatal(err)
			}
			if tt.holder != nil {
				go tt.holder(h, invoiced.ID)
			}
			if err := h.handle(ctx, invoiced); !errors.Is(err, tt.err) {
				t.Fatalf("handle: %v, want %v", err, tt.err)
			}
			if n := len(h.outbox.To("bob@example.com")); n != tt.mails {
				t.Fatalf("%d mails, want %d", n, tt.mails)
			}
		})
	}
}

func basketEv(typ string, basketID string, rev uint64, data map[string]any) eventstore.RecordedEvent {
	data["basketId"] = basketID
	return event(typ, "basket-"+basketID, rev, data)
}

func TestAbandonedBasketReminder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	optedIn := uuid.NewString()
	optedOut := uuid.NewString()
	checkedOut := uuid.NewString()
	h.prefs.Set(optedIn, notifier.MarketingContact{OptedIn: true, Email: "carol@example.com", Name: "Carol", Lang: "en"})
	h.prefs.Set(optedOut, notifier.MarketingContact{OptedIn: false, Email: "dave@example.com", Name: "Dave"})
	h.prefs.Set(checkedOut, notifier.MarketingContact{OptedIn: true, Email: "erin@example.com", Name: "Erin"})
	add := func(id string, rev uint64, sku string) eventstore.RecordedEvent {
		return basketEv(notifier.EventItemAdded, id, rev, map[string]any{"sku": sku, "name": "Item " + sku, "quantity": 1,
			"unitPrice": money.DTO{Amount: 100, Currency: "EUR"}})
	}
	first := add(optedIn, 0, "MUG")
	events := []eventstore.RecordedEvent{
		first, first, // redelivered: applied once
		add(optedIn, 1, "TEE"),
		basketEv(notifier.EventItemQuantityChanged, optedIn, 2, map[string]any{"sku": "TEE", "quantity": 3}),
		add(optedOut, 0, "MUG"),
		add(checkedOut, 0, "MUG"),
		basketEv(notifier.EventBasketCheckedOut, checkedOut, 1, map[string]any{"customerId": checkedOut, "orderId": uuid.NewString()}),
		add("guest-"+uuid.NewString(), 0, "MUG"),
	}
	for _, ev := range events {
		if err := h.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if sent, err := h.n.SweepReminders(ctx); err != nil || sent != 0 {
		t.Fatalf("sweep before the idle time: %d, %v", sent, err)
	}
	h.clock.Advance(2 * time.Hour)
	for range 2 {
		if _, err := h.n.SweepReminders(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if all := h.outbox.List(); len(all) != 1 || all[0].To != "carol@example.com" {
		t.Fatalf("reminders = %+v, want one to carol", all)
	}
	m := h.outbox.List()[0]
	if !strings.Contains(m.Text, "1 × Item MUG") || !strings.Contains(m.Text, "3 × Item TEE") || !strings.Contains(m.Subject, "Carol") {
		t.Fatalf("reminder text:\n%s", m.Text)
	}
	var listUnsub string
	for _, hd := range m.Headers {
		if hd.Name == "List-Unsubscribe" {
			listUnsub = hd.Value
		}
	}
	match := linkToken.FindStringSubmatch(listUnsub)
	if match == nil || !strings.Contains(m.Text, notifier.UnsubscribePath+"?token="+match[1]) {
		t.Fatalf("unsubscribe link missing: header %q\n%s", listUnsub, m.Text)
	}

	// The link works without login and turns the opt-in off.
	if err := h.n.Unsubscribe(ctx, match[1]); err != nil {
		t.Fatal(err)
	}
	if c, _ := h.prefs.OptedIn(ctx, optedIn); c.OptedIn {
		t.Fatal("still opted in after unsubscribe")
	}
	for _, bad := range []string{"", "x", optedIn + ".AAAA", match[1] + "x", strings.Replace(match[1], optedIn, optedOut, 1)} {
		if err := h.n.Unsubscribe(ctx, bad); !errors.Is(err, notifier.ErrBadToken) {
			t.Fatalf("Unsubscribe(%q) = %v, want ErrBadToken", bad, err)
		}
	}

	// A new basket cycle of the (now unsubscribed) customer gets nothing; after
	// opting in again, the next cycle is reminded once more.
	for _, ev := range []eventstore.RecordedEvent{
		basketEv(notifier.EventBasketCleared, optedIn, 3, map[string]any{"reason": "customer"}),
		add(optedIn, 4, "CAP"),
	} {
		ev.Time = h.clock.Now()
		if err := h.handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Advance(2 * time.Hour)
	if sent, _ := h.n.SweepReminders(ctx); sent != 0 {
		t.Fatalf("reminded an unsubscribed customer")
	}
	h.prefs.Set(optedIn, notifier.MarketingContact{OptedIn: true, Email: "carol@example.com", Name: "Carol"})
	ev := add(optedIn, 5, "BAG")
	ev.Time = h.clock.Now()
	if err := h.handle(ctx, ev); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(2 * time.Hour)
	if sent, _ := h.n.SweepReminders(ctx); sent != 0 {
		t.Fatal("a basket cycle already handled was reminded again")
	}
}

func TestReplayOfOldBasketsSendsNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	id := uuid.NewString()
	h.prefs.Set(id, notifier.MarketingContact{OptedIn: true, Email: "old@example.com"})
	ev := basketEv(notifier.EventItemAdded, id, 0, map[string]any{"sku": "MUG", "quantity": 1})
	ev.Time = h.clock.Now().Add(-30 * 24 * time.Hour)
	if err := h.handle(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if sent, err := h.n.SweepReminders(ctx); err != nil || sent != 0 || len(h.outbox.List()) != 0 {
		t.Fatalf("sent %d reminders for a month-old basket (%v)", sent, err)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	if _, err := notifier.New(notifier.Config{}); !errors.Is(err, notifier.ErrConfig) {
		t.Fatalf("empty config: %v", err)
	}
}

// TestPasswordChangeTellsTheAccount: every password change (by the user, a
// reset link or the admin bootstrap) mails the account's address once, so
// an owner who did not do it learns at once.
func TestPasswordChangeTellsTheAccount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		reason    string
		lang      string
		data      map[string]any // nil: a well-formed event
		wantMails int
		subject   string
	}{
		{"changed by the user", "change", "", nil, 1, "password was changed"},
		{"changed by a reset link", "reset", "", nil, 1, "password was changed"},
		{"replaced by the admin bootstrap", "bootstrap", "", nil, 1, "password was changed"},
		{"in the profile's language", "change", "de", nil, 1, "wurde geändert"},
		{"malformed: no address", "change", "", map[string]any{"userId": "u"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			ctx := context.Background()
			userID := uuid.NewString()
			if tt.lang != "" {
				h.prefs.Set(userID, notifier.MarketingContact{Lang: tt.lang})
			}
			data := tt.data
			if data == nil {
				data = map[string]any{"userId": userID, "email": "ann@example.com", "name": "Ann", "reason": tt.reason,
					"occurredAt": time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
			}
			ev := event(notifier.EventPasswordChanged, "user-"+userID, 3, data)
			for range 2 { // a redelivery must not send again
				if err := h.handle(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			got := h.outbox.To("ann@example.com")
			if len(got) != tt.wantMails {
				t.Fatalf("%d mails, want %d", len(got), tt.wantMails)
			}
			if tt.wantMails == 0 {
				if failed, _ := h.n.FailedDeliveries(ctx, 10); len(failed) != 1 || failed[0].Key != ev.ID {
					t.Fatalf("failed deliveries = %+v", failed)
				}
				return
			}
			m := got[0]
			if !strings.Contains(m.Subject, tt.subject) || !strings.Contains(m.Text, "Ann") ||
				!strings.Contains(m.Text, "https://shop.example/forgot-password") {
				t.Fatalf("mail = %q\n%s", m.Subject, m.Text)
			}
		})
	}
}

// TestConfirmationShowsTheBreakdown: an order placed with tax and shipping
// is confirmed with shipping, net and the tax per rate, in text and HTML;
// TestOrderEmails covers an order placed before (total only).
func TestConfirmationShowsTheBreakdown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	orderID := uuid.NewString()
	eur := func(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }
	ev := placed(orderID)
	var data map[string]any
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatal(err)
	}
	data["total"] = eur(2995)
	data["breakdown"] = pricing.BreakdownDTO{Currency: "EUR", Country: "DE", PricesIncludeTax: true,
		Lines: []pricing.LineBreakdownDTO{{SKU: "MUG", Quantity: 2, UnitPrice: eur(1250), TaxClass: "standard", RateBP: 1900,
			Amount: eur(2500), Discount: eur(0), Net: eur(2101), Tax: eur(399), Gross: eur(2500)}},
		Shipping: &pricing.ShippingBreakdownDTO{Method: "standard", Name: "Standard delivery", TaxClass: "standard", RateBP: 1900,
			Amount: eur(495), Discount: eur(0), Net: eur(416), Tax: eur(79), Gross: eur(495)},
		TaxRates: []pricing.RateBreakdownDTO{{RateBP: 1900, Net: eur(2517), Tax: eur(478), Gross: eur(2995)}},
		Subtotal: eur(2500), Discount: eur(0), Net: eur(2517), Tax: eur(478), Gross: eur(2995)}
	if ev.Data, _ = json.Marshal(data); ev.Data == nil {
		t.Fatal("marshal")
	}
	paid := event(notifier.EventOrderPaid, "order-"+orderID, 4, map[string]any{"orderId": orderID, "paymentId": "p1", "amount": eur(2995)})
	invoiced := event(notifier.EventInvoiceIssued, "order-"+orderID, 5, map[string]any{"orderId": orderID, "number": "INV-000005"})
	for _, e := range []eventstore.RecordedEvent{ev, paid, invoiced} {
		if err := h.handle(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got := h.outbox.To("bob@example.com")
	if len(got) != 1 {
		t.Fatalf("%d mails", len(got))
	}
	for _, s := range []string{"Invoice INV-000005", "Shipping (Standard delivery): €4.95", "Net: €25.17", "VAT 19 % on €25.17: €4.78", "Total: €29.95"} {
		if !strings.Contains(got[0].Text, s) {
			t.Errorf("text lacks %q:\n%s", s, got[0].Text)
		}
	}
	if !strings.Contains(got[0].HTML, "VAT 19 % on €25.17") || !strings.Contains(got[0].HTML, "Standard delivery") {
		t.Errorf("HTML lacks the breakdown:\n%s", got[0].HTML)
	}
}
