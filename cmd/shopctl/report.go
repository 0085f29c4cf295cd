package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/projections/sales"
)

const reportUsage = `report sales    [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--by day|product|category]
                  [--format table|csv|json]`

// reportSales is `shopctl report sales`: the sales read model's report for
// the period (default: the 30 days to today in SHOP_TIMEZONE), as a table,
// CSV (the API's columns) or JSON (the API's body). It is self-contained so
// either command framework can call it: args are its flags, open opens the
// read model, now says what today is.
func reportSales(ctx context.Context, args []string, open func(context.Context) (sales.Store, error), now time.Time, out io.Writer) error {
	fs := newFlags("report sales")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD")
	by := fs.String("by", "day", "day, product or category")
	format := fs.String("format", "table", "table, csv or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("report sales takes no arguments")
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return usagef("report sales: --format must be table, csv or json")
	}
	store, err := open(ctx)
	if err != nil {
		return err
	}
	q, err := sales.ParseQuery(*from, *to, *by, now, store.Location())
	if err != nil {
		return usagef("report sales: %v", err)
	}
	r, err := sales.Build(ctx, store, q)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return json.NewEncoder(out).Encode(r)
	case "csv":
		return sales.WriteCSV(out, r)
	}
	return printReport(out, r)
}

// printReport writes the table: the totals, then the rows with amounts in
// major units.
func printReport(out io.Writer, r sales.Report) error {
	amount := func(n int64, cur string) string {
		if m, err := money.New(n, cur); err == nil {
			return m.String()
		}
		return fmt.Sprint(n)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "sales %s..%s (%s) by %s\t\n", r.From, r.To, r.TimeZone, r.By)
	for _, t := range r.Totals {
		fmt.Fprintf(tw, "%s: orders %d, gross %s, net %s, average order %s, refunds %d (%s, rate %.1f%%)\t\n", t.Currency, t.Orders,
			amount(t.Gross, t.Currency), amount(t.Net, t.Currency), amount(t.AverageOrderValue, t.Currency), t.Refunds,
			amount(t.Refunded, t.Currency), 100*t.RefundRate)
	}
	c := r.Conversion
	fmt.Fprintf(tw, "conversion: %d of %d baskets checked out (%.1f%%)\t\n\n", c.BasketsCheckedOut, c.BasketsFilled, 100*c.Rate)
	head := sales.CSVHeader(r.By)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(head, "\t"))+"\t")
	for _, rec := range r.Records() {
		for i, col := range head {
			if col == "gross" || col == "net" || col == "averageOrderValue" || col == "refunded" {
				var n int64
				fmt.Sscan(rec[i], &n) //nolint:errcheck // Records wrote an integer
				rec[i] = amount(n, rec[slices.Index(head, "currency")])
			}
		}
		fmt.Fprintln(tw, strings.Join(rec, "\t")+"\t")
	}
	return tw.Flush()
}
