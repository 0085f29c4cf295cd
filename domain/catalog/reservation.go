package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Bounds of one reservation.
const (
	MaxLineQuantity     = 1000
	MaxReservationLines = 100
)

// Line asks for quantity units of one SKU.
type Line struct {
	sku      SKU
	quantity int
}

// NewLine validates a reservation line.
func NewLine(sku string, quantity int) (Line, error) {
	s, err := NewSKU(sku)
	if err != nil {
		return Line{}, err
	}
	if quantity < 1 || quantity > MaxLineQuantity {
		return Line{}, fmt.Errorf("%w: quantity of %s must be 1..%d", ErrInvalid, s, MaxLineQuantity)
	}
	return Line{sku: s, quantity: quantity}, nil
}

// SKU is the product.
func (l Line) SKU() SKU { return l.sku }

// Quantity is the number of units.
func (l Line) Quantity() int { return l.quantity }

// ReservationStatus is where a reservation is in its life.
type ReservationStatus string

// The statuses. Pending is only seen while a reservation is being applied
// (or after a crash mid-way, which the next delivery completes).
const (
	StatusPending   ReservationStatus = "pending"
	StatusReserved  ReservationStatus = "reserved"
	StatusFailed    ReservationStatus = "failed"
	StatusReleased  ReservationStatus = "released"
	StatusCommitted ReservationStatus = "committed"
)

// Valid reports whether s is a known status.
func (s ReservationStatus) Valid() bool {
	switch s {
	case StatusPending, StatusReserved, StatusFailed, StatusReleased, StatusCommitted:
		return true
	}
	return false
}

// Terminal reports whether no further transition is possible.
func (s ReservationStatus) Terminal() bool {
	return s == StatusFailed || s == StatusReleased || s == StatusCommitted
}

// Reservation holds stock for one order, all lines or none.
type Reservation struct {
	orderID    string
	lines      []Line
	status     ReservationStatus
	reason     string
	failedSKUs []string
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// NewOrderID validates a UUID order id and returns its canonical lower-case form.
func NewOrderID(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if !uuidPattern.MatchString(v) {
		return "", fmt.Errorf("%w: order id %q is not a UUID", ErrInvalid, truncate(s, 40))
	}
	return v, nil
}

// NewReservation validates a pending reservation. Lines of the same SKU are
// merged and the result is sorted by SKU, so every attempt touches products
// in the same order.
func NewReservation(orderID string, lines []Line) (Reservation, error) {
	id, err := NewOrderID(orderID)
	if err != nil {
		return Reservation{}, err
	}
	if len(lines) == 0 || len(lines) > MaxReservationLines {
		return Reservation{}, fmt.Errorf("%w: a reservation needs 1..%d lines", ErrInvalid, MaxReservationLines)
	}
	merged := map[SKU]int{}
	for _, l := range lines {
		if l.sku.IsZero() || l.quantity < 1 {
			return Reservation{}, fmt.Errorf("%w: empty line", ErrInvalid)
		}
		merged[l.sku] += l.quantity
	}
	out := make([]Line, 0, len(merged))
	for sku, q := range merged {
		if q > MaxLineQuantity {
			return Reservation{}, fmt.Errorf("%w: quantity of %s must be 1..%d", ErrInvalid, sku, MaxLineQuantity)
		}
		out = append(out, Line{sku: sku, quantity: q})
	}
	slices.SortFunc(out, func(a, b Line) int { return strings.Compare(a.sku.value, b.sku.value) })
	return Reservation{orderID: id, lines: out, status: StatusPending}, nil
}

// RestoreReservation rebuilds a stored reservation.
func RestoreReservation(orderID string, lines []Line, status ReservationStatus, reason string, failedSKUs []string) (Reservation, error) {
	if !status.Valid() {
		return Reservation{}, fmt.Errorf("%w: reservation status %q", ErrInvalid, status)
	}
	id, err := NewOrderID(orderID)
	if err != nil {
		return Reservation{}, err
	}
	return Reservation{orderID: id, lines: slices.Clone(lines), status: status, reason: reason, failedSKUs: slices.Clone(failedSKUs)}, nil
}

// Tombstone is a released reservation without lines: it records that an
// order was released before its reservation arrived, so a late ReserveStock
// does not hold stock for a cancelled order.
func Tombstone(orderID string) (Reservation, error) {
	id, err := NewOrderID(orderID)
	if err != nil {
		return Reservation{}, err
	}
	return Reservation{orderID: id, status: StatusReleased, reason: "released before reservation"}, nil
}

// Accessors.
func (r Reservation) OrderID() string           { return r.orderID }
func (r Reservation) Lines() []Line             { return slices.Clone(r.lines) }
func (r Reservation) Status() ReservationStatus { return r.status }
func (r Reservation) Reason() string            { return r.reason }
func (r Reservation) FailedSKUs() []string      { return slices.Clone(r.failedSKUs) }

// Reasons a reservation fails, as carried by StockReservationFailed.
const (
	ReasonOutOfStock     = "out of stock"
	ReasonUnknownProduct = "unknown product"
	ReasonArchived       = "product no longer sold"
	ReasonReleased       = "order already released"
)

// HoldOutcome is the result of holding one line.
type HoldOutcome int

// Outcomes of holding one line of stock.
const (
	HoldApplied      HoldOutcome = iota // units moved from available to reserved
	HoldAlreadyHeld                     // this order already holds the line (a retry)
	HoldInsufficient                    // not enough available units
	HoldUnknown                         // no such product
	HoldArchived                        // product withdrawn from sale
)

// Held reports whether the line is held for the order after the attempt.
func (o HoldOutcome) Held() bool { return o == HoldApplied || o == HoldAlreadyHeld }

// Reason is the failure reason of a non-held outcome.
func (o HoldOutcome) Reason() string {
	switch o {
	case HoldUnknown:
		return ReasonUnknownProduct
	case HoldArchived:
		return ReasonArchived
	case HoldInsufficient:
		return ReasonOutOfStock
	}
	return ""
}
