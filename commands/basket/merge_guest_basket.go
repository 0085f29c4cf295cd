package basket

import (
	"context"
	"errors"

	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/eventstore"
)

// MergeGuestBasket moves the lines of the guest basket (token from the
// basket_id cookie) into the customer's basket. Auth calls it at login and the
// storefront via POST /api/basket/merge. It is safe to repeat: the customer's
// basket remembers which guest version it merged.
func (h *Handlers) MergeGuestBasket(ctx context.Context, guestToken, customerID string) (State, error) {
	guestID, err := domain.GuestBasket(guestToken)
	if err != nil {
		return State{}, err
	}
	custID, err := domain.CustomerBasket(customerID)
	if err != nil {
		return State{}, err
	}
	guest, err := h.repo.Load(ctx, guestID.String())
	if err != nil {
		return State{}, err
	}
	st, err := h.change(ctx, custID, nil, func(b *domain.Basket) error {
		_, err := b.Merge(guest)
		return err
	})
	if err != nil {
		return State{}, err
	}
	// Empty the guest basket at exactly the version merged. If the guest
	// basket changed meanwhile it is left alone: the next merge takes it.
	guest.ClearMerged()
	if _, err := h.repo.Save(ctx, guestID.String(), guest, h.metadata(ctx)); err != nil && !errors.Is(err, eventstore.ErrConcurrency) {
		return State{}, err
	}
	return st, nil
}
