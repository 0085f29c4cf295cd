package basket

import (
	"context"
	"time"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// DiscountService adapts the discounts service (package discounts) to
// Discounts: its refusals are DiscountRefusals as they are.
type DiscountService struct {
	Service *discounts.Service
	// Now is the clock codes are checked at; default time.Now.
	Now func() time.Time
}

var _ Discounts = DiscountService{}

func (s DiscountService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func categories(lines []pricing.Line) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, l.Category)
	}
	return out
}

// Check implements DiscountChecker.
func (s DiscountService) Check(ctx context.Context, code, customerKey string, lines []pricing.Line, subtotal money.Money) (pricing.Discount, error) {
	c, err := s.Service.Check(ctx, code, customerKey, subtotal, categories(lines), s.now())
	if err != nil {
		return pricing.Discount{}, err
	}
	return c.Pricing(), nil
}

// Reserve implements DiscountReserver.
func (s DiscountService) Reserve(ctx context.Context, code, customerKey, orderID string, lines []pricing.Line, subtotal money.Money) (pricing.Discount, error) {
	c, err := s.Service.Reserve(ctx, code, customerKey, orderID, subtotal, categories(lines), s.now())
	if err != nil {
		return pricing.Discount{}, err
	}
	return c.Pricing(), nil
}

// Release implements DiscountReserver.
func (s DiscountService) Release(ctx context.Context, orderID string) error {
	return s.Service.Release(ctx, orderID)
}
