package basket

import (
	"context"

	domain "github.com/evshop/shop/domain/basket"
)

// ClearBasket empties the basket.
type ClearBasket struct {
	BasketID domain.ID
	IfMatch  *uint64
}

// ClearBasket handles ClearBasket.
func (h *Handlers) ClearBasket(ctx context.Context, cmd ClearBasket) (State, error) {
	return h.change(ctx, cmd.BasketID, cmd.IfMatch, func(b *domain.Basket) error { b.Clear(); return nil })
}
