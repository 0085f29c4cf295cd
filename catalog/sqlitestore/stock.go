package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/sqlite"
)

// planHold decides, inside tx, what holding line l for orderID would do.
func planHold(ctx context.Context, tx *sql.Tx, orderID string, l domain.Line) (domain.HoldOutcome, error) {
	out, err := planHolds(ctx, tx, orderID, []domain.Line{l})
	if err != nil {
		return 0, err
	}
	return out[0], nil
}

// planHolds is planHold for lines of distinct SKUs, in one query.
func planHolds(ctx context.Context, tx *sql.Tx, orderID string, lines []domain.Line) ([]domain.HoldOutcome, error) {
	type found struct {
		available      int
		archived, held bool
	}
	skus := make([]any, 0, len(lines)+1)
	skus = append(skus, orderID)
	for _, l := range lines {
		skus = append(skus, l.SKU().String())
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.sku, p.on_hand - p.reserved, p.archived,
		EXISTS (SELECT 1 FROM catalog_holds h WHERE h.order_id = ? AND h.sku = p.sku)
		FROM catalog_products p WHERE p.sku IN `+sqlite.Placeholders(1, len(lines)), skus...)
	if err != nil {
		return nil, fmt.Errorf("catalog sqlitestore: plan holds of %s: %w", orderID, err)
	}
	stock := make(map[string]found, len(lines))
	for rows.Next() {
		var sku string
		var f found
		if err := rows.Scan(&sku, &f.available, &f.archived, &f.held); err != nil {
			rows.Close()
			return nil, fmt.Errorf("catalog sqlitestore: plan holds of %s: %w", orderID, err)
		}
		stock[sku] = f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog sqlitestore: plan holds of %s: %w", orderID, err)
	}
	out := make([]domain.HoldOutcome, len(lines))
	for i, l := range lines {
		f, ok := stock[l.SKU().String()]
		switch {
		case !ok:
			out[i] = domain.HoldUnknown
		case f.held:
			out[i] = domain.HoldAlreadyHeld
		case f.archived:
			out[i] = domain.HoldArchived
		case f.available < l.Quantity():
			out[i] = domain.HoldInsufficient
		default:
			out[i] = domain.HoldApplied
		}
	}
	return out, nil
}

// applyHold moves l's units from available to reserved for orderID; the
// caller planned it in the same transaction.
func applyHold(ctx context.Context, tx *sql.Tx, orderID string, l domain.Line) error {
	return applyHolds(ctx, tx, orderID, []domain.Line{l})
}

// applyHolds is applyHold for lines of distinct SKUs, in two statements.
func applyHolds(ctx context.Context, tx *sql.Tx, orderID string, lines []domain.Line) error {
	if len(lines) == 0 {
		return nil
	}
	moves := make([]stockMove, len(lines))
	holds := make([]any, 0, 3*len(lines))
	for i, l := range lines {
		moves[i] = stockMove{sku: l.SKU().String(), reserved: l.Quantity()}
		holds = append(holds, orderID, l.SKU().String(), l.Quantity())
	}
	if err := moveStock(ctx, tx, moves); err != nil {
		return fmt.Errorf("catalog sqlitestore: hold for %s: %w", orderID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_holds (order_id, sku, quantity) VALUES `+
		sqlite.Placeholders(len(lines), 3), holds...); err != nil {
		return fmt.Errorf("catalog sqlitestore: hold for %s: %w", orderID, err)
	}
	return nil
}

// stockMove adds reserved and onHand (each may be negative) to a SKU's
// counts.
type stockMove struct {
	sku              string
	reserved, onHand int
}

// moveStock applies moves, of distinct SKUs, in one statement.
func moveStock(ctx context.Context, tx *sql.Tx, moves []stockMove) error {
	if len(moves) == 0 {
		return nil
	}
	var reserved, onHand strings.Builder
	args := make([]any, 0, 5*len(moves))
	for _, m := range moves {
		reserved.WriteString(" WHEN ? THEN ?")
		args = append(args, m.sku, m.reserved)
	}
	for _, m := range moves {
		onHand.WriteString(" WHEN ? THEN ?")
		args = append(args, m.sku, m.onHand)
	}
	for _, m := range moves {
		args = append(args, m.sku)
	}
	_, err := tx.ExecContext(ctx, `UPDATE catalog_products SET reserved = reserved + CASE sku`+reserved.String()+` END,
		on_hand = on_hand + CASE sku`+onHand.String()+` END WHERE sku IN `+sqlite.Placeholders(1, len(moves)), args...)
	return err
}

// dropHolds gives back (or, when sold, sells) the order's holds: on sku
// only, or every one when sku is "".
func dropHolds(ctx context.Context, tx *sql.Tx, orderID, sku string, sold bool) error {
	rows, err := tx.QueryContext(ctx, `DELETE FROM catalog_holds WHERE order_id = ?1 AND (?2 = '' OR sku = ?2) RETURNING sku, quantity`, orderID, sku)
	if err != nil {
		return fmt.Errorf("catalog sqlitestore: drop holds of %s: %w", orderID, err)
	}
	type hold struct {
		sku string
		qty int
	}
	var gone []hold
	for rows.Next() {
		var h hold
		if err := rows.Scan(&h.sku, &h.qty); err != nil {
			rows.Close()
			return fmt.Errorf("catalog sqlitestore: drop holds of %s: %w", orderID, err)
		}
		gone = append(gone, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("catalog sqlitestore: drop holds of %s: %w", orderID, err)
	}
	moves := make([]stockMove, len(gone))
	for i, h := range gone {
		moves[i] = stockMove{sku: h.sku, reserved: -h.qty}
		if sold {
			moves[i].onHand = -h.qty
		}
	}
	if err := moveStock(ctx, tx, moves); err != nil {
		return fmt.Errorf("catalog sqlitestore: drop holds of %s: %w", orderID, err)
	}
	return nil
}

// Hold implements catalog.Store.
func (s *Store) Hold(ctx context.Context, orderID string, l domain.Line) (domain.HoldOutcome, error) {
	var out domain.HoldOutcome
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = planHold(ctx, tx, orderID, l); err != nil || out != domain.HoldApplied {
			return err
		}
		return applyHold(ctx, tx, orderID, l)
	})
	return out, err
}

// Unhold implements catalog.Store.
func (s *Store) Unhold(ctx context.Context, orderID string, sku domain.SKU) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return dropHolds(ctx, tx, orderID, sku.String(), false) })
}

// Consume implements catalog.Store.
func (s *Store) Consume(ctx context.Context, orderID string, sku domain.SKU) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return dropHolds(ctx, tx, orderID, sku.String(), true) })
}

type lineRow struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// insertReservation stores r unless the order has one; it reports whether
// it did.
func insertReservation(ctx context.Context, tx *sql.Tx, r domain.Reservation) (bool, error) {
	ls := []lineRow{}
	for _, l := range r.Lines() {
		ls = append(ls, lineRow{SKU: l.SKU().String(), Quantity: l.Quantity()})
	}
	lines, err := json.Marshal(ls)
	if err != nil {
		return false, err
	}
	failed, err := json.Marshal(append([]string{}, r.FailedSKUs()...))
	if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO catalog_reservations (order_id, lines, status, reason, failed_skus, updated_at)
		VALUES (?,?,?,?,?,?) ON CONFLICT (order_id) DO NOTHING`, r.OrderID(), string(lines), string(r.Status()), r.Reason(),
		string(failed), sqlite.Nanos(time.Now()))
	if err != nil {
		return false, fmt.Errorf("catalog sqlitestore: insert reservation: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// readReservation reads the order's reservation; domain.ErrNotReserved when
// there is none.
func readReservation(ctx context.Context, q querier, orderID string) (domain.Reservation, error) {
	var lines, status, reason, failed string
	err := q.QueryRowContext(ctx, `SELECT lines, status, reason, failed_skus FROM catalog_reservations WHERE order_id = ?`,
		orderID).Scan(&lines, &status, &reason, &failed)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Reservation{}, fmt.Errorf("%w: order %s", domain.ErrNotReserved, orderID)
	}
	if err != nil {
		return domain.Reservation{}, fmt.Errorf("catalog sqlitestore: read reservation: %w", err)
	}
	var skus []string
	if err := json.Unmarshal([]byte(failed), &skus); err != nil {
		return domain.Reservation{}, fmt.Errorf("catalog sqlitestore: reservation %s: %w", orderID, err)
	}
	out, err := decodeLines(orderID, lines)
	if err != nil {
		return domain.Reservation{}, err
	}
	return domain.RestoreReservation(orderID, out, domain.ReservationStatus(status), reason, skus)
}

// decodeLines reads a reservation's stored lines.
func decodeLines(orderID, lines string) ([]domain.Line, error) {
	var ls []lineRow
	if err := json.Unmarshal([]byte(lines), &ls); err != nil {
		return nil, fmt.Errorf("catalog sqlitestore: reservation %s: %w", orderID, err)
	}
	out := make([]domain.Line, len(ls))
	for i, l := range ls {
		var err error
		if out[i], err = domain.NewLine(l.SKU, l.Quantity); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func setStatus(ctx context.Context, tx *sql.Tx, orderID string, to domain.ReservationStatus, reason string, skus []string) error {
	failed, err := json.Marshal(append([]string{}, skus...))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE catalog_reservations SET status = ?, reason = ?, failed_skus = ?, updated_at = ?
		WHERE order_id = ?`, string(to), reason, string(failed), sqlite.Nanos(time.Now()), orderID); err != nil {
		return fmt.Errorf("catalog sqlitestore: reservation status: %w", err)
	}
	return nil
}

// CreateReservation implements catalog.Store.
func (s *Store) CreateReservation(ctx context.Context, r domain.Reservation) (domain.Reservation, bool, error) {
	var created bool
	var got domain.Reservation
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if created, err = insertReservation(ctx, tx, r); err != nil || created {
			got = r
			return err
		}
		got, err = readReservation(ctx, tx, r.OrderID())
		return err
	})
	if err != nil {
		return domain.Reservation{}, false, err
	}
	return got, created, nil
}

// GetReservation implements catalog.Store.
func (s *Store) GetReservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	return readReservation(ctx, s.db.Read, strings.ToLower(orderID))
}

// TransitionReservation implements catalog.Store.
func (s *Store) TransitionReservation(ctx context.Context, orderID string, from []domain.ReservationStatus, to domain.ReservationStatus, reason string, skus []string) (domain.Reservation, error) {
	var out domain.Reservation
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := readReservation(ctx, tx, orderID)
		if err != nil {
			return err
		}
		if !slices.Contains(from, cur.Status()) {
			out = cur
			return nil
		}
		if err := setStatus(ctx, tx, orderID, to, reason, skus); err != nil {
			return err
		}
		out, err = readReservation(ctx, tx, orderID)
		return err
	})
	return out, err
}

// ReserveOrder implements catalog.OrderStore: one transaction claims the
// order's reservation and holds every line or none. A decided reservation
// is returned as stored (a redelivery changes nothing).
func (s *Store) ReserveOrder(ctx context.Context, want domain.Reservation) (domain.Reservation, error) {
	var out domain.Reservation
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// A new order's reservation, the usual case, is decided first and
		// stored once, with its outcome.
		if want.Status() == domain.StatusPending {
			decided, apply, err := decide(ctx, tx, want)
			if err != nil {
				return err
			}
			created, err := insertReservation(ctx, tx, decided)
			if err != nil {
				return err
			}
			if created {
				out = decided
				return settleHolds(ctx, tx, decided, apply)
			}
		} else if _, err := insertReservation(ctx, tx, want); err != nil {
			return err
		}
		// The order has its reservation already.
		r, err := readReservation(ctx, tx, want.OrderID())
		if err != nil {
			return err
		}
		if r.Status() != domain.StatusPending {
			out = r
			return nil
		}
		decided, apply, err := decide(ctx, tx, r)
		if err != nil {
			return err
		}
		if err := settleHolds(ctx, tx, decided, apply); err != nil {
			return err
		}
		out = decided
		return setStatus(ctx, tx, r.OrderID(), decided.Status(), decided.Reason(), decided.FailedSKUs())
	})
	return out, err
}

// settleHolds makes the holds what decided says: apply's lines held for a
// reserved order; for a failed one, none — holds left by a Store-level
// attempt interrupted earlier are given back.
func settleHolds(ctx context.Context, tx *sql.Tx, decided domain.Reservation, apply []domain.Line) error {
	if decided.Status() == domain.StatusReserved {
		return applyHolds(ctx, tx, decided.OrderID(), apply)
	}
	return dropHolds(ctx, tx, decided.OrderID(), "", false)
}

// decide plans the holds of a pending reservation: reserved with the lines
// to hold (those not held already), or failed with the SKUs that cannot be
// and the first one's reason.
func decide(ctx context.Context, tx *sql.Tx, r domain.Reservation) (domain.Reservation, []domain.Line, error) {
	lines := r.Lines()
	plans, err := planHolds(ctx, tx, r.OrderID(), lines)
	if err != nil {
		return domain.Reservation{}, nil, err
	}
	var failed []string
	var apply []domain.Line
	reason := ""
	for i, o := range plans {
		switch {
		case o == domain.HoldApplied:
			apply = append(apply, lines[i])
		case !o.Held():
			failed = append(failed, lines[i].SKU().String())
			if reason == "" {
				reason = o.Reason()
			}
		}
	}
	status := domain.StatusReserved
	if len(failed) > 0 {
		status, apply = domain.StatusFailed, nil
	}
	decided, err := domain.RestoreReservation(r.OrderID(), lines, status, reason, failed)
	return decided, apply, err
}

// ReleaseOrder implements catalog.OrderStore: an unknown order gets a
// tombstone so a late reserve holds nothing; a committed one is refused.
func (s *Store) ReleaseOrder(ctx context.Context, orderID string) (domain.Reservation, error) {
	tomb, err := domain.Tombstone(orderID)
	if err != nil {
		return domain.Reservation{}, err
	}
	var out domain.Reservation
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		created, err := insertReservation(ctx, tx, tomb)
		if err != nil || created {
			out = tomb
			return err
		}
		r, err := readReservation(ctx, tx, tomb.OrderID())
		if err != nil || r.Status() == domain.StatusCommitted {
			out = r
			return err
		}
		if r.Status() == domain.StatusPending || r.Status() == domain.StatusReserved {
			if err := setStatus(ctx, tx, r.OrderID(), domain.StatusReleased, "released", nil); err != nil {
				return err
			}
		}
		if err := dropHolds(ctx, tx, r.OrderID(), "", false); err != nil {
			return err
		}
		out, err = readReservation(ctx, tx, r.OrderID())
		return err
	})
	if err != nil {
		return domain.Reservation{}, err
	}
	if out.Status() == domain.StatusCommitted {
		return out, fmt.Errorf("%w: order %s", domain.ErrAlreadyCommitted, orderID)
	}
	return out, nil
}

// CommitOrder implements catalog.OrderStore: the held units of a reserved
// order are sold; a committed one is finished again (a no-op).
func (s *Store) CommitOrder(ctx context.Context, orderID string) (domain.Reservation, error) {
	var out domain.Reservation
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// A reserved order commits in one statement; any other reservation
		// is read: a committed one only gives back holds left over (a
		// redelivery finds none), the rest are not committed.
		var stored string
		var lines []domain.Line
		err := tx.QueryRowContext(ctx, `UPDATE catalog_reservations SET status = 'committed', reason = '', failed_skus = '[]',
			updated_at = ? WHERE order_id = ? AND status = 'reserved' RETURNING lines`, sqlite.Nanos(time.Now()), orderID).Scan(&stored)
		switch {
		case err == nil:
			if lines, err = decodeLines(orderID, stored); err != nil {
				return err
			}
		case errors.Is(err, sql.ErrNoRows):
			r, err := readReservation(ctx, tx, orderID)
			if err != nil {
				return err
			}
			if r.Status() != domain.StatusCommitted {
				out = r
				return nil
			}
			lines = r.Lines()
		default:
			return fmt.Errorf("catalog sqlitestore: commit reservation: %w", err)
		}
		if err := dropHolds(ctx, tx, orderID, "", true); err != nil {
			return err
		}
		out, err = domain.RestoreReservation(orderID, lines, domain.StatusCommitted, "", nil)
		return err
	})
	if err != nil {
		return domain.Reservation{}, err
	}
	if out.Status() != domain.StatusCommitted {
		return out, fmt.Errorf("%w: order %s is %s", domain.ErrNotReserved, orderID, out.Status())
	}
	return out, nil
}
