package sales

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// CSVHeader is the header row of a report of the given breakdown.
func CSVHeader(by By) []string {
	switch by {
	case ByProduct:
		return []string{"sku", "name", "category", "currency", "quantity", "orders", "gross", "net"}
	case ByCategory:
		return []string{"category", "currency", "quantity", "orders", "gross", "net"}
	}
	return []string{"day", "currency", "orders", "gross", "net", "averageOrderValue", "refunds", "refunded", "refundRate",
		"basketsFilled", "basketsCheckedOut", "conversionRate"}
}

// Records are the report's rows as CSV records (without the header).
// Amounts are minor units; rates have 4 decimals.
func (r Report) Records() [][]string {
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	var out [][]string
	for _, d := range r.Days {
		out = append(out, []string{d.Day, d.Currency, i(d.Orders), i(d.Gross), i(d.Net), i(d.AverageOrderValue), i(d.Refunds),
			i(d.Refunded), f(d.RefundRate), i(d.BasketsFilled), i(d.BasketsCheckedOut), f(d.Rate)})
	}
	for _, p := range r.Products {
		out = append(out, []string{p.SKU, p.Name, p.Category, p.Currency, i(p.Quantity), i(p.Orders), i(p.Gross), i(p.Net)})
	}
	for _, c := range r.Categories {
		out = append(out, []string{c.Category, c.Currency, i(c.Quantity), i(c.Orders), i(c.Gross), i(c.Net)})
	}
	return out
}

// WriteCSV writes the report's rows with a header. A cell a spreadsheet
// would run as a formula (product names come from the catalog) is quoted
// with a leading apostrophe.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader(r.By)); err != nil {
		return err
	}
	for _, rec := range r.Records() {
		for j, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				rec[j] = "'" + cell
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
