package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/evshop/shop/catalog/stockmoves"
	smsqlite "github.com/evshop/shop/catalog/stockmoves/sqlite"
	domain "github.com/evshop/shop/domain/catalog"
)

// MoveStock implements catalog.StockMover: the stock change and its row in
// catalog_stock_movements (catalog/stockmoves/sqlite, whose New must have
// migrated the database) in one transaction; a movement already recorded
// changes nothing.
func (s *Store) MoveStock(ctx context.Context, m stockmoves.Movement) (domain.Product, stockmoves.Movement, bool, error) {
	sku, err := domain.NewSKU(m.SKU)
	if err != nil {
		return domain.Product{}, stockmoves.Movement{}, false, err
	}
	var out domain.Product
	created := false
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getProduct(ctx, tx, sku)
		if err != nil {
			return err
		}
		if got, found, err := smsqlite.GetTx(ctx, tx, m.ID); err != nil || found {
			out, m = cur, got
			return err
		}
		next := cur.OnHand() + m.Delta
		if m.Delta != 0 {
			if next < cur.Reserved() || next > domain.MaxStock {
				return fmt.Errorf("%w: %s has %d on hand, %d reserved", domain.ErrInsufficientStock, sku, cur.OnHand(), cur.Reserved())
			}
			if _, err := tx.ExecContext(ctx, `UPDATE catalog_products SET on_hand = ? WHERE sku = ?`, next, sku.String()); err != nil {
				return fmt.Errorf("catalog sqlitestore: move %s: %w", sku, err)
			}
			m.OnHandAfter = &next
		}
		// One writer: nobody recorded the id since GetTx.
		if created, err = smsqlite.InsertTx(ctx, tx, m); err != nil {
			return err
		}
		out, err = getProduct(ctx, tx, sku)
		return err
	})
	if err != nil {
		return domain.Product{}, stockmoves.Movement{}, false, err
	}
	return out, m, created, nil
}
