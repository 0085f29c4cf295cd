package catalog_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/memory"
	movesmemory "github.com/evshop/shop/catalog/stockmoves/memory"
	domain "github.com/evshop/shop/domain/catalog"
	esmemory "github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/messaging"
)

func TestReturnToStock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	moves := movesmemory.New()
	svc, err := catalog.New(catalog.Config{Store: memory.New(), Moves: moves})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	store := esmemory.New()
	h, err := catalog.NewReturnHandlers(svc, store)
	if err != nil {
		t.Fatal(err)
	}
	onHand := func() int {
		p, err := svc.Get(ctx, "KIT-001")
		if err != nil {
			t.Fatal(err)
		}
		return p.OnHand()
	}
	start := onHand()
	order := uuid.NewString()
	restock := &domain.ReturnToStock{ReturnID: order + "-r1", OrderID: order, SKU: "KIT-001", Quantity: 2, Disposition: domain.DispositionRestock}
	damaged := &domain.ReturnToStock{ReturnID: order + "-r1", OrderID: order, SKU: "KIT-001", Quantity: 1, Disposition: domain.DispositionDamaged}
	tests := []struct {
		name string
		cmd  *domain.ReturnToStock
		want int // on hand after, relative to start
	}{
		{"restock puts units back", restock, 2},
		{"a redelivered restock changes nothing", restock, 2},
		{"a damaged unit is written off, not put back", damaged, 2},
		{"a redelivered write-off changes nothing", damaged, 2},
		{"another return of the same SKU counts", &domain.ReturnToStock{ReturnID: order + "-r2", OrderID: order, SKU: "KIT-001", Quantity: 1, Disposition: domain.DispositionRestock}, 3},
	}
	for _, tt := range tests {
		if err := h.ReturnToStock(ctx, tt.cmd); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := onHand() - start; got != tt.want {
			t.Fatalf("%s: on hand %+d, want %+d", tt.name, got, tt.want)
		}
	}
	marks := 0
	for ev, err := range store.Read(ctx, domain.StockStream(order), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == domain.EventStockReturned {
			marks++
		}
	}
	if marks != 3 {
		t.Fatalf("%d StockReturned marks, want 3", marks)
	}
	// The stock history holds each once: units put back, units written off.
	page, err := svc.Movements(ctx, "KIT-001", 1, 50)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range page.Items {
		got[string(m.Reason)+" "+m.Ref] = m.Quantity
	}
	want := map[string]int{
		"returned return:" + order + "-r1/KIT-001/restock":    2,
		"written_off return:" + order + "-r1/KIT-001/damaged": 1,
		"returned return:" + order + "-r2/KIT-001/restock":    1,
	}
	if len(got) != len(want) {
		t.Fatalf("movements %v, want %v", got, want)
	}
	for k, q := range want {
		if got[k] != q {
			t.Fatalf("movements %v, want %v", got, want)
		}
	}
	// A crash after the units moved but before the mark: the redelivered
	// command finds the movement by its reference and moves nothing again.
	lost := &domain.ReturnToStock{ReturnID: order + "-r3", OrderID: order, SKU: "KIT-001", Quantity: 4, Disposition: domain.DispositionRestock}
	if _, _, err := svc.MoveStock(ctx, catalog.Movement{SKU: "KIT-001", Reason: "returned", Delta: 4, Ref: "return:" + order + "-r3/KIT-001/restock"}); err != nil {
		t.Fatal(err)
	}
	if err := h.ReturnToStock(ctx, lost); err != nil {
		t.Fatal(err)
	}
	if got := onHand() - start; got != 7 {
		t.Fatalf("after a redelivery past a crash: on hand %+d, want +7", got)
	}

	refusals := []*domain.ReturnToStock{
		{ReturnID: order + "-r1", OrderID: "nope", SKU: "KIT-001", Quantity: 1, Disposition: "restock"},
		{ReturnID: uuid.NewString() + "-r1", OrderID: order, SKU: "KIT-001", Quantity: 1, Disposition: "restock"},
		{ReturnID: order + "-r1", OrderID: order, SKU: "KIT-001", Quantity: 0, Disposition: "restock"},
		{ReturnID: order + "-r1", OrderID: order, SKU: "KIT-001", Quantity: 1, Disposition: "lost"},
		{ReturnID: order + "-r1", OrderID: order, SKU: "bad sku!", Quantity: 1, Disposition: "restock"},
	}
	for i, cmd := range refusals {
		if err := h.ReturnToStock(ctx, cmd); !messaging.IsPermanent(err) {
			t.Fatalf("refusal %d: %v, want a permanent failure", i, err)
		}
	}
}
