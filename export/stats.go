package export

import (
	"context"
	"slices"
	"strings"
)

// DayCount is the number of events of one type on one UTC day.
type DayCount struct {
	Day   string `json:"day"` // YYYY-MM-DD, UTC
	Type  string `json:"type"`
	Count uint64 `json:"count"`
}

// Stats counts the selected events per type per UTC day, sorted by day then
// type. Memory grows with days × types, not with events.
func Stats(ctx context.Context, r Reader, q Query, progress func(Progress)) ([]DayCount, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	head, err := r.HeadPosition(ctx)
	if err != nil {
		return nil, err
	}
	type key struct{ day, typ string }
	counts := map[key]uint64{}
	prog := Progress{Pass: 1, Passes: 1, From: q.FromPosition, To: head}
	if q.ToPosition != 0 {
		prog.To = min(head, q.ToPosition)
	}
	for ev, err := range Events(ctx, r, q) {
		if err != nil {
			return nil, err
		}
		counts[key{ev.Time.UTC().Format("2006-01-02"), ev.Type}]++
		prog.Events++
		prog.Position = ev.Position
		if progress != nil && prog.Events%progressEvery == 0 {
			progress(prog)
		}
	}
	if progress != nil {
		prog.Position = max(prog.Position, prog.To)
		progress(prog)
	}
	out := make([]DayCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, DayCount{Day: k.day, Type: k.typ, Count: n})
	}
	slices.SortFunc(out, func(a, b DayCount) int {
		if c := strings.Compare(a.Day, b.Day); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
	return out, nil
}
