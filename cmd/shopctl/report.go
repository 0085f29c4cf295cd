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

	"github.com/spf13/cobra"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/projections/sales"
)

func (a *app) reportCommand() *cobra.Command {
	var o reportOptions
	sales := &cobra.Command{
		Use:   "sales",
		Short: "Sales figures of a period from the sales read model (default: the last 30 days in SHOP_TIMEZONE)",
		Args:  argsError(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return reportSales(c.Context(), o, a.backend.Sales, time.Now(), a.env.stdout)
		},
	}
	sales.Flags().StringVar(&o.from, "from", "", "first day, YYYY-MM-DD")
	sales.Flags().StringVar(&o.to, "to", "", "last day, YYYY-MM-DD")
	sales.Flags().StringVar(&o.by, "by", "day", "day, product or category")
	sales.Flags().StringVar(&o.format, "format", "table", "table, csv or json")
	return group("report", "Reports from the read models", sales)
}

// reportOptions are the flags of `report sales`.
type reportOptions struct{ from, to, by, format string }

// reportSales is `shopctl report sales`: the sales read model's report for
// the period, as a table, CSV (the API's columns) or JSON (the API's body).
// open opens the read model, now says what today is.
func reportSales(ctx context.Context, o reportOptions, open func(context.Context) (sales.Store, error), now time.Time, out io.Writer) error {
	if o.format != "table" && o.format != "csv" && o.format != "json" {
		return usagef("report sales: --format must be table, csv or json")
	}
	store, err := open(ctx)
	if err != nil {
		return err
	}
	q, err := sales.ParseQuery(o.from, o.to, o.by, now, store.Location())
	if err != nil {
		return usagef("report sales: %v", err)
	}
	r, err := sales.Build(ctx, store, q)
	if err != nil {
		return err
	}
	switch o.format {
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
