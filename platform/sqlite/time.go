package sqlite

import (
	"fmt"
	"time"
)

// Times in the embedded stores are INTEGER unix nanoseconds (UTC): compact,
// exact, ordered, and compared without parsing. Nanos and FromNanos are the
// only conversions the adapters use; NullNanos and FromNullNanos keep the zero
// time as NULL for optional columns. (Nanoseconds since 1970 fit an int64
// until the year 2262.)

// Nanos is t as stored.
func Nanos(t time.Time) int64 { return t.UTC().UnixNano() }

// FromNanos is the stored n as a UTC time.
func FromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// NullNanos is t as stored in a nullable column: NULL for the zero time.
func NullNanos(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := Nanos(t)
	return &n
}

// FromNullNanos reads a nullable column written by NullNanos.
func FromNullNanos(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return FromNanos(*n)
}

// TimeLayout is the text form for times a person reads in the sqlite3 shell
// (the migration log's applied_at): UTC with a fixed nine fractional digits,
// which — unlike time.RFC3339Nano, which trims trailing zeros — sorts in time
// order as plain text.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// FormatTime renders t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a time written by FormatTime.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: stored time %q: %w", s, err)
	}
	return t, nil
}
