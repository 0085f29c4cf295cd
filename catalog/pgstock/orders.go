package pgstock

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	domain "github.com/evshop/shop/domain/catalog"
)

// ReserveOrder implements catalog.OrderStore: the product facts come from
// MongoDB in one query, then one transaction claims the order's
// reservation row, locks its stock rows and holds every line or none.
func (s *Store) ReserveOrder(ctx context.Context, want domain.Reservation) (domain.Reservation, error) {
	lines := want.Lines()
	skus := make([]string, len(lines))
	for i, l := range lines {
		skus[i] = l.SKU().String()
	}
	archived, err := s.products.Archived(ctx, skus)
	if err != nil {
		return domain.Reservation{}, err
	}
	if err := s.ensureStock(ctx, skus); err != nil {
		return domain.Reservation{}, err
	}
	var out domain.Reservation
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		created, err := insertReservation(ctx, tx, want)
		if err != nil {
			return err
		}
		r := want
		// The row is locked by the insert, or here: a duplicate delivery
		// running concurrently waits for this one's outcome.
		if !created {
			if r, err = readReservation(ctx, tx, want.OrderID(), true); err != nil {
				return err
			}
			if r.Status() != domain.StatusPending {
				// Decided already (a redelivery): report it as stored.
				out = r
				return nil
			}
		}
		// Pending: new, or handed over from MongoDB in flight. Its own
		// lines decide, which for a new one are want's.
		plan, err := planHolds(ctx, tx, r.OrderID(), r.Lines(), archived)
		if err != nil {
			return err
		}
		if plan.held() {
			if err := applyHolds(ctx, tx, r.OrderID(), plan.apply); err != nil {
				return err
			}
			if err := setStatus(ctx, tx, r.OrderID(), domain.StatusReserved, "", nil); err != nil {
				return err
			}
		} else {
			var failed []string
			reason := ""
			for i, o := range plan.outcomes {
				if !o.Held() {
					failed = append(failed, r.Lines()[i].SKU().String())
					if reason == "" {
						reason = o.Reason()
					}
				}
			}
			// Holds a handed-over pending order made before go back.
			if err := dropHolds(ctx, tx, r.OrderID(), nil, false); err != nil {
				return err
			}
			if err := setStatus(ctx, tx, r.OrderID(), domain.StatusFailed, reason, failed); err != nil {
				return err
			}
		}
		out, err = readReservation(ctx, tx, r.OrderID(), false)
		return err
	})
	if err != nil {
		return domain.Reservation{}, err
	}
	return out, nil
}

// ReleaseOrder implements catalog.OrderStore.
func (s *Store) ReleaseOrder(ctx context.Context, orderID string) (domain.Reservation, error) {
	tomb, err := domain.Tombstone(orderID)
	if err != nil {
		return domain.Reservation{}, err
	}
	var out domain.Reservation
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		created, err := insertReservation(ctx, tx, tomb)
		if err != nil || created {
			out = tomb
			return err
		}
		r, err := readReservation(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		switch r.Status() {
		case domain.StatusCommitted:
			out = r
			return nil
		case domain.StatusPending, domain.StatusReserved:
			if err := setStatus(ctx, tx, orderID, domain.StatusReleased, "released", nil); err != nil {
				return err
			}
		}
		if err := dropHolds(ctx, tx, orderID, nil, false); err != nil {
			return err
		}
		out, err = readReservation(ctx, tx, orderID, false)
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

// CommitOrder implements catalog.OrderStore.
func (s *Store) CommitOrder(ctx context.Context, orderID string) (domain.Reservation, error) {
	var out domain.Reservation
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := readReservation(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		out = r
		switch r.Status() {
		case domain.StatusReserved:
			if err := setStatus(ctx, tx, orderID, domain.StatusCommitted, "", nil); err != nil {
				return err
			}
		case domain.StatusCommitted:
			// A redelivery: the holds are gone already, unless the order
			// was committed on MongoDB and handed over with holds left.
		default:
			return nil
		}
		if err := dropHolds(ctx, tx, orderID, nil, true); err != nil {
			return err
		}
		out, err = readReservation(ctx, tx, orderID, false)
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
