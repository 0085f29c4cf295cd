package catalog_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/memory"
	domain "github.com/evshop/shop/domain/catalog"
	esmemory "github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/messaging"
)

func TestReturnToStock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, err := catalog.New(catalog.Config{Store: memory.New()})
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
