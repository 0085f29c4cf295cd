package notifier_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	mailsqlite "github.com/evshop/shop/mail/sqlitestore"
	"github.com/evshop/shop/notifier"
	notifysqlite "github.com/evshop/shop/notifier/sqlitestore"
	"github.com/evshop/shop/platform/testenv"
)

// unrecorded is a delivery log whose MarkSent never lands, as when the
// shop is killed right after sending.
type unrecorded struct{ notifier.DeliveryLog }

func (unrecorded) MarkSent(context.Context, string, string, time.Time) error {
	return errors.New("killed")
}

// TestEmbeddedShopCrashMidDelivery: the durable embedded shop killed
// between claiming an order email and recording it, whether it had sent it
// or not, sends it exactly once after its restart (which releases the
// claims: wiring); without that release the restarted shop's delivery
// would be refused as in flight until the lease ran out.
func TestEmbeddedShopCrashMidDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// crash runs the first shop's part on the stores it left behind.
		crash func(t *testing.T, ctx context.Context, h *harness, deliveries *notifysqlite.Store, invoiced string)
	}{
		{"claimed, not sent", func(t *testing.T, ctx context.Context, h *harness, deliveries *notifysqlite.Store, invoiced string) {
			if err := deliveries.Claim(ctx, notifier.Claim{Key: invoiced, Kind: "order_confirmation", To: "bob@example.com",
				Now: h.clock.Now(), Lease: 2 * time.Minute}); err != nil {
				t.Fatal(err)
			}
		}},
		{"sent, not recorded", nil}, // the first shop runs with an unrecorded log
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := testenv.SQLite(t)
			deliveries, err := notifysqlite.New(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			outbox, err := mailsqlite.New(ctx, db, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			orderID := uuid.NewString()
			// The confirmation goes out with the invoice number.
			invoiced := event(notifier.EventInvoiceIssued, "order-"+orderID, 2, map[string]any{"orderId": orderID, "number": "INV-000001"})
			first := newHarnessLogging(t, outbox, unrecorded{deliveries})
			if err := first.handle(ctx, placed(orderID)); err != nil {
				t.Fatal(err)
			}
			if tt.crash != nil {
				tt.crash(t, ctx, first, deliveries, invoiced.ID)
			} else if err := first.handle(ctx, invoiced); err != nil {
				t.Fatal(err) // sent; its record lost
			}
			// The restart: the same stores, a new notifier.
			second := newHarnessLogging(t, outbox, deliveries)
			if err := second.handle(ctx, placed(orderID)); err != nil {
				t.Fatal(err)
			}
			if err := second.n.Handle(ctx, invoiced); !errors.Is(err, notifier.ErrInFlight) {
				t.Fatalf("delivered before the claims were released: %v, want ErrInFlight", err)
			}
			if _, err := deliveries.ReleaseClaims(ctx, second.clock.Now()); err != nil {
				t.Fatal(err)
			}
			if err := second.n.Handle(ctx, invoiced); err != nil {
				t.Fatalf("after the release: %v", err)
			}
			if n := len(outbox.To("bob@example.com")); n != 1 {
				t.Fatalf("%d confirmations, want 1", n)
			}
			if d, err := deliveries.Get(ctx, invoiced.ID); err != nil || d.Status != notifier.StatusSent {
				t.Fatalf("delivery %+v, %v; want sent", d, err)
			}
		})
	}
}
