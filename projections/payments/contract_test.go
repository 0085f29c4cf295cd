package payments_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/payments"
	"github.com/evshop/shop/projections/projectionstest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func eur(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }

func oid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func rec(t *testing.T, paymentID string, rev, pos uint64, e payment.Event) eventstore.RecordedEvent {
	t.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.RecordedEvent{ID: fmt.Sprint(pos), Stream: payment.Stream(paymentID), Revision: rev, Position: pos,
		Type: e.EventName(), Time: t0.Add(time.Duration(rev) * time.Minute), Data: data}
}

func lifecycle(t *testing.T, orderID string, pos0 uint64) []eventstore.RecordedEvent {
	pid := payment.IDForOrder(orderID)
	return []eventstore.RecordedEvent{
		rec(t, pid, 0, pos0+1, payment.PaymentRequested{PaymentID: pid, OrderID: orderID, CustomerID: "c1", Amount: eur(4500), Method: "sandbox", Last4: "4242"}),
		rec(t, pid, 1, pos0+2, payment.PaymentAuthorized{PaymentID: pid, OrderID: orderID, Amount: eur(4500), GatewayRef: "auth_1"}),
		rec(t, pid, 2, pos0+3, payment.PaymentCaptured{PaymentID: pid, OrderID: orderID, Amount: eur(4500), GatewayRef: "cap_1"}),
		rec(t, pid, 3, pos0+4, payment.PaymentRefunded{PaymentID: pid, OrderID: orderID, Amount: eur(500), Reason: "scratched", RefundID: "r1"}),
	}
}

func runContract(t *testing.T, newStore func(t *testing.T) payments.Store) {
	ctx := context.Background()
	t.Run("ledger and summary", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := payments.NewProjector(s)
		for _, e := range lifecycle(t, oid(1), 0) {
			for range 2 { // redelivery books nothing twice
				if err := p.Handle(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
		}
		got, err := s.ByOrder(ctx, oid(1))
		if err != nil || len(got) != 1 {
			t.Fatalf("ByOrder = %v, %v", got, err)
		}
		g := got[0]
		if g.Status != "partially_refunded" || g.Captured != 4500 || g.Refunded != 500 || g.Last4 != "4242" || g.Method != "sandbox" ||
			g.Amount != eur(4500) || g.Version != 4 || g.CustomerID != "c1" {
			t.Fatalf("summary = %+v", g)
		}
		kinds := ""
		for _, e := range g.Ledger {
			kinds += e.Kind + " "
		}
		if kinds != "requested authorized captured refunded " || !g.Ledger[3].At.Equal(t0.Add(3*time.Minute)) || g.Ledger[3].Reason != "scratched" {
			t.Fatalf("ledger = %s %+v", kinds, g.Ledger)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 4 {
			t.Fatalf("checkpoint = %d, %v", cp, err)
		}
	})
	t.Run("gap is refused", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := payments.NewProjector(s)
		ev := lifecycle(t, oid(2), 0)
		if err := p.Handle(ctx, ev[1]); !errors.Is(err, payments.ErrOutOfOrder) {
			t.Fatalf("err = %v, want ErrOutOfOrder", err)
		}
		if got, _ := s.ByOrder(ctx, oid(2)); len(got) != 0 {
			t.Fatalf("booked out of order: %+v", got)
		}
	})
	t.Run("void of a payment never requested", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		pid := payment.IDForOrder(oid(3))
		c, err := payments.Decode(pid, rec(t, pid, 0, 9, payment.PaymentVoided{PaymentID: pid, OrderID: oid(3), Reason: "payment timeout"}))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Apply(ctx, c); !ok || err != nil {
			t.Fatalf("Apply = %v, %v", ok, err)
		}
		got, _ := s.ByOrder(ctx, oid(3))
		if len(got) != 1 || got[0].Status != "voided" || got[0].Reason != "payment timeout" {
			t.Fatalf("ByOrder = %+v", got)
		}
	})
	t.Run("concurrent duplicates", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ev := lifecycle(t, oid(4), 100)
		for _, e := range ev {
			c, _ := payments.Decode(payment.IDForOrder(oid(4)), e)
			var wg sync.WaitGroup
			var mu sync.Mutex
			applied := 0
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := s.Apply(ctx, c)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						applied++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if applied != 1 {
				t.Fatalf("revision %d applied %d times", e.Revision, applied)
			}
		}
		if cp, _ := s.Checkpoint(ctx); cp != 104 {
			t.Fatalf("checkpoint %d", cp)
		}
	})
	t.Run("batches book what one-by-one delivery books", func(t *testing.T) {
		t.Parallel()
		a, b := oid(30), oid(31)
		evs := append(lifecycle(t, a, 0), lifecycle(t, b, 4)...)
		tests := projectionstest.Batchings(evs, evs[:3], evs[1:6], evs[5:])
		want := newStore(t)
		wp, _ := payments.NewProjector(want)
		for _, ev := range evs {
			if err := wp.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			t.Run(tt.Name, func(t *testing.T) {
				s := newStore(t)
				if _, ok := s.(payments.BatchStore); !ok {
					t.Fatalf("%T does not book batches", s)
				}
				p, _ := payments.NewProjector(s)
				for _, batch := range tt.Batches {
					if err := p.ApplyBatch(ctx, batch); err != nil {
						t.Fatal(err)
					}
				}
				for _, id := range []string{a, b} {
					got, err := s.ByOrder(ctx, id)
					exp, _ := want.ByOrder(ctx, id)
					if err != nil || !reflect.DeepEqual(got, exp) {
						t.Fatalf("payments of %s after batches:\n%+v %v\nwant\n%+v", id, got, err, exp)
					}
				}
				if cp, err := s.Checkpoint(ctx); err != nil || cp != 8 {
					t.Fatalf("checkpoint %d %v, want 8", cp, err)
				}
			})
		}
	})
	t.Run("a batch with a gap books nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := payments.NewProjector(s)
		other := lifecycle(t, oid(33), 10)[0]
		ev := lifecycle(t, oid(32), 0)
		if err := p.ApplyBatch(ctx, []eventstore.RecordedEvent{other, ev[0], ev[2]}); !errors.Is(err, payments.ErrOutOfOrder) {
			t.Fatalf("err = %v, want ErrOutOfOrder", err)
		}
		for _, id := range []string{oid(32), oid(33)} {
			if got, _ := s.ByOrder(ctx, id); len(got) != 0 {
				t.Fatalf("a refused batch booked %+v", got)
			}
		}
		if cp, _ := s.Checkpoint(ctx); cp != 0 {
			t.Fatalf("checkpoint %d after a refused batch", cp)
		}
	})
	t.Run("unknown order", func(t *testing.T) {
		t.Parallel()
		got, err := newStore(t).ByOrder(ctx, oid(99))
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("ByOrder = %#v, %v; want an empty list", got, err)
		}
	})
}

func TestMemory(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) payments.Store { return payments.NewMemory() })
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) payments.Store {
		pool := testenv.Postgres(t)
		if err := payments.Migrate(context.Background(), pool); err != nil {
			t.Fatal(err)
		}
		s, err := payments.NewPostgres(pool)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
