// Package storetest is the contract suite of discounts.Store. Every adapter
// (memstore, pgstore, sqlitestore) runs it, through discounts.Service, so
// they cannot drift apart: above all, Reserve stays atomic under a race.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/domain/money"
)

// Run runs every contract test against stores made by newStore (a fresh,
// empty store per call).
func Run(t *testing.T, newStore func(t *testing.T) discounts.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s *discounts.Service)
	}{
		{"Codes", Codes},
		{"Lifecycle", Lifecycle},
		{"Refusals", Refusals},
		{"RaceForTheLastUses", RaceForTheLastUses},
		{"RacePerCustomer", RacePerCustomer},
		{"RaceOneOrder", RaceOneOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, err := discounts.New(discounts.Config{Store: newStore(t), Now: func() time.Time { return t0 }})
			if err != nil {
				t.Fatal(err)
			}
			tt.run(t, svc)
		})
	}
}

// t0 has whole seconds, which every store keeps exactly.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func eur(amount int64) money.Money {
	m, err := money.New(amount, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func equalCodes(a, b discounts.Code) bool {
	return a.Code == b.Code && a.Kind == b.Kind && a.PercentOff == b.PercentOff && a.AmountOff == b.AmountOff &&
		a.Window.From.Equal(b.Window.From) && a.Window.Until.Equal(b.Window.Until) && a.MinSubtotal == b.MinSubtotal &&
		a.MaxUses == b.MaxUses && a.MaxUsesPerCustomer == b.MaxUsesPerCustomer && slices.Equal(a.Categories, b.Categories) &&
		a.Paused == b.Paused && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

// Codes checks create, read, list and change.
func Codes(t *testing.T, s *discounts.Service) {
	ctx := context.Background()
	full := discounts.Spec{Code: "summer-26", Kind: discounts.KindFixed, AmountOff: eur(500),
		Window:      discounts.Window{From: t0.Add(-time.Hour), Until: t0.Add(30 * 24 * time.Hour)},
		MinSubtotal: eur(2500), MaxUses: 100, MaxUsesPerCustomer: 1, Categories: []string{"Shoes", "Bags", " Shoes"}}
	created := must[discounts.Code](t)(s.Create(ctx, full))
	if created.Code != "SUMMER-26" || !slices.Equal(created.Categories, []string{"Bags", "Shoes"}) {
		t.Fatalf("Create normalised to %+v", created)
	}
	plain := must[discounts.Code](t)(s.Create(ctx, discounts.Spec{Code: "FREESHIP", Kind: discounts.KindFreeShipping}))
	if _, err := s.Create(ctx, discounts.Spec{Code: "Summer-26", Kind: discounts.KindPercentage, PercentOff: 5}); !errors.Is(err, discounts.ErrDuplicate) {
		t.Fatalf("duplicate code in another case: err = %v, want ErrDuplicate", err)
	}

	got, u, err := s.Get(ctx, "summer-26")
	if err != nil || !equalCodes(got, created) || u != (discounts.Usage{}) {
		t.Fatalf("Get = %+v %+v %v, want %+v", got, u, err, created)
	}
	if _, _, err := s.Get(ctx, "NOPE-NOPE"); !errors.Is(err, discounts.ErrUnknown) {
		t.Fatalf("Get unknown: %v", err)
	}
	list := must[[]discounts.Entry](t)(s.List(ctx))
	if len(list) != 2 || !equalCodes(list[0].Code, plain) || !equalCodes(list[1].Code, created) {
		t.Fatalf("List = %+v, want both (same time: by code)", list)
	}

	paused, until, limit := true, t0.Add(time.Hour), 7
	changed := must[discounts.Code](t)(s.Update(ctx, "SUMMER-26", discounts.Change{Paused: &paused,
		Window: &discounts.Window{Until: until}, MaxUses: &limit, MinSubtotal: &money.Money{}}))
	want := created.Clone()
	want.Paused, want.Window, want.MaxUses, want.MinSubtotal = true, discounts.Window{Until: until}, 7, money.Money{}
	if got, _ := must2(t, s, "SUMMER-26"); !equalCodes(changed, want) || !equalCodes(got, want) {
		t.Fatalf("after Update: returned %+v, stored %+v, want %+v", changed, got, want)
	}
	bad := -1
	var inv *discounts.InvalidError
	if _, err := s.Update(ctx, "SUMMER-26", discounts.Change{Paused: new(bool), MaxUses: &bad}); !errors.As(err, &inv) || inv.Fields[0].Field != "maxUses" {
		t.Fatalf("invalid change: err = %v, want an InvalidError on maxUses", err)
	}
	if got, _ := must2(t, s, "SUMMER-26"); !got.Paused || got.MaxUses != 7 {
		t.Fatalf("a refused change was stored: %+v", got)
	}
	if _, err := s.Update(ctx, "NOPE-NOPE", discounts.Change{Paused: &paused}); !errors.Is(err, discounts.ErrUnknown) {
		t.Fatalf("Update unknown: %v", err)
	}
}

func must2(t *testing.T, s *discounts.Service, code string) (discounts.Code, discounts.Usage) {
	t.Helper()
	c, u, err := s.Get(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return c, u
}

// Lifecycle follows uses through reserve, commit and release, including
// the idempotent retries and the steps that are ignored: a released use is
// never committed, a committed one never released.
func Lifecycle(t *testing.T, s *discounts.Service) {
	ctx := context.Background()
	must[discounts.Code](t)(s.Create(ctx, discounts.Spec{Code: "TEN", Kind: discounts.KindPercentage, PercentOff: 10}))
	must[discounts.Code](t)(s.Create(ctx, discounts.Spec{Code: "OTHER", Kind: discounts.KindFreeShipping}))
	reserve := func(code, order string) func() error {
		return func() error { _, err := s.Reserve(ctx, code, "cust-1", order, eur(1000), nil, t0); return err }
	}
	usage := func(code string, want discounts.Usage) func() error {
		return func() error {
			if _, got := must2(t, s, code); got != want {
				t.Errorf("usage of %s = %+v, want %+v", code, got, want)
			}
			return nil
		}
	}
	state := func(order string, want discounts.State) func() error {
		return func() error {
			r, err := s.Reservation(ctx, order)
			if err == nil && r.State != want {
				t.Errorf("reservation of %s is %s, want %s", order, r.State, want)
			}
			return err
		}
	}
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"reserve", reserve("ten", "o1"), nil},
		{"reserved", usage("TEN", discounts.Usage{Reserved: 1}), nil},
		{"the reservation names code, customer and time", func() error {
			r, err := s.Reservation(ctx, "o1")
			if err == nil && (r.Code != "TEN" || r.CustomerKey != "cust-1" || r.State != discounts.StateReserved || !r.ReservedAt.Equal(t0)) {
				t.Errorf("Reservation(o1) = %+v", r)
			}
			return err
		}, nil},
		{"a retried reserve returns the same use", reserve("TEN", "o1"), nil},
		{"and counts once", usage("TEN", discounts.Usage{Reserved: 1}), nil},
		{"an order holds one code", reserve("OTHER", "o1"), discounts.ErrOtherCode},
		{"commit", func() error { return s.Commit(ctx, "o1") }, nil},
		{"committed", usage("TEN", discounts.Usage{Used: 1}), nil},
		{"commit again changes nothing", func() error { return s.Commit(ctx, "o1") }, nil},
		{"release of a committed use is ignored", func() error { return s.Release(ctx, "o1") }, nil},
		{"still used", usage("TEN", discounts.Usage{Used: 1}), nil},
		{"a retried reserve of a paid order returns its use", reserve("TEN", "o1"), nil},
		{"still used once", usage("TEN", discounts.Usage{Used: 1}), nil},
		{"reserve o2", reserve("TEN", "o2"), nil},
		{"release o2", func() error { return s.Release(ctx, "o2") }, nil},
		{"released", usage("TEN", discounts.Usage{Used: 1, Released: 1}), nil},
		{"release again changes nothing", func() error { return s.Release(ctx, "o2") }, nil},
		{"commit after release is ignored", func() error { return s.Commit(ctx, "o2") }, nil},
		{"o2 stays released", state("o2", discounts.StateReleased), nil},
		{"counts unchanged", usage("TEN", discounts.Usage{Used: 1, Released: 1}), nil},
		{"a released order may reserve again, another code even", reserve("OTHER", "o2"), nil},
		{"counted on the new code", usage("OTHER", discounts.Usage{Reserved: 1}), nil},
		{"and gone from the old", usage("TEN", discounts.Usage{Used: 1}), nil},
		{"commit of an unknown order is a no-op", func() error { return s.Commit(ctx, "nobody") }, nil},
		{"release of an unknown order is a no-op", func() error { return s.Release(ctx, "nobody") }, nil},
		{"no reservation", state("nobody", ""), discounts.ErrNoReservation},
		{"reserve of an unknown code", reserve("NOPE", "o3"), discounts.ErrUnknown},
	}
	for _, st := range steps { // in order: each builds on the last
		if err := st.do(); !errors.Is(err, st.want) {
			t.Fatalf("%s: err = %v, want %v", st.name, err, st.want)
		}
	}
}

// Refusals checks that Reserve refuses as Check does, and stores nothing
// when it refuses.
func Refusals(t *testing.T, s *discounts.Service) {
	ctx := context.Background()
	specs := []discounts.Spec{
		{Code: "PAUSED", Kind: discounts.KindFreeShipping, Paused: true},
		{Code: "LATER", Kind: discounts.KindFreeShipping, Window: discounts.Window{From: t0.Add(time.Hour)}},
		{Code: "OVER", Kind: discounts.KindFreeShipping, Window: discounts.Window{Until: t0}},
		{Code: "MIN50", Kind: discounts.KindPercentage, PercentOff: 20, MinSubtotal: eur(5000)},
		{Code: "SHOES", Kind: discounts.KindPercentage, PercentOff: 20, Categories: []string{"Shoes"}},
		{Code: "ONCE", Kind: discounts.KindFixed, AmountOff: eur(100), MaxUses: 1},
		{Code: "ONE-EACH", Kind: discounts.KindFixed, AmountOff: eur(100), MaxUsesPerCustomer: 1},
		{Code: "USD", Kind: discounts.KindFixed, AmountOff: must[money.Money](t)(money.New(100, "USD"))},
	}
	for _, sp := range specs {
		must[discounts.Code](t)(s.Create(ctx, sp))
	}
	must[discounts.Code](t)(s.Reserve(ctx, "ONCE", "cust-1", "first-once", eur(1000), nil, t0))
	must[discounts.Code](t)(s.Reserve(ctx, "ONE-EACH", "cust-1", "first-each", eur(1000), nil, t0))

	tests := []struct {
		code, customer string
		subtotal       money.Money
		categories     []string
		want           error
	}{
		{"NOPE", "cust-2", eur(1000), nil, discounts.ErrUnknown},
		{"PAUSED", "cust-2", eur(1000), nil, discounts.ErrPaused},
		{"LATER", "cust-2", eur(1000), nil, discounts.ErrNotYetValid},
		{"OVER", "cust-2", eur(1000), nil, discounts.ErrExpired},
		{"MIN50", "cust-2", eur(4999), nil, discounts.ErrMinimumNotMet},
		{"SHOES", "cust-2", eur(1000), []string{"Bags"}, discounts.ErrNotApplicable},
		{"USD", "cust-2", eur(1000), nil, discounts.ErrNotApplicable},
		{"ONCE", "cust-2", eur(1000), nil, discounts.ErrUsedUp},
		{"ONE-EACH", "cust-1", eur(1000), nil, discounts.ErrCustomerLimit},
		{"MIN50", "cust-2", eur(5000), nil, nil},
		{"SHOES", "cust-2", eur(1000), []string{"shoes"}, discounts.ErrNotApplicable},
		{"SHOES", "cust-2", eur(1000), []string{"Bags", "Shoes"}, nil},
		{"ONE-EACH", "cust-2", eur(1000), nil, nil},
	}
	for i, tt := range tests {
		name := fmt.Sprintf("%s for %s", tt.code, tt.customer)
		_, checkErr := s.Check(ctx, tt.code, tt.customer, tt.subtotal, tt.categories, t0)
		order := fmt.Sprintf("order-%d", i)
		_, err := s.Reserve(ctx, tt.code, tt.customer, order, tt.subtotal, tt.categories, t0)
		if !errors.Is(err, tt.want) || !errors.Is(checkErr, tt.want) {
			t.Errorf("%s: Reserve err = %v, Check err = %v, want %v", name, err, checkErr, tt.want)
		}
		_, resErr := s.Reservation(ctx, order)
		if (tt.want == nil) != (resErr == nil) {
			t.Errorf("%s: reservation stored = %v, want %v", name, resErr == nil, tt.want == nil)
		}
	}
}

// race runs n reserves at once and returns how many succeeded and the
// errors of the others.
func race(t *testing.T, n int, reserve func(i int) error) (int, []error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = reserve(i)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	var refused []error
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			refused = append(refused, err)
		}
	}
	return ok, refused
}

// RaceForTheLastUses: 50 buyers race for a code limited to 10 uses; exactly
// 10 get it and the other 40 are told it is used up.
func RaceForTheLastUses(t *testing.T, s *discounts.Service) {
	ctx := context.Background()
	must[discounts.Code](t)(s.Create(ctx, discounts.Spec{Code: "TEN-ONLY", Kind: discounts.KindPercentage, PercentOff: 10, MaxUses: 10}))
	ok, refused := race(t, 50, func(i int) error {
		_, err := s.Reserve(ctx, "TEN-ONLY", fmt.Sprintf("buyer-%d", i), fmt.Sprintf("order-%d", i), eur(1000), nil, t0)
		return err
	})
	if ok != 10 || len(refused) != 40 {
		t.Fatalf("%d reserved, %d refused; want 10 and 40", ok, len(refused))
	}
	for _, err := range refused {
		if !errors.Is(err, discounts.ErrUsedUp) {
			t.Fatalf("refused with %v, want ErrUsedUp", err)
		}
	}
	if _, u := must2(t, s, "TEN-ONLY"); u != (discounts.Usage{Reserved: 10}) {
		t.Fatalf("usage = %+v, want 10 reserved", u)
	}
	// Releasing one winner's use frees it for exactly one more buyer.
	released := false
	for i := 0; i < 50 && !released; i++ {
		if _, err := s.Reservation(ctx, fmt.Sprintf("order-%d", i)); err == nil {
			if err := s.Release(ctx, fmt.Sprintf("order-%d", i)); err != nil {
				t.Fatal(err)
			}
			released = true
		}
	}
	ok, refused = race(t, 5, func(i int) error {
		_, err := s.Reserve(ctx, "TEN-ONLY", "late", fmt.Sprintf("late-%d", i), eur(1000), nil, t0)
		return err
	})
	if ok != 1 || len(refused) != 4 || !errors.Is(refused[0], discounts.ErrUsedUp) {
		t.Fatalf("after one release: %d reserved, refused %v; want 1 and 4 used up", ok, refused)
	}
	if _, u := must2(t, s, "TEN-ONLY"); u != (discounts.Usage{Reserved: 10, Released: 1}) {
		t.Fatalf("usage = %+v, want 10 reserved, 1 released", u)
	}
}

// RacePerCustomer: one customer's orders race for a code allowed twice per
// customer; exactly 2 get it, and another customer still may.
func RacePerCustomer(t *testing.T, s *discounts.Service) {
	ctx := context.Background()
	must[discounts.Code](t)(s.Create(ctx, discounts.Spec{Code: "TWICE", Kind: discounts.KindFreeShipping, MaxUsesPerCustomer: 2}))
	ok, refused := race(t, 20, func(i int) error {
		_, err := s.Reserve(ctx, "TWICE", "greedy", fmt.Sprintf("order-%d", i), eur(1000), nil, t0)
		return err
	})
	if ok != 2 || len(refused) != 18 {
		t.Fatalf("%d reserved, %d refused; want 2 and 18", ok, len(refused))
	}
	for _, err := range refused {
		if !errors.Is(err, discounts.ErrCustomerLimit) {
			t.Fatalf("refused with %v, want ErrCustomerLimit", err)
		}
	}
	if _, err := s.Redeemer().Check(ctx, "TWICE", "greedy", eur(1000), nil); !errors.Is(err, discounts.ErrCustomerLimit) {
		t.Fatalf("Check for the customer at the limit: %v", err)
	}
	if _, err := s.Reserve(ctx, "TWICE", "modest", "modest-1", eur(1000), nil, t0); err != nil {
		t.Fatalf("another customer: %v", err)
	}
}

// RaceOneOrder: a checkout retried many times at once reserves once.
func RaceOneOrder(t *testing.T, s *discounts.Service) {
	ctx := context.Background()
	must[discounts.Code](t)(s.Create(ctx, discounts.Spec{Code: "RETRY", Kind: discounts.KindFreeShipping, MaxUses: 10}))
	ok, refused := race(t, 20, func(int) error {
		_, err := s.Reserve(ctx, "RETRY", "buyer", "the-order", eur(1000), nil, t0)
		return err
	})
	if ok != 20 {
		t.Fatalf("%d of 20 retries succeeded: %v", ok, refused)
	}
	if _, u := must2(t, s, "RETRY"); u != (discounts.Usage{Reserved: 1}) {
		t.Fatalf("usage = %+v, want one reservation", u)
	}
}
