package load

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a run (JSON for docs and scripts, text for people).
type Report struct {
	Target            string        `json:"target"`
	Mail              string        `json:"mail"`
	RunID             string        `json:"runId"`
	Customers         int           `json:"customers"`
	OrdersPerCustomer int           `json:"ordersPerCustomer"`
	Concurrency       int           `json:"concurrency"`
	Lines             int           `json:"linesPerOrder"`
	Follow            string        `json:"follow"`
	Poll              time.Duration `json:"pollInterval"`
	Duration          time.Duration `json:"durationBound"`
	ClientIPs         string        `json:"clientIPs,omitempty"`
	SKUs              []string      `json:"skus"`
	Stock             string        `json:"stock"`

	SetupDuration  time.Duration `json:"setupDuration"`
	CustomersReady int           `json:"customersReady"`

	Elapsed         time.Duration `json:"elapsed"`
	Placed          int           `json:"placed"`
	Paid            int           `json:"paid"`
	Cancelled       int           `json:"cancelled"`
	CheckoutsPerSec float64       `json:"checkoutsPerSec"` // orders that reached Paid per second
	PlacedPerSec    float64       `json:"placedPerSec"`

	AddItem      Summary `json:"addItem"`
	PlaceOrder   Summary `json:"placeOrder"`
	ToPaid       Summary `json:"toPaid"`       // client: place-order sent → GET shows Paid
	ToPaidServer Summary `json:"toPaidServer"` // server: OrderPaid time − placedAt
	OrderPolls   int     `json:"orderPolls"`
	PollLatency  Summary `json:"pollLatency"`

	// Reads is set by Config.CheckReads.
	Reads *ReadChecks `json:"reads,omitempty"`

	Errors []ErrorCount    `json:"errors"`
	Memory []ProcessMemory `json:"memory"`
	Bus    *BusFigures     `json:"bus,omitempty"` // with Config.Metrics
}

// ReadChecks counts what customers saw when reading their own writes back.
type ReadChecks struct {
	BasketReads int `json:"basketReads"` // GET /api/basket after a basket write
	// Stale reads did not show the write just made.
	Stale int `json:"stale"`
	// PreconditionFailed counts writes refused 412 with the If-Match of the
	// customer's own preceding read.
	PreconditionFailed int `json:"preconditionFailed"`
	OrderReads         int `json:"orderReads"`    // GET /api/orders/{id} right after its 202
	OrderNotFound      int `json:"orderNotFound"` // of those, answered 404
	// FirstOrderStatus counts the statuses those reads showed.
	FirstOrderStatus map[string]int `json:"firstOrderStatus"`
	BasketRead       Summary        `json:"basketRead"`
	OrderRead        Summary        `json:"orderRead"`
}

// ProcessMemory is a service process's resident memory before and after the
// measured phase.
type ProcessMemory struct {
	Process
	Start Memory `json:"start"`
	End   Memory `json:"end"`
	Err   string `json:"error,omitempty"`
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// WriteText prints the report for a terminal or a Markdown code block.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "target %s  mail %s  run %s\n", r.Target, r.Mail, r.RunID)
	follow := fmt.Sprintf("poll ≥%s (a tenth of the wait so far, ≤1s)", r.Poll)
	if r.Follow == FollowWait {
		follow = "follow: reads held until the order changes (Prefer: wait)"
	}
	fmt.Fprintf(&b, "customers %d (ready %d, setup %s)  orders/customer %d  concurrency %d  lines/order %d  %s  bound %s\n",
		r.Customers, r.CustomersReady, r.SetupDuration.Round(time.Millisecond), r.OrdersPerCustomer, r.Concurrency, r.Lines, follow, r.Duration)
	if r.ClientIPs != "" {
		fmt.Fprintf(&b, "client addresses from %s (X-Forwarded-For)\n", r.ClientIPs)
	}
	fmt.Fprintf(&b, "skus %s; stock: %s\n\n", strings.Join(r.SKUs, ","), r.Stock)
	fmt.Fprintf(&b, "elapsed %s  placed %d  paid %d  cancelled %d\n", r.Elapsed.Round(time.Millisecond), r.Placed, r.Paid, r.Cancelled)
	fmt.Fprintf(&b, "checkouts/s (Paid) %.1f   placed/s %.1f\n\n", r.CheckoutsPerSec, r.PlacedPerSec)

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "latency ms\tn\tmean\tp50\tp95\tp99\tmax\t")
	for _, row := range []struct {
		name string
		s    Summary
	}{
		{"add item", r.AddItem}, {"place order", r.PlaceOrder}, {"place → Paid seen", r.ToPaid},
		{"place → Paid (event times)", r.ToPaidServer}, {"order read", r.PollLatency},
	} {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", row.name, row.s.N, ms(row.s.Mean), ms(row.s.P50), ms(row.s.P95), ms(row.s.P99), ms(row.s.Max))
	}
	if c := r.Reads; c != nil {
		for _, row := range []struct {
			name string
			s    Summary
		}{{"basket read after write", c.BasketRead}, {"order read after checkout", c.OrderRead}} {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", row.name, row.s.N, ms(row.s.Mean), ms(row.s.P50), ms(row.s.P95), ms(row.s.P99), ms(row.s.Max))
		}
	}
	tw.Flush()
	if c := r.Reads; c != nil {
		fmt.Fprintf(&b, "\nread your writes: %d basket reads, %d stale, %d writes refused 412; %d order reads after checkout, %d not found; first status %v\n",
			c.BasketReads, c.Stale, c.PreconditionFailed, c.OrderReads, c.OrderNotFound, c.FirstOrderStatus)
	}

	if f := r.Bus; f != nil {
		fmt.Fprintf(&b, "\nbroker deliveries per checkout %.1f (events %.1f, commands %.1f); events published per checkout %.1f\n",
			f.DeliveriesPerCheckout, f.EventDeliveriesPerCheckout, f.CommandDeliveriesPerCheckout, f.EventsPerCheckout)
		handlers := slices.Sorted(maps.Keys(f.ByHandler))
		for _, h := range handlers {
			fmt.Fprintf(&b, "  %-42s %8.0f  (%.1f per checkout)\n", h, f.ByHandler[h], f.ByHandler[h]/float64(max(f.Checkouts, 1)))
		}
		fmt.Fprintf(&b, "OrderPaid → confirmation sent: %d of %d paid, p50 %s ms p99 %s ms (caught up %s after the last Paid)\n",
			f.Emails, f.Checkouts, ms(f.EmailP50), ms(f.EmailP99), f.EmailWait.Round(time.Millisecond))
		if f.WriteCallsPerCheckout > 0 {
			fmt.Fprintf(&b, "embedded database writer per checkout: %.1f write calls in %.1f transactions, busy %s ms (%.0f %% of the run)\n",
				f.WriteCallsPerCheckout, f.WriteTransactionsPerCheckout, ms(f.WriterBusyPerCheckout), 100*f.WriterBusyShare)
		}
		if f.Note != "" {
			fmt.Fprintf(&b, "note: %s\n", f.Note)
		}
	}
	if len(r.Errors) == 0 {
		b.WriteString("\nerrors: none\n")
	} else {
		b.WriteString("\nerrors by kind:\n")
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "  %6d  %s  (e.g. %s)\n", e.Count, e.Kind, e.Example)
		}
	}
	if len(r.Memory) > 0 {
		b.WriteString("\nmemory (MiB)   rss start  rss end  peak\n")
		for _, m := range r.Memory {
			if m.Err != "" {
				fmt.Fprintf(&b, "  %-10s %6d  %s\n", m.Name, m.PID, m.Err)
				continue
			}
			fmt.Fprintf(&b, "  %-10s %6d  %8.1f  %7.1f  %5.1f\n", m.Name, m.PID,
				float64(m.Start.RSSKiB)/1024, float64(m.End.RSSKiB)/1024, float64(m.End.PeakKiB)/1024)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
