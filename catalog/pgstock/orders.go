package pgstock

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	domain "github.com/evshop/shop/domain/catalog"
)

// The whole-order commands run as the functions of migration 002, one
// statement each: the stock rows are locked for the statement only.

const reservationColumns = `order_id, lines, status, reason, failed_skus`

// scanReservation reads a catalog.stock_reservations row; a row of NULLs (a
// function's "no such order") is domain.ErrNotReserved.
func scanReservation(row pgx.Row, orderID string) (domain.Reservation, error) {
	var id *string
	var raw []byte
	var status, reason *string
	var failed []string
	if err := row.Scan(&id, &raw, &status, &reason, &failed); err != nil {
		return domain.Reservation{}, fmt.Errorf("catalog pgstock: reservation %s: %w", orderID, err)
	}
	if id == nil {
		return domain.Reservation{}, fmt.Errorf("%w: order %s", domain.ErrNotReserved, orderID)
	}
	var ls []lineRow
	if err := json.Unmarshal(raw, &ls); err != nil {
		return domain.Reservation{}, fmt.Errorf("catalog pgstock: reservation %s: %w", orderID, err)
	}
	lines := make([]domain.Line, len(ls))
	for i, l := range ls {
		var err error
		if lines[i], err = domain.NewLine(l.SKU, l.Quantity); err != nil {
			return domain.Reservation{}, err
		}
	}
	return domain.RestoreReservation(*id, lines, domain.ReservationStatus(*status), *reason, failed)
}

// ReserveOrder implements catalog.OrderStore: one statement claims the
// order's reservation row, locks its stock rows and holds every line or none.
func (s *Store) ReserveOrder(ctx context.Context, want domain.Reservation) (domain.Reservation, error) {
	lines := want.Lines()
	skus := make([]string, len(lines))
	ls := make([]lineRow, len(lines))
	for i, l := range lines {
		skus[i] = l.SKU().String()
		ls[i] = lineRow{SKU: skus[i], Quantity: l.Quantity()}
	}
	if err := s.ensureStock(ctx, skus); err != nil {
		return domain.Reservation{}, err
	}
	raw, err := json.Marshal(ls)
	if err != nil {
		return domain.Reservation{}, err
	}
	reasons := []string{domain.ReasonUnknownProduct, domain.ReasonArchived, domain.ReasonOutOfStock}
	return scanReservation(s.pool.QueryRow(ctx, `SELECT `+reservationColumns+` FROM catalog.reserve_order($1, $2, $3)`,
		want.OrderID(), raw, reasons), want.OrderID())
}

// ReleaseOrder implements catalog.OrderStore.
func (s *Store) ReleaseOrder(ctx context.Context, orderID string) (domain.Reservation, error) {
	tomb, err := domain.Tombstone(orderID)
	if err != nil {
		return domain.Reservation{}, err
	}
	r, err := scanReservation(s.pool.QueryRow(ctx, `SELECT `+reservationColumns+` FROM catalog.release_order($1, $2)`,
		tomb.OrderID(), tomb.Reason()), orderID)
	if err != nil {
		return domain.Reservation{}, err
	}
	if r.Status() == domain.StatusCommitted {
		return r, fmt.Errorf("%w: order %s", domain.ErrAlreadyCommitted, orderID)
	}
	return r, nil
}

// CommitOrder implements catalog.OrderStore.
func (s *Store) CommitOrder(ctx context.Context, orderID string) (domain.Reservation, error) {
	r, err := scanReservation(s.pool.QueryRow(ctx, `SELECT `+reservationColumns+` FROM catalog.commit_order($1)`, orderID), orderID)
	if err != nil {
		return domain.Reservation{}, err
	}
	if r.Status() != domain.StatusCommitted {
		return r, fmt.Errorf("%w: order %s is %s", domain.ErrNotReserved, orderID, r.Status())
	}
	return r, nil
}
