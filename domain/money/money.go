// Package money is the shop's amount type: integer minor units plus an ISO
// 4217 currency. There is no float anywhere.
package money

import (
	"errors"
	"fmt"
)

// ErrInvalid is returned for a malformed amount or currency.
var ErrInvalid = errors.New("money: invalid amount")

// ErrCurrencyMismatch is returned when combining different currencies.
var ErrCurrencyMismatch = errors.New("money: currency mismatch")

// MaxAmount bounds any single amount (10 million in major units) so sums of
// many lines cannot overflow int64.
const MaxAmount int64 = 1_000_000_000

// Money is an amount in minor units (cents) of a currency.
type Money struct {
	amount   int64
	currency string
}

// New validates amount (0..MaxAmount) and currency (three upper-case letters).
func New(amount int64, currency string) (Money, error) {
	if amount < 0 || amount > MaxAmount {
		return Money{}, fmt.Errorf("%w: %d out of range", ErrInvalid, amount)
	}
	if !validCurrency(currency) {
		return Money{}, fmt.Errorf("%w: currency %q", ErrInvalid, currency)
	}
	return Money{amount: amount, currency: currency}, nil
}

// Zero is 0 of currency.
func Zero(currency string) Money { return Money{currency: currency} }

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// Amount is the minor-unit amount.
func (m Money) Amount() int64 { return m.amount }

// Currency is the ISO code.
func (m Money) Currency() string { return m.currency }

// Add sums two amounts of one currency.
func (m Money) Add(o Money) (Money, error) {
	if m.currency == "" {
		return o, nil
	}
	if o.currency != m.currency {
		return Money{}, ErrCurrencyMismatch
	}
	return Money{amount: m.amount + o.amount, currency: m.currency}, nil
}

// Times multiplies by a quantity.
func (m Money) Times(q int) Money { return Money{amount: m.amount * int64(q), currency: m.currency} }

// String formats for logs, e.g. "12.34 EUR".
func (m Money) String() string {
	return fmt.Sprintf("%d.%02d %s", m.amount/100, m.amount%100, m.currency)
}

// DTO is Money's wire shape in events and JSON APIs.
type DTO struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// DTO returns the wire shape.
func (m Money) DTO() DTO { return DTO{Amount: m.amount, Currency: m.currency} }

// FromDTO validates a wire shape.
func FromDTO(d DTO) (Money, error) { return New(d.Amount, d.Currency) }
