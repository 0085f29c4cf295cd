package basket

import (
	"context"

	domain "github.com/evshop/shop/domain/basket"
)

// RemoveItem takes a line out of the basket.
type RemoveItem struct {
	BasketID domain.ID
	SKU      string
	IfMatch  *uint64
}

// RemoveItem handles RemoveItem.
func (h *Handlers) RemoveItem(ctx context.Context, cmd RemoveItem) (State, error) {
	sku, err := domain.NewSKU(cmd.SKU)
	if err != nil {
		return State{}, err
	}
	return h.change(ctx, cmd.BasketID, cmd.IfMatch, func(b *domain.Basket) error { return b.RemoveItem(sku) })
}
