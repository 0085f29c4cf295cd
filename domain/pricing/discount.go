package pricing

import (
	"regexp"
	"sort"

	"github.com/evshop/shop/domain/money"
)

// DiscountKind says what a discount takes off. Its values are wire values.
type DiscountKind string

// The discount kinds.
const (
	DiscountPercentage   DiscountKind = "percentage"
	DiscountFixed        DiscountKind = "fixed"
	DiscountFreeShipping DiscountKind = "free_shipping"
)

// Discount is a validated discount code's effect on a quote. Which code may
// be used, when and how often is the discount store's business, not this
// package's.
type Discount struct {
	Code string
	Kind DiscountKind
	// PercentOff, 1..100, for DiscountPercentage.
	PercentOff int
	// AmountOff, positive, for DiscountFixed.
	AmountOff money.Money
	// Categories restricts the discount to lines of these categories; empty
	// means every line.
	Categories []string
}

// Limits of a discount.
const (
	MaxDiscountCategories = 20
	maxCategoryLen        = 40
)

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// ValidCode reports whether s is a well-formed discount code: 1-32 letters,
// digits, '_' or '-', starting with a letter or digit.
func ValidCode(s string) bool { return codePattern.MatchString(s) }

// Validate checks d's shape.
func (d Discount) Validate() error {
	if !ValidCode(d.Code) {
		return invalid("discount code %q", truncate(d.Code, 40))
	}
	switch d.Kind {
	case DiscountPercentage:
		if d.PercentOff < 1 || d.PercentOff > 100 {
			return invalid("discount %s: percent off must be 1..100", d.Code)
		}
	case DiscountFixed:
		if d.AmountOff.Currency() == "" || d.AmountOff.Amount() <= 0 {
			return invalid("discount %s: a fixed discount needs a positive amount", d.Code)
		}
	case DiscountFreeShipping:
	default:
		return invalid("discount %s: kind %q (percentage, fixed or free_shipping)", d.Code, truncate(string(d.Kind), 20))
	}
	if len(d.Categories) > MaxDiscountCategories {
		return invalid("discount %s: at most %d categories", d.Code, MaxDiscountCategories)
	}
	for _, c := range d.Categories {
		if c == "" || len(c) > maxCategoryLen*4 {
			return invalid("discount %s: empty or overlong category", d.Code)
		}
	}
	return nil
}

func (d Discount) applies(category string) bool {
	if len(d.Categories) == 0 {
		return true
	}
	for _, c := range d.Categories {
		if c == category {
			return true
		}
	}
	return false
}

// DiscountDTO is a discount on the wire (orders, events, the API).
type DiscountDTO struct {
	Code       string     `json:"code"`
	Kind       string     `json:"kind"`
	PercentOff int        `json:"percentOff,omitempty"`
	AmountOff  *money.DTO `json:"amountOff,omitempty"`
	Categories []string   `json:"categories,omitempty"`
}

// DTO returns the wire shape.
func (d Discount) DTO() DiscountDTO {
	out := DiscountDTO{Code: d.Code, Kind: string(d.Kind), PercentOff: d.PercentOff}
	if d.Kind == DiscountFixed {
		a := d.AmountOff.DTO()
		out.AmountOff = &a
	}
	if len(d.Categories) > 0 {
		out.Categories = append([]string(nil), d.Categories...)
	}
	return out
}

// DiscountFromDTO validates a wire shape.
func DiscountFromDTO(d DiscountDTO) (Discount, error) {
	out := Discount{Code: d.Code, Kind: DiscountKind(d.Kind), PercentOff: d.PercentOff}
	if d.AmountOff != nil {
		a, err := money.FromDTO(*d.AmountOff)
		if err != nil {
			return Discount{}, invalid("discount %s: %v", truncate(d.Code, 40), err)
		}
		out.AmountOff = a
	}
	if len(d.Categories) > 0 {
		out.Categories = append([]string(nil), d.Categories...)
	}
	if err := out.Validate(); err != nil {
		return Discount{}, err
	}
	if out.Kind != DiscountFixed && d.AmountOff != nil || out.Kind != DiscountPercentage && d.PercentOff != 0 {
		return Discount{}, invalid("discount %s: amountOff is for fixed, percentOff for percentage discounts", d.Code)
	}
	return out, nil
}

// Allocate spreads total over amounts in proportion to them: each share is
// rounded down, then the minor units left over go one each to the largest
// amounts (ties: the earlier). The shares add up to total exactly and none
// exceeds its amount, provided 0 <= total <= sum(amounts).
func Allocate(total int64, amounts []int64) []int64 {
	shares := make([]int64, len(amounts))
	var sum int64
	for _, a := range amounts {
		sum += a
	}
	if total <= 0 || sum <= 0 {
		return shares
	}
	if total >= sum {
		copy(shares, amounts)
		return shares
	}
	left := total
	for i, a := range amounts {
		// a*total fits in int64 while both are at most money.MaxAmount (1e9),
		// which Quote enforces for the subtotal.
		shares[i] = a * total / sum
		left -= shares[i]
	}
	order := make([]int, len(amounts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return amounts[order[x]] > amounts[order[y]] })
	for _, i := range order {
		if left == 0 {
			break
		}
		if shares[i] < amounts[i] {
			shares[i]++
			left--
		}
	}
	return shares
}
