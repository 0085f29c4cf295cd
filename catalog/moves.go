package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/evshop/shop/catalog/stockmoves"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// StockMover is implemented by stock stores that change a SKU's units on
// hand and record the movement in one transaction (catalog/sqlitestore,
// catalog/pgstock, through the stockmoves adapter of their database). It
// returns created=false, and changes nothing, when a movement with m.ID is
// recorded already; the product is then the current one. A Delta of 0
// records m alone. domain.ErrInsufficientStock as AdjustStock.
type StockMover interface {
	MoveStock(ctx context.Context, m stockmoves.Movement) (domain.Product, stockmoves.Movement, bool, error)
}

// Movement is a change of units on hand asked of MoveStock: SKU, Delta
// (positive in, negative out; 0 only to record returned units written off,
// with Quantity), Reason, Note, Actor (a user id, or empty for the system)
// and Ref, which makes it idempotent: the same SKU and Ref move stock once.
type Movement = stockmoves.Movement

// MoveStock changes a SKU's units on hand and records the movement in the
// history, once per (SKU, Ref): calling it again with the same pair returns
// the first movement and changes nothing. The returns process calls it with
// ReasonReturned (units put back) or ReasonWrittenOff (Delta 0, Quantity n:
// returned units not put back) and Ref "return:<id>/<sku>".
func (s *Service) MoveStock(ctx context.Context, m Movement) (domain.Product, Movement, error) {
	k, err := domain.NewSKU(m.SKU)
	if err != nil {
		return domain.Product{}, Movement{}, err
	}
	m.SKU = k.String()
	if m, err = stockmoves.Normalize(m); err != nil {
		return domain.Product{}, Movement{}, fmt.Errorf("%w: %w", domain.ErrInvalid, err)
	}
	if m.Delta > domain.MaxStock || m.Delta < -domain.MaxStock {
		return domain.Product{}, Movement{}, fmt.Errorf("%w: delta must be within ±%d", domain.ErrInvalid, domain.MaxStock)
	}
	m.At = s.now().UTC().Truncate(1000) // microseconds: what PostgreSQL keeps
	var p domain.Product
	var created bool
	if mover, ok := s.store.(StockMover); ok && s.moves != nil {
		p, m, created, err = mover.MoveStock(ctx, m)
		if err != nil {
			return domain.Product{}, Movement{}, err
		}
	} else if p, m, created, err = s.moveThenRecord(ctx, k, m); err != nil {
		return domain.Product{}, Movement{}, err
	}
	if created && m.Delta != 0 {
		s.stockChanged(ctx)
		s.restocked(ctx, k, p, m.Delta)
	}
	return p, m, nil
}

// moveThenRecord is MoveStock for stores without a shared transaction: a
// recorded ref is recognised first; otherwise the stock changes, then the
// movement is recorded. A crash between the two loses that movement's
// record (the stock change stands), which is logged when seen.
func (s *Service) moveThenRecord(ctx context.Context, k domain.SKU, m Movement) (domain.Product, Movement, bool, error) {
	if s.moves != nil {
		if got, found, err := s.moves.Get(ctx, m.ID); err != nil {
			return domain.Product{}, Movement{}, false, err
		} else if found {
			p, err := s.store.Get(ctx, k)
			return p, got, false, err
		}
	}
	var p domain.Product
	var err error
	if m.Delta != 0 {
		if p, err = s.store.AdjustStock(ctx, k, m.Delta); err != nil {
			return domain.Product{}, Movement{}, false, err
		}
		after := p.OnHand()
		m.OnHandAfter = &after
	} else if p, err = s.store.Get(ctx, k); err != nil {
		return domain.Product{}, Movement{}, false, err
	}
	if s.moves == nil {
		return p, m, true, nil
	}
	var rerr error
	for range 3 {
		var got Movement
		var created bool
		if got, created, rerr = s.moves.Record(ctx, m); rerr == nil {
			return p, got, created, nil
		}
	}
	// The stock changed; failing the call would invite a retry that moves
	// it again, so the caller gets its product and the gap is logged.
	s.log.ErrorContext(ctx, "stock moved but its movement is not recorded", "sku", k.String(), "delta", m.Delta,
		"reason", string(m.Reason), "ref", m.Ref, "error", rerr)
	return p, m, true, nil
}

// restocked appends StockRestocked when a positive movement brought a SKU
// back from none available (the back-in-stock emails).
func (s *Service) restocked(ctx context.Context, k domain.SKU, p domain.Product, delta int) {
	// The store changed only units on hand, atomically: before it, the
	// available units were delta fewer.
	if s.events == nil || delta <= 0 || p.Available() <= 0 || p.Available()-delta > 0 {
		return
	}
	data, err := json.Marshal(domain.StockRestocked{SKU: k.String(), Name: p.DisplayName(), Available: p.Available()})
	if err == nil {
		err = s.events.Append(ctx, domain.RestockStreamPrefix+k.String(), eventstore.EventData{
			ID: uuid.NewString(), Type: domain.EventStockRestocked, Data: data, Metadata: messaging.EventMetadata(ctx)})
	}
	if err != nil {
		// The stock is adjusted; only the emails are missed. Not an
		// error for the caller, who would adjust twice on a retry.
		s.log.ErrorContext(ctx, "restock event not recorded: back-in-stock emails for this restock are not sent", "sku", k.String(), "error", err)
	}
}

// recordSales records the units an order's committed reservation took off
// hand, once per order and SKU (Ref "order:<id>"). Commit calls it after the
// store committed, every time: a redelivered CommitStock after a crash
// records what is missing and nothing twice.
func (s *Service) recordSales(ctx context.Context, r domain.Reservation) error {
	if s.moves == nil || r.Status() != domain.StatusCommitted {
		return nil
	}
	at := s.now().UTC().Truncate(1000)
	ms := make([]Movement, 0, len(r.Lines()))
	for _, l := range r.Lines() {
		m, err := stockmoves.Normalize(Movement{SKU: l.SKU().String(), Delta: -l.Quantity(), Reason: stockmoves.ReasonSold,
			Ref: "order:" + r.OrderID()})
		if err != nil {
			return err
		}
		m.At = at
		ms = append(ms, m)
	}
	if err := s.moves.RecordAll(ctx, ms); err != nil {
		return fmt.Errorf("catalog: record the sales of order %s: %w", r.OrderID(), err)
	}
	return nil
}

// Movements returns a page of a SKU's stock movements, newest first.
func (s *Service) Movements(ctx context.Context, sku string, page, pageSize int) (stockmoves.Page, error) {
	k, err := domain.NewSKU(sku)
	if err != nil {
		return stockmoves.Page{}, err
	}
	if s.moves == nil {
		return stockmoves.Page{}, errors.New("catalog: no stock movement log configured")
	}
	if _, err := s.store.Get(ctx, k); err != nil {
		return stockmoves.Page{}, err
	}
	return s.moves.List(ctx, k.String(), page, pageSize)
}

// EditImages replaces a product's image list with what edit makes of it
// (the image routes: append an upload, reorder, remove), retrying a
// concurrent edit of the product.
func (s *Service) EditImages(ctx context.Context, sku string, edit func(images []string) ([]string, error)) (domain.Product, error) {
	return s.change(ctx, sku, 0, func(p domain.Product) (domain.Product, error) {
		next, err := edit(p.Images())
		if err != nil {
			return domain.Product{}, err
		}
		if slices.Equal(next, p.Images()) {
			return p, nil
		}
		d := p.Details()
		d.Images = next
		return p.WithDetails(d, s.now())
	})
}
