package invoices_test

import (
	"testing"

	"github.com/evshop/shop/invoices"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		prefix string
		n      int64
		want   string
	}{
		{"INV-", 1, "INV-000001"},
		{"CN-", 42, "CN-000042"},
		{"", 999999, "999999"},
		{"INV-", 1234567, "INV-1234567"},
	} {
		if got := invoices.Format(tt.prefix, tt.n); got != tt.want {
			t.Errorf("Format(%q, %d) = %q, want %q", tt.prefix, tt.n, got, tt.want)
		}
	}
}

func TestValidPrefix(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		"INV-": true, "": true, "RE_2026-": true, "A/B": false, "INV ": false, "ÄÖ": false, "12345678901234567": false,
	} {
		if got := invoices.ValidPrefix(p); got != want {
			t.Errorf("ValidPrefix(%q) = %v, want %v", p, got, want)
		}
	}
}
