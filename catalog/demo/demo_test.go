package demo

import "testing"

// TestTaxAndWeight: every demo product has a shipping weight, and the books
// (only they) are taxed at the reduced rate.
func TestTaxAndWeight(t *testing.T) {
	t.Parallel()
	for _, p := range Products() {
		if p.WeightGrams() <= 0 || p.WeightGrams() > 31500 {
			t.Errorf("%s weighs %d g", p.SKU, p.WeightGrams())
		}
		if want := map[bool]string{true: "reduced", false: "standard"}[p.Category == "Books"]; p.TaxClass() != want {
			t.Errorf("%s (%s): tax class %s, want %s", p.SKU, p.Category, p.TaxClass(), want)
		}
	}
	if len(weights) != len(Products()) {
		t.Errorf("%d weights for %d products", len(weights), len(Products()))
	}
}
