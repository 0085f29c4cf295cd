package sqlite

import (
	"fmt"
	"testing"

	"github.com/evshop/shop/eventstore"
)

// TestRecentWindow: the window holds the newest events without a gap —
// the oldest leave when it is full, events that do not follow its last
// start it afresh, reset empties it — and tells a reader when it does not
// reach back far enough (the reader then reads the file).
func TestRecentWindow(t *testing.T) {
	ev := func(pos uint64, stream string, rev uint64) eventstore.RecordedEvent {
		return eventstore.RecordedEvent{Position: pos, Stream: stream, Revision: rev, Type: "test.Window.v1"}
	}
	w := newRecent(3)
	steps := []struct {
		name    string
		do      func()
		after   uint64
		want    string // positions all(after) returns, or "file" when it cannot
		stream  string
		from    uint64
		wantStr string // revisions stream(stream, from) returns, or "file"
	}{
		{name: "empty", do: func() {}, after: 0, want: "file", stream: "a", wantStr: "file"},
		{name: "two events", do: func() { w.add([]eventstore.RecordedEvent{ev(1, "a", 0), ev(2, "b", 0)}) },
			after: 0, want: "[1 2]", stream: "a", wantStr: "[0]"},
		{name: "full: the oldest leaves", do: func() { w.add([]eventstore.RecordedEvent{ev(3, "a", 1), ev(4, "a", 2)}) },
			after: 0, want: "file", stream: "a", from: 1, wantStr: "[1 2]"},
		{name: "from inside", after: 2, want: "[3 4]", stream: "a", from: 0, wantStr: "file"},
		{name: "caught up", after: 4, want: "[]", stream: "b", wantStr: "[0]"},
		{name: "a gap starts it afresh", do: func() { w.add([]eventstore.RecordedEvent{ev(7, "c", 0)}) },
			after: 4, want: "file", stream: "c", wantStr: "[0]"},
		{name: "after the gap", after: 6, want: "[7]", stream: "a", from: 2, wantStr: "file"},
		{name: "reset", do: func() { w.reset() }, after: 6, want: "file", stream: "c", wantStr: "file"},
	}
	for _, st := range steps {
		if st.do != nil {
			st.do()
		}
		got := "file"
		if evs, upTo, ok := w.all(st.after, eventstore.Filter{}, 10); ok {
			var ps []uint64
			for _, e := range evs {
				ps = append(ps, e.Position)
			}
			got = fmt.Sprint(ps)
			if got == "[]" && upTo != st.after {
				t.Errorf("%s: nothing read, yet read up to %d", st.name, upTo)
			}
		}
		if got != st.want {
			t.Errorf("%s: all(%d) = %s, want %s", st.name, st.after, got, st.want)
		}
		gotStr := "file"
		if evs, ok := w.stream(st.stream, st.from); ok {
			var rs []uint64
			for _, e := range evs {
				rs = append(rs, e.Revision)
			}
			gotStr = fmt.Sprint(rs)
		}
		if gotStr != st.wantStr {
			t.Errorf("%s: stream(%s, %d) = %s, want %s", st.name, st.stream, st.from, gotStr, st.wantStr)
		}
	}
}
