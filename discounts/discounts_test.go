package discounts_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/discounts/memstore"
	"github.com/evshop/shop/domain/money"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func eur(a int64) money.Money {
	m, err := money.New(a, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}

func TestNewCode(t *testing.T) {
	t.Parallel()
	usd, _ := money.New(100, "USD")
	tests := []struct {
		name   string
		spec   discounts.Spec
		fields []string // the invalid fields, in order; none: valid
	}{
		{"percentage", discounts.Spec{Code: " spring_10 ", Kind: discounts.KindPercentage, PercentOff: 10}, nil},
		{"fixed with everything", discounts.Spec{Code: "ABC", Kind: discounts.KindFixed, AmountOff: eur(500), MinSubtotal: eur(2000),
			Window: discounts.Window{From: t0, Until: t0.Add(time.Hour)}, MaxUses: 10, MaxUsesPerCustomer: 1, Categories: []string{"Shoes"}}, nil},
		{"free shipping", discounts.Spec{Code: "SHIPFREE", Kind: discounts.KindFreeShipping}, nil},
		{"code too short", discounts.Spec{Code: "AB", Kind: discounts.KindFreeShipping}, []string{"code"}},
		{"code too long", discounts.Spec{Code: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", Kind: discounts.KindFreeShipping}, []string{"code"}},
		{"code with a space", discounts.Spec{Code: "NO SPACE", Kind: discounts.KindFreeShipping}, []string{"code"}},
		{"code not ASCII", discounts.Spec{Code: "ÉTÉ2026", Kind: discounts.KindFreeShipping}, []string{"code"}},
		{"unknown kind", discounts.Spec{Code: "ABC", Kind: "bogof"}, []string{"kind"}},
		{"percentage 0", discounts.Spec{Code: "ABC", Kind: discounts.KindPercentage}, []string{"percentOff"}},
		{"percentage 101", discounts.Spec{Code: "ABC", Kind: discounts.KindPercentage, PercentOff: 101}, []string{"percentOff"}},
		{"percentage with an amount", discounts.Spec{Code: "ABC", Kind: discounts.KindPercentage, PercentOff: 5, AmountOff: eur(1)}, []string{"amountOff"}},
		{"fixed without amount", discounts.Spec{Code: "ABC", Kind: discounts.KindFixed}, []string{"amountOff"}},
		{"fixed of zero", discounts.Spec{Code: "ABC", Kind: discounts.KindFixed, AmountOff: eur(0)}, []string{"amountOff"}},
		{"fixed with percent", discounts.Spec{Code: "ABC", Kind: discounts.KindFixed, AmountOff: eur(1), PercentOff: 3}, []string{"percentOff"}},
		{"free shipping with amounts", discounts.Spec{Code: "ABC", Kind: discounts.KindFreeShipping, PercentOff: 3, AmountOff: eur(1)}, []string{"percentOff", "amountOff"}},
		{"window backwards", discounts.Spec{Code: "ABC", Kind: discounts.KindFreeShipping, Window: discounts.Window{From: t0, Until: t0}}, []string{"validUntil"}},
		{"minimum of zero", discounts.Spec{Code: "ABC", Kind: discounts.KindFreeShipping, MinSubtotal: eur(0)}, []string{"minSubtotal"}},
		{"minimum in another currency", discounts.Spec{Code: "ABC", Kind: discounts.KindFixed, AmountOff: eur(100), MinSubtotal: usd}, []string{"minSubtotal"}},
		{"negative limits", discounts.Spec{Code: "ABC", Kind: discounts.KindFreeShipping, MaxUses: -1, MaxUsesPerCustomer: -1}, []string{"maxUses", "maxUsesPerCustomer"}},
		{"bad category", discounts.Spec{Code: "ABC", Kind: discounts.KindFreeShipping, Categories: []string{"<script>"}}, []string{"categories"}},
		{"too many categories", discounts.Spec{Code: "ABC", Kind: discounts.KindFreeShipping, Categories: make([]string, discounts.MaxCategories+1)}, []string{"categories"}},
		{"everything wrong at once", discounts.Spec{Code: "x", Kind: "?", MaxUses: -5}, []string{"code", "kind", "maxUses"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := discounts.NewCode(tt.spec, t0)
			var inv *discounts.InvalidError
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("NewCode: %v", err)
				}
				if c.Code != discounts.Normalize(tt.spec.Code) || !c.CreatedAt.Equal(t0) {
					t.Fatalf("NewCode = %+v", c)
				}
				return
			}
			if !errors.As(err, &inv) || !errors.Is(err, discounts.ErrInvalid) {
				t.Fatalf("NewCode err = %v, want an InvalidError", err)
			}
			var got []string
			for _, f := range inv.Fields {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tt.fields) {
				t.Fatalf("invalid fields %v, want %v (%v)", got, tt.fields, err)
			}
		})
	}
}

func TestEligible(t *testing.T) {
	t.Parallel()
	code := func(edit func(*discounts.Code)) discounts.Code {
		c := discounts.Code{Code: "ABC", Kind: discounts.KindPercentage, PercentOff: 10}
		edit(&c)
		return c
	}
	basket := discounts.Basket{CustomerKey: "c1", Subtotal: eur(3000), Categories: []string{"Shoes", "Hats"}}
	none := func(*discounts.Code) {}
	tests := []struct {
		name    string
		code    discounts.Code
		basket  discounts.Basket
		usage   discounts.Usage
		mine    int
		now     time.Time
		want    error
		message string
	}{
		{"plain", code(none), basket, discounts.Usage{}, 0, t0, nil, ""},
		{"paused", code(func(c *discounts.Code) { c.Paused = true }), basket, discounts.Usage{}, 0, t0, discounts.ErrPaused, ""},
		{"window opens at From", code(func(c *discounts.Code) { c.Window.From = t0 }), basket, discounts.Usage{}, 0, t0, nil, ""},
		{"before From", code(func(c *discounts.Code) { c.Window.From = t0 }), basket, discounts.Usage{}, 0, t0.Add(-time.Nanosecond), discounts.ErrNotYetValid, "not valid yet (from 2026-03-01T12:00:00Z)"},
		{"at Until", code(func(c *discounts.Code) { c.Window.Until = t0 }), basket, discounts.Usage{}, 0, t0, discounts.ErrExpired, ""},
		{"just before Until", code(func(c *discounts.Code) { c.Window.Until = t0 }), basket, discounts.Usage{}, 0, t0.Add(-time.Nanosecond), nil, ""},
		{"minimum met exactly", code(func(c *discounts.Code) { c.MinSubtotal = eur(3000) }), basket, discounts.Usage{}, 0, t0, nil, ""},
		{"minimum not met", code(func(c *discounts.Code) { c.MinSubtotal = eur(3001) }), basket, discounts.Usage{}, 0, t0, discounts.ErrMinimumNotMet, "minimum 30.01 EUR"},
		{"other currency", code(func(c *discounts.Code) { c.Kind, c.PercentOff, c.AmountOff = discounts.KindFixed, 0, eur(5) }),
			discounts.Basket{Subtotal: money.Zero("USD")}, discounts.Usage{}, 0, t0, discounts.ErrNotApplicable, "in EUR"},
		{"a matching category", code(func(c *discounts.Code) { c.Categories = []string{"Bags", "Hats"} }), basket, discounts.Usage{}, 0, t0, nil, ""},
		{"no matching category", code(func(c *discounts.Code) { c.Categories = []string{"Bags"} }), basket, discounts.Usage{}, 0, t0, discounts.ErrNotApplicable, "only for Bags"},
		{"uses left", code(func(c *discounts.Code) { c.MaxUses = 3 }), basket, discounts.Usage{Reserved: 1, Used: 1, Released: 9}, 0, t0, nil, ""},
		{"used up, reserved and committed", code(func(c *discounts.Code) { c.MaxUses = 3 }), basket, discounts.Usage{Reserved: 1, Used: 2}, 0, t0, discounts.ErrUsedUp, ""},
		{"customer below the limit", code(func(c *discounts.Code) { c.MaxUsesPerCustomer = 2 }), basket, discounts.Usage{}, 1, t0, nil, ""},
		{"customer at the limit", code(func(c *discounts.Code) { c.MaxUsesPerCustomer = 2 }), basket, discounts.Usage{}, 2, t0, discounts.ErrCustomerLimit, ""},
		{"paused wins over expired", code(func(c *discounts.Code) { c.Paused, c.Window.Until = true, t0 }), basket, discounts.Usage{}, 0, t0, discounts.ErrPaused, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.code.Eligible(tt.basket, tt.usage, tt.mine, tt.now)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Eligible = %v, want %v", err, tt.want)
			}
			if tt.message != "" && !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("message %q does not say %q", err, tt.message)
			}
			if err != nil {
				if r, ok := discounts.RefusalOf(err); !ok || r != tt.want {
					t.Fatalf("RefusalOf(%v) = %v, %v", err, r, ok)
				}
			}
		})
	}
}

// TestRefusalReasons pins the machine reasons: clients branch on them.
func TestRefusalReasons(t *testing.T) {
	t.Parallel()
	want := map[string]bool{"unknown": false, "paused": false, "not_yet_valid": false, "expired": false,
		"minimum_not_met": false, "used_up": true, "customer_limit": true, "not_applicable": false}
	got := map[string]bool{}
	for _, r := range discounts.Refusals() {
		got[r.Reason()] = r.Conflict()
		if r.Error() == "" {
			t.Errorf("%s has no message", r.Reason())
		}
	}
	if len(got) != len(want) {
		t.Fatalf("reasons %v, want %v", got, want)
	}
	for reason, conflict := range want {
		if c, ok := got[reason]; !ok || c != conflict {
			t.Errorf("reason %q: present %v, conflict %v; want conflict %v", reason, ok, c, conflict)
		}
	}
}

func TestChangeApply(t *testing.T) {
	t.Parallel()
	base, err := discounts.NewCode(discounts.Spec{Code: "ABC", Kind: discounts.KindFixed, AmountOff: eur(100), MaxUses: 5}, t0)
	if err != nil {
		t.Fatal(err)
	}
	yes, zero, negative := true, 0, -2
	later := t0.Add(time.Hour)
	got, err := discounts.Change{Paused: &yes, MaxUses: &zero, Window: &discounts.Window{From: t0}}.Apply(base, later)
	if err != nil || !got.Paused || got.MaxUses != 0 || !got.Window.From.Equal(t0) || !got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("Apply = %+v, %v", got, err)
	}
	if _, err := (discounts.Change{MaxUsesPerCustomer: &negative}).Apply(base, later); !errors.Is(err, discounts.ErrInvalid) {
		t.Fatalf("negative limit: %v", err)
	}
	usd, _ := money.New(1000, "USD")
	if _, err := (discounts.Change{MinSubtotal: &usd}).Apply(base, later); !errors.Is(err, discounts.ErrInvalid) {
		t.Fatalf("minimum in another currency than the amount: %v", err)
	}
	if got, err := (discounts.Change{}).Apply(base, later); err != nil || got.Paused != base.Paused || got.MaxUses != 5 {
		t.Fatalf("empty change = %+v, %v", got, err)
	}
}

func TestPricing(t *testing.T) {
	t.Parallel()
	specs := []discounts.Spec{
		{Code: "PCT", Kind: discounts.KindPercentage, PercentOff: 15, Categories: []string{"Shoes"}},
		{Code: "FIX", Kind: discounts.KindFixed, AmountOff: eur(250)},
		{Code: "SHIP", Kind: discounts.KindFreeShipping},
	}
	for _, s := range specs {
		c, err := discounts.NewCode(s, t0)
		if err != nil {
			t.Fatal(err)
		}
		d := c.Pricing()
		if err := d.Validate(); err != nil {
			t.Errorf("%s: pricing refuses the conversion: %v", s.Code, err)
		}
		if d.Code != c.Code || string(d.Kind) != string(c.Kind) || d.PercentOff != c.PercentOff || d.AmountOff != c.AmountOff ||
			!slices.Equal(d.Categories, c.Categories) {
			t.Errorf("%s: Pricing() = %+v from %+v", s.Code, d, c)
		}
	}
}

func TestReserveNeedsOrderAndCustomer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, err := discounts.New(discounts.Config{Store: memstore.New()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, discounts.Spec{Code: "ABC", Kind: discounts.KindFreeShipping}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, code, customer, order string
		want                        error
	}{
		{"no order", "ABC", "c1", "", discounts.ErrInvalid},
		{"overlong order", "ABC", "c1", strings.Repeat("o", discounts.MaxOrderIDLength+1), discounts.ErrInvalid},
		{"no customer", "ABC", "", "o1", discounts.ErrInvalid},
		{"malformed code", "a b", "c1", "o1", discounts.ErrUnknown},
		{"typed in lower case", "abc", "c1", "o1", nil},
	}
	for _, tt := range tests {
		if _, err := svc.Reserve(ctx, tt.code, tt.customer, tt.order, eur(100), nil, t0); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}
