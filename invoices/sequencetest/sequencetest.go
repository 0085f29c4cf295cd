// Package sequencetest is the contract suite every invoices.Sequence adapter
// passes: idempotent per (series, key), gapless per series under
// concurrency, cancellation and reopening.
package sequencetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/evshop/shop/invoices"
)

// Open returns a fresh, empty sequence, and a function that opens the same
// stored sequence again (as a restarted process would).
type Open func(t *testing.T) (seq invoices.Sequence, reopen func(t *testing.T) invoices.Sequence)

// Run runs the contract against the sequences open makes.
func Run(t *testing.T, open Open) {
	t.Run("numbers start at one and a key keeps its number", func(t *testing.T) {
		t.Parallel()
		seq, reopen := open(t)
		ctx := context.Background()
		steps := []struct {
			series, key string
			want        int64
		}{
			{invoices.SeriesInvoice, "order-a", 1},
			{invoices.SeriesInvoice, "order-b", 2},
			{invoices.SeriesInvoice, "order-a", 1},
			{invoices.SeriesCreditNote, "order-a", 1}, // series are independent
			{invoices.SeriesCreditNote, "refund-1", 2},
			{invoices.SeriesInvoice, "order-c", 3},
		}
		for i, s := range steps {
			if got := assign(t, seq, s.series, s.key); got != s.want {
				t.Fatalf("step %d: Assign(%s, %s) = %d, want %d", i, s.series, s.key, got, s.want)
			}
		}
		again := reopen(t)
		if got := assign(t, again, invoices.SeriesInvoice, "order-b"); got != 2 {
			t.Fatalf("after reopening, order-b = %d, want 2", got)
		}
		if got := assign(t, again, invoices.SeriesInvoice, "order-d"); got != 4 {
			t.Fatalf("after reopening, the next number = %d, want 4", got)
		}
		if _, err := seq.Assign(ctx, invoices.SeriesInvoice, "order-a"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("100 concurrent keys get exactly 1..100", func(t *testing.T) {
		// Not parallel with its twin: each fills a pool of connections, and
		// two at once beside another package exhausted PostgreSQL's 100.
		seq, _ := open(t)
		const n = 100
		got := make([]int64, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v, err := seq.Assign(context.Background(), invoices.SeriesInvoice, fmt.Sprintf("order-%03d", i))
				if err != nil {
					t.Error(err)
				}
				got[i] = v
			})
		}
		wg.Wait()
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i + 1)
		}
		sorted := slices.Sorted(slices.Values(got))
		if !slices.Equal(sorted, want) {
			t.Fatalf("numbers = %v, want 1..%d each once", sorted, n)
		}
		for i, v := range got { // and each key kept the number it got
			if again := assign(t, seq, invoices.SeriesInvoice, fmt.Sprintf("order-%03d", i)); again != v {
				t.Fatalf("order-%03d: %d then %d", i, v, again)
			}
		}
	})

	t.Run("concurrent assignments of one key give one number", func(t *testing.T) {
		// Not parallel with its twin: each fills a pool of connections, and
		// two at once beside another package exhausted PostgreSQL's 100.
		seq, _ := open(t)
		assign(t, seq, invoices.SeriesCreditNote, "first")
		const n = 20
		got := make([]int64, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v, err := seq.Assign(context.Background(), invoices.SeriesCreditNote, "same-refund")
				if err != nil {
					t.Error(err)
				}
				got[i] = v
			})
		}
		wg.Wait()
		for i, v := range got {
			if v != 2 {
				t.Fatalf("call %d got %d, want 2 (every call the same number)", i, v)
			}
		}
		if next := assign(t, seq, invoices.SeriesCreditNote, "another"); next != 3 {
			t.Fatalf("next = %d, want 3", next)
		}
	})

	t.Run("an assignment that fails leaves no hole", func(t *testing.T) {
		t.Parallel()
		seq, _ := open(t)
		assign(t, seq, invoices.SeriesInvoice, "one")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := seq.Assign(ctx, invoices.SeriesInvoice, "cancelled"); err == nil {
			// An adapter that needs no I/O may finish regardless; then the
			// number is bound and stays bound.
			if got := assign(t, seq, invoices.SeriesInvoice, "cancelled"); got != 2 {
				t.Fatalf("cancelled = %d, want 2", got)
			}
			return
		}
		if got := assign(t, seq, invoices.SeriesInvoice, "two"); got != 2 {
			t.Fatalf("after a failed assignment the next number = %d, want 2", got)
		}
		if got := assign(t, seq, invoices.SeriesInvoice, "cancelled"); got != 3 {
			t.Fatalf("the key of the failed assignment got %d, want 3", got)
		}
	})

	t.Run("malformed series or key is refused", func(t *testing.T) {
		t.Parallel()
		seq, _ := open(t)
		long := string(make([]byte, invoices.MaxKey+1))
		for _, tt := range []struct{ series, key string }{
			{"", "k"}, {"Invoice", "k"}, {"in voice", "k"}, {invoices.SeriesInvoice, ""}, {invoices.SeriesInvoice, "  "},
			{invoices.SeriesInvoice, long}, {invoices.SeriesInvoice, "a\x00b"}, {invoices.SeriesInvoice, "\xff"},
		} {
			if _, err := seq.Assign(context.Background(), tt.series, tt.key); !errors.Is(err, invoices.ErrInvalid) {
				t.Errorf("Assign(%q, %q): err = %v, want ErrInvalid", tt.series, tt.key, err)
			}
		}
		if got := assign(t, seq, invoices.SeriesInvoice, "k"); got != 1 {
			t.Fatalf("after refusals the first number = %d, want 1", got)
		}
	})
}

func assign(t *testing.T, seq invoices.Sequence, series, key string) int64 {
	t.Helper()
	n, err := seq.Assign(context.Background(), series, key)
	if err != nil {
		t.Fatalf("Assign(%s, %s): %v", series, key, err)
	}
	return n
}
