package sqlite

import (
	"fmt"
	"time"
)

// TimeLayout is how the embedded stores keep times: UTC text with a fixed nine
// fractional digits. It is RFC 3339, readable in the sqlite3 shell, and —
// unlike time.RFC3339Nano, which trims trailing zeros — sorts in time order as
// plain text, so ORDER BY and range conditions on such a column are correct.
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
