package baskets

import (
	"context"
	"testing"

	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
)

// TestRepricedAndUnavailableLines: the checkout's price check reprices a line
// and removes one whose product is gone; the view and its catch-up fold
// agree.
func TestRepricedAndUnavailableLines(t *testing.T) {
	t.Parallel()
	eur := func(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }
	evs := append(history(t)[:2],
		recorded(t, 2, 30, domain.ItemRepriced{BasketID: bid, SKU: "MUG", OldUnitPrice: eur(1250), UnitPrice: eur(1400)}),
		recorded(t, 3, 31, domain.ItemRemoved{BasketID: bid, SKU: "TEE", Reason: domain.RemovedUnavailable}))
	s := NewMemory()
	p, _ := NewProjector(s)
	var folded View
	for _, ev := range evs {
		if err := p.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		var err error
		if folded, err = CatchUp(folded, bid, ev); err != nil {
			t.Fatal(err)
		}
	}
	v, err := s.Get(context.Background(), bid)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []View{v, folded} {
		if got.Version != 4 || len(got.Lines) != 1 || got.Lines[0].UnitPrice != eur(1400) || got.Total() != eur(1400) {
			t.Fatalf("view %+v", got)
		}
	}
}
