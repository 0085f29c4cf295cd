package basket

import (
	"context"

	domain "github.com/evshop/shop/domain/basket"
)

// ChangeItemQuantity sets the quantity of a line.
type ChangeItemQuantity struct {
	BasketID domain.ID
	SKU      string
	Quantity int
	IfMatch  *uint64
}

// ChangeItemQuantity handles ChangeItemQuantity.
func (h *Handlers) ChangeItemQuantity(ctx context.Context, cmd ChangeItemQuantity) (State, error) {
	sku, err := domain.NewSKU(cmd.SKU)
	if err != nil {
		return State{}, err
	}
	q, err := domain.NewQuantity(cmd.Quantity)
	if err != nil {
		return State{}, err
	}
	return h.change(ctx, cmd.BasketID, cmd.IfMatch, func(b *domain.Basket) error { return b.ChangeQuantity(sku, q) })
}
