// Package stockmoves owns the durable history of stock movements: every change
// of a SKU's units on hand (adjustments by staff, sales when an order's
// reservation is committed, returned units put back, write-offs) as one
// Movement with its reason, note, actor and reference. The stock documents
// keep only their current counters (and, on MongoDB, a short pruned chain),
// so this log is the only place the whole history lives.
//
// Why a port of its own rather than events in the event store: the history
// must agree with the counters, and the counters live in the catalog's stock
// store (SQLite embedded, PostgreSQL in server mode). With the log in the same
// database, an adjustment and its movement are written in ONE transaction
// (catalog.Service uses the store's MoveStock when it implements
// catalog.StockMover: catalog/sqlitestore and catalog/pgstock do, through
// InsertTx of the sqlite and postgres adapters here), so neither can exist
// without the other. An event store append would always be a second write.
//
// Never lost, never doubled: a Movement's ID is derived from its SKU and Ref
// (MovementID), the log's primary key. Recording an ID twice keeps the first
// (Record reports created=false), and in the one-transaction path the stock
// change is rolled back with the duplicate, so a retried adjustment or a
// redelivered command moves stock once. Sales are recorded after the
// idempotent commit of the order, by the CommitStock handler, with Ref
// "order:<id>": a crash between the two leaves the command unacknowledged,
// its redelivery commits nothing again and records the missing movements.
// Stores without transactions (CATALOG_STOCK=mongo, the in-memory shop) take
// the same order — look up the ID, change the stock, record — and a crash
// between the last two loses that one movement (logged); see the package
// doc of catalog for that store's limits.
package stockmoves

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Reason says why units moved.
type Reason string

// The reasons. Staff adjust with the first seven; the system records sold.
const (
	ReasonReceived   Reason = "received"   // goods in from a supplier
	ReasonCorrection Reason = "correction" // a count found a difference
	ReasonDamaged    Reason = "damaged"
	ReasonLost       Reason = "lost"
	ReasonReturned   Reason = "returned"    // returned units put back
	ReasonWrittenOff Reason = "written_off" // removed from stock for good (returned units not put back: Delta 0)
	ReasonOther      Reason = "other"       // needs a note
	ReasonSold       Reason = "sold"        // an order's reservation was committed
)

// AdjustReasons are the reasons a staff adjustment may give, in display order.
var AdjustReasons = []Reason{ReasonReceived, ReasonCorrection, ReasonDamaged, ReasonLost, ReasonReturned, ReasonWrittenOff, ReasonOther}

// Limits.
const (
	MaxNote  = 500
	MaxRef   = 200
	MaxActor = 100
	// MaxPageSize bounds List.
	MaxPageSize = 100
)

// ErrInvalid wraps every refusal of a movement's fields.
var ErrInvalid = errors.New("stockmoves: invalid movement")

// FieldError is a refusal of one field (the API shows it beside the field).
type FieldError struct {
	Field  string // sku, delta, quantity, reason, note, ref, actor
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s %s", ErrInvalid, e.Field, e.Reason) }
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Movement is one change of a SKU's units on hand.
type Movement struct {
	ID  string
	SKU string
	// Delta is the change of units on hand: positive in, negative out. It
	// is 0 only for a written_off record of units that were never back on
	// hand (returned goods destroyed); Quantity then says how many.
	Delta    int
	Quantity int // units concerned: |Delta|, or the units written off when Delta is 0
	Reason   Reason
	Note     string
	Actor    string // user id of the staff member, or "system"
	Ref      string // idempotency reference: "order:<id>", "return:<id>/…", a request's Idempotency-Key
	// OnHandAfter is the units on hand just after the movement, when the
	// store knew it in the same step (nil when not known).
	OnHandAfter *int
	At          time.Time
}

// idNamespace derives movement ids from SKU and Ref.
var idNamespace = uuid.MustParse("6f1c9c64-94c1-4b5e-8a47-0e3a1f6a2b7d")

// MovementID is the id of the movement of sku with ref: the same pair always
// names the same movement, so recording it again is recognised.
func MovementID(sku, ref string) string {
	return uuid.NewSHA1(idNamespace, []byte(sku+"\x00"+ref)).String()
}

// Normalize validates m and fills Quantity, Actor ("system" when empty) and
// ID (always derived from SKU and Ref; a random Ref is drawn when m has none,
// and such a movement cannot be recognised when retried).
func Normalize(m Movement) (Movement, error) {
	bad := func(field, format string, a ...any) (Movement, error) {
		return Movement{}, &FieldError{Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	if m.SKU == "" {
		return bad("sku", "is required")
	}
	if m.Reason == "" {
		return bad("reason", "is required: one of %s", reasonList())
	}
	if !validReason(m.Reason) {
		return bad("reason", "must be one of %s", reasonList())
	}
	switch {
	case m.Delta == 0 && m.Reason != ReasonWrittenOff:
		return bad("delta", "must not be 0")
	case m.Delta == 0 && (m.Quantity <= 0 || m.Quantity > 1_000_000):
		return bad("quantity", "must be 1..1000000 for a written_off record with delta 0")
	case m.Delta > 1_000_000 || m.Delta < -1_000_000:
		return bad("delta", "must be within ±1000000")
	case m.Delta != 0:
		m.Quantity = max(m.Delta, -m.Delta)
	}
	switch m.Reason {
	case ReasonReceived, ReasonReturned:
		if m.Delta < 0 {
			return bad("delta", "must be positive: %s units are added", m.Reason)
		}
	case ReasonDamaged, ReasonLost, ReasonWrittenOff, ReasonSold:
		if m.Delta > 0 {
			return bad("delta", "must be negative: %s units are removed", m.Reason)
		}
	}
	m.Note = strings.TrimSpace(m.Note)
	if m.Reason == ReasonOther && m.Note == "" {
		return bad("note", "is required when the reason is other")
	}
	if err := text("note", m.Note, MaxNote); err != nil {
		return Movement{}, err
	}
	if err := text("ref", m.Ref, MaxRef); err != nil {
		return Movement{}, err
	}
	if err := text("actor", m.Actor, MaxActor); err != nil {
		return Movement{}, err
	}
	if m.Actor == "" {
		m.Actor = "system"
	}
	if m.Ref == "" {
		m.Ref = "random:" + uuid.NewString()
	}
	m.ID = MovementID(m.SKU, m.Ref)
	return m, nil
}

func validReason(r Reason) bool {
	return r == ReasonSold || isAdjustReason(r)
}

func isAdjustReason(r Reason) bool {
	for _, a := range AdjustReasons {
		if a == r {
			return true
		}
	}
	return false
}

// IsAdjustReason reports whether staff may give r.
func IsAdjustReason(r Reason) bool { return isAdjustReason(r) }

func reasonList() string {
	s := make([]string, len(AdjustReasons))
	for i, r := range AdjustReasons {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func text(field, s string, maxLen int) error {
	if len(s) > maxLen {
		return &FieldError{Field: field, Reason: fmt.Sprintf("is longer than %d bytes", maxLen)}
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return &FieldError{Field: field, Reason: "is not text"}
	}
	return nil
}

// Page is one page of a SKU's movements, newest first.
type Page struct {
	Items    []Movement
	Page     int
	PageSize int
	Total    int
}

// Log is the port every adapter implements; stockmovestest holds its
// contract suite.
type Log interface {
	// Record stores m (normalized, with At set) unless a movement with its
	// ID exists; it returns the stored movement and whether it was created.
	Record(ctx context.Context, m Movement) (Movement, bool, error)
	// RecordAll stores, in one transaction, each movement of ms (normalized,
	// with At set) whose ID is not stored yet, in their order: an order's
	// sales, one movement per line, at once.
	RecordAll(ctx context.Context, ms []Movement) error
	// Get returns the movement with id; found=false when absent.
	Get(ctx context.Context, id string) (Movement, bool, error)
	// List returns page (1-based) of sku's movements, newest first (ties by
	// insertion order, newest first).
	List(ctx context.Context, sku string, page, pageSize int) (Page, error)
}

// ClampPage applies the defaults and bounds of List's paging.
func ClampPage(page, pageSize int) (int, int) {
	if page < 1 {
		page = 1
	}
	if pageSize < 1 {
		pageSize = 20
	}
	return page, min(pageSize, MaxPageSize)
}
