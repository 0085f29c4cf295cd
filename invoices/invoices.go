// Package invoices owns the shop's document numbers: a gapless sequence per
// series ("invoice", "credit-note") that binds each number to the key it was
// assigned for (an order id, a refund id), and the process that gives every
// paid order its invoice number and every refund its credit-note number.
//
// Gapless means the numbers of a series are exactly 1, 2, 3, … with no hole
// and no repeat, as tax law asks of invoices. The adapters get there by
// advancing the counter and recording (series, key) → number in one
// transaction: a crash before the commit loses both, a crash after it leaves
// the number bound to its key, and asking again for that key (a redelivered
// or replayed event) returns the same number instead of a new one.
package invoices

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The series of this shop.
const (
	SeriesInvoice    = "invoice"
	SeriesCreditNote = "credit-note"
)

// Sequence hands out gapless numbers per series.
type Sequence interface {
	// Assign returns the number bound to key in series, binding the next one
	// (1 for a new series) if key has none yet. It is idempotent per
	// (series, key) and safe to call concurrently.
	Assign(ctx context.Context, series, key string) (int64, error)
}

// ErrInvalid refuses a malformed series or key.
var ErrInvalid = errors.New("invoices: invalid input")

// MaxKey bounds a key (order and refund ids are at most 64 characters).
const MaxKey = 128

// Validate checks the arguments of Assign; every adapter calls it first.
func Validate(series, key string) error {
	if series == "" || len(series) > 32 || strings.Trim(series, "abcdefghijklmnopqrstuvwxyz-") != "" {
		return fmt.Errorf("%w: series %q (lower-case letters and '-', at most 32)", ErrInvalid, series)
	}
	if strings.TrimSpace(key) == "" || len(key) > MaxKey || !utf8.ValidString(key) || strings.ContainsRune(key, 0) {
		return fmt.Errorf("%w: key (1–%d characters)", ErrInvalid, MaxKey)
	}
	return nil
}

// Format prints a number as it appears on the document: prefix, then the
// number zero-padded to six digits (numbers past 999999 just grow).
func Format(prefix string, n int64) string { return fmt.Sprintf("%s%06d", prefix, n) }

// Prefixes are the printed prefixes of the series (settings INVOICE_PREFIX
// and CREDIT_NOTE_PREFIX).
type Prefixes struct {
	Invoice, CreditNote string
}

// DefaultPrefixes are the prefixes when none are configured.
var DefaultPrefixes = Prefixes{Invoice: "INV-", CreditNote: "CN-"}

// ValidPrefix reports whether p can start a printed number: at most 16
// letters, digits, '-' or '_' (a printed credit-note number is also a path
// segment of its URL).
func ValidPrefix(p string) bool {
	if len(p) > 16 {
		return false
	}
	for _, r := range p {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
