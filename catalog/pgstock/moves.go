package pgstock

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/evshop/shop/catalog/stockmoves"
	smpostgres "github.com/evshop/shop/catalog/stockmoves/postgres"
	domain "github.com/evshop/shop/domain/catalog"
)

// errRecorded rolls back a stock change whose movement another call
// recorded first.
var errRecorded = errors.New("movement recorded already")

// MoveStock implements catalog.StockMover: the guarded stock update and its
// row in catalog.stock_movements (catalog/stockmoves/postgres, whose New
// must have migrated the database) in one transaction. Two calls with one
// movement id: the second's insert waits for the first's commit, finds the
// row and rolls its own stock change back.
func (s *Store) MoveStock(ctx context.Context, m stockmoves.Movement) (domain.Product, stockmoves.Movement, bool, error) {
	sku, err := domain.NewSKU(m.SKU)
	if err != nil {
		return domain.Product{}, stockmoves.Movement{}, false, err
	}
	p, err := s.products.GetProduct(ctx, sku)
	if err != nil {
		return domain.Product{}, stockmoves.Movement{}, false, err
	}
	if err := s.ensureStock(ctx, []string{sku.String()}); err != nil {
		return domain.Product{}, stockmoves.Movement{}, false, err
	}
	var c counts
	short := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, found, err := smpostgres.GetWith(ctx, tx, m.ID); err != nil || found {
			if found {
				return errRecorded
			}
			return err
		}
		if m.Delta != 0 {
			err := tx.QueryRow(ctx, `UPDATE catalog.stock SET on_hand = on_hand + $2
				WHERE sku = $1 AND on_hand + $2 >= reserved AND on_hand + $2 BETWEEN 0 AND $3
				RETURNING on_hand, reserved, archived`, sku.String(), m.Delta, domain.MaxStock).Scan(&c.onHand, &c.reserved, &c.archived)
			if errors.Is(err, pgx.ErrNoRows) {
				short = true
				return nil
			}
			if err != nil {
				return fmt.Errorf("catalog pgstock: move: %w", err)
			}
			after := c.onHand
			m.OnHandAfter = &after
		}
		created, err := smpostgres.InsertTx(ctx, tx, m)
		if err != nil {
			return err
		}
		if !created {
			return errRecorded
		}
		return nil
	})
	switch {
	case errors.Is(err, errRecorded):
		got, _, err := smpostgres.GetWith(ctx, s.pool, m.ID)
		if err != nil {
			return domain.Product{}, stockmoves.Movement{}, false, err
		}
		cur, err := s.counts(ctx, []string{sku.String()})
		if err != nil {
			return domain.Product{}, stockmoves.Movement{}, false, err
		}
		out, err := s.withCounts(ctx, p, cur[sku.String()])
		return out, got, false, err
	case err != nil:
		return domain.Product{}, stockmoves.Movement{}, false, err
	}
	cur, err := s.counts(ctx, []string{sku.String()})
	if err != nil {
		return domain.Product{}, stockmoves.Movement{}, false, err
	}
	if short {
		return domain.Product{}, stockmoves.Movement{}, false, fmt.Errorf("%w: %s has %d on hand, %d reserved", domain.ErrInsufficientStock, sku,
			cur[sku.String()].onHand, cur[sku.String()].reserved)
	}
	if m.Delta == 0 {
		c = cur[sku.String()]
	}
	out, err := s.withCounts(ctx, p, c)
	return out, m, true, err
}
