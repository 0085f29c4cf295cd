package basket

import (
	"context"
	"fmt"

	domain "github.com/evshop/shop/domain/basket"
)

// AddItem puts Quantity of SKU in the basket, with the catalog's current
// name and price as the line's snapshot.
type AddItem struct {
	BasketID domain.ID
	SKU      string
	Quantity int
	IfMatch  *uint64
}

// AddItem handles AddItem. The catalog is asked before loading the basket:
// a refused SKU never touches the event store.
func (h *Handlers) AddItem(ctx context.Context, cmd AddItem) (State, error) {
	sku, err := domain.NewSKU(cmd.SKU)
	if err != nil {
		return State{}, err
	}
	q, err := domain.NewQuantity(cmd.Quantity)
	if err != nil {
		return State{}, err
	}
	p, err := h.products.Lookup(ctx, sku.String())
	if err != nil {
		return State{}, fmt.Errorf("basket: lookup %s: %w", sku, err)
	}
	if p.Archived || p.SKU != sku.String() {
		return State{}, fmt.Errorf("%w: %s", ErrUnknownProduct, sku)
	}
	product, err := domain.NewProduct(sku, p.Name, p.Category, p.Price)
	if err == nil {
		product, err = product.WithTaxAndWeight(p.TaxClass, p.WeightGrams)
	}
	if err != nil {
		return State{}, fmt.Errorf("%w: catalog snapshot of %s: %w", ErrUnknownProduct, sku, err)
	}
	return h.change(ctx, cmd.BasketID, cmd.IfMatch, func(b *domain.Basket) error { return b.AddItem(product, q) })
}
