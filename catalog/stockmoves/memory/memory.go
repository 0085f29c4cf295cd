// Package memory is the in-memory stock movement log (tests, the
// non-durable embedded shop).
package memory

import (
	"context"
	"sync"

	"github.com/evshop/shop/catalog/stockmoves"
)

// Log implements stockmoves.Log.
type Log struct {
	mu    sync.Mutex
	byID  map[string]int
	all   []stockmoves.Movement
	bySKU map[string][]int
}

// New returns an empty log.
func New() *Log { return &Log{byID: map[string]int{}, bySKU: map[string][]int{}} }

// Record implements stockmoves.Log.
func (l *Log) Record(_ context.Context, m stockmoves.Movement) (stockmoves.Movement, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i, ok := l.byID[m.ID]; ok {
		return clone(l.all[i]), false, nil
	}
	m = clone(m)
	l.byID[m.ID] = len(l.all)
	l.bySKU[m.SKU] = append(l.bySKU[m.SKU], len(l.all))
	l.all = append(l.all, m)
	return clone(m), true, nil
}

// RecordAll implements stockmoves.Log.
func (l *Log) RecordAll(ctx context.Context, ms []stockmoves.Movement) error {
	for _, m := range ms {
		if _, _, err := l.Record(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// Get implements stockmoves.Log.
func (l *Log) Get(_ context.Context, id string) (stockmoves.Movement, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.byID[id]
	if !ok {
		return stockmoves.Movement{}, false, nil
	}
	return clone(l.all[i]), true, nil
}

// List implements stockmoves.Log.
func (l *Log) List(_ context.Context, sku string, page, pageSize int) (stockmoves.Page, error) {
	page, pageSize = stockmoves.ClampPage(page, pageSize)
	l.mu.Lock()
	defer l.mu.Unlock()
	idx := l.bySKU[sku]
	out := stockmoves.Page{Page: page, PageSize: pageSize, Total: len(idx), Items: []stockmoves.Movement{}}
	// Newest first: walk the insertion order backwards.
	for k := len(idx) - 1 - (page-1)*pageSize; k >= 0 && len(out.Items) < pageSize; k-- {
		out.Items = append(out.Items, clone(l.all[idx[k]]))
	}
	return out, nil
}

func clone(m stockmoves.Movement) stockmoves.Movement {
	if m.OnHandAfter != nil {
		v := *m.OnHandAfter
		m.OnHandAfter = &v
	}
	return m
}
