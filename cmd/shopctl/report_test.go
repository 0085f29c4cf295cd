package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/evshop/shop/projections/sales"
)

// `report sales` reads the sales model in each format; the seeded history
// was appended today, so the default period (30 days to today) holds it.
func TestReportSales(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t)
	b := newMemBackend(t, es)
	var fromJSON sales.Report
	if r := b.run(t, "report", "sales", "--by", "product", "--format", "json"); r.code != 0 || json.Unmarshal([]byte(r.stdout), &fromJSON) != nil {
		t.Fatalf("json: %+v", r)
	}
	if len(fromJSON.Totals) != 1 || fromJSON.Totals[0].Orders == 0 || len(fromJSON.Products) == 0 {
		t.Fatalf("report %+v", fromJSON)
	}
	tests := []struct {
		name string
		args []string
		code int
		want func(t *testing.T, stdout string)
	}{
		{"csv by product", []string{"--by", "product", "--format", "csv"}, 0, func(t *testing.T, out string) {
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil || len(recs) != len(fromJSON.Products)+1 || recs[0][0] != "sku" || recs[1][0] != fromJSON.Products[0].SKU {
				t.Fatalf("csv %q %v", out, err)
			}
		}},
		{"table by day", []string{"--by", "day"}, 0, func(t *testing.T, out string) {
			if !strings.Contains(out, "DAY") || !strings.Contains(out, "EUR: orders ") || strings.Count(out, "\n") < 30 {
				t.Fatalf("table %s", out)
			}
		}},
		{"table by category", []string{"--by", "category", "--from", "2026-01-01", "--to", "2026-01-31"}, 0, func(t *testing.T, out string) {
			if !strings.Contains(out, "CATEGORY") || strings.Contains(out, "EUR: orders") {
				t.Fatalf("an empty period shows totals: %s", out)
			}
		}},
		{"bad breakdown", []string{"--by", "week"}, 2, nil},
		{"bad format", []string{"--format", "xml"}, 2, nil},
		{"bad date", []string{"--from", "yesterday"}, 2, nil},
		{"reversed period", []string{"--from", "2026-02-01", "--to", "2026-01-01"}, 2, nil},
		{"stray argument", []string{"now"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.run(t, append([]string{"report", "sales"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.code, r.stderr)
			}
			if tt.want != nil {
				tt.want(t, r.stdout)
			}
		})
	}
}
