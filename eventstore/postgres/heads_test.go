package postgres

import (
	"strconv"
	"testing"
)

// TestHeads: a head is noted only after an append that ran alone and that
// nothing forgot meanwhile, told only while listening, and never again once
// another writer was heard.
func TestHeads(t *testing.T) {
	const self = "me"
	type step struct {
		op     string // begin, end (committed), fail, heard, reset
		who    int    // which append (begin/end/fail)
		next   uint64 // end
		arg    string // heard: payload
		listen bool   // reset
	}
	tests := []struct {
		name  string
		steps []step
		want  string // KnownNext("s") as "n" or "unknown"
	}{
		{"one append", []step{{op: "begin", who: 1}, {op: "end", who: 1, next: 3}}, "3"},
		{"during an append", []step{{op: "begin", who: 1}, {op: "end", who: 1, next: 3}, {op: "begin", who: 2}}, "unknown"},
		{"a failed append", []step{{op: "begin", who: 1}, {op: "end", who: 1, next: 3}, {op: "begin", who: 2}, {op: "fail", who: 2}}, "unknown"},
		{"overlapping, the earlier revision ends last", []step{{op: "begin", who: 1}, {op: "begin", who: 2}, {op: "end", who: 1, next: 13}, {op: "end", who: 2, next: 12}}, "unknown"},
		{"overlapping, in order", []step{{op: "begin", who: 1}, {op: "begin", who: 2}, {op: "end", who: 1, next: 12}, {op: "end", who: 2, next: 13}}, "unknown"},
		{"after overlapping ones, alone", []step{{op: "begin", who: 1}, {op: "begin", who: 2}, {op: "end", who: 1, next: 12}, {op: "end", who: 2, next: 13},
			{op: "begin", who: 3}, {op: "end", who: 3, next: 14}}, "14"},
		{"another process appended", []step{{op: "begin", who: 1}, {op: "end", who: 1, next: 3}, {op: "heard", arg: "other"}}, "unknown"},
		{"another process, heard during the append", []step{{op: "begin", who: 1}, {op: "heard", arg: "other"}, {op: "end", who: 1, next: 3}}, "unknown"},
		{"another process, then an append of ours", []step{{op: "heard", arg: "other"}, {op: "begin", who: 1}, {op: "end", who: 1, next: 3}}, "unknown"},
		{"another process, then listening again", []step{{op: "heard", arg: "other"}, {op: "reset", listen: false}, {op: "reset", listen: true},
			{op: "begin", who: 1}, {op: "end", who: 1, next: 3}}, "unknown"},
		{"our own notification", []step{{op: "begin", who: 1}, {op: "end", who: 1, next: 3}, {op: "heard", arg: "me"}}, "3"},
		{"a store that does not track", []step{{op: "begin", who: 1}, {op: "end", who: 1, next: 3}, {op: "heard", arg: ""}}, "unknown"},
		{"not listening", []step{{op: "reset", listen: false}, {op: "begin", who: 1}, {op: "end", who: 1, next: 3}}, "unknown"},
		{"listening again", []step{{op: "begin", who: 1}, {op: "end", who: 1, next: 3}, {op: "reset", listen: false}, {op: "reset", listen: true}}, "unknown"},
		{"began before listening", []step{{op: "reset", listen: false}, {op: "begin", who: 1}, {op: "reset", listen: true}, {op: "end", who: 1, next: 3}}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &heads{}
			h.reset(true)
			type run struct {
				mark  uint64
				alone bool
			}
			runs := map[int]run{}
			for _, st := range tt.steps {
				switch st.op {
				case "begin":
					m, a := h.begin("s")
					runs[st.who] = run{m, a}
				case "end", "fail":
					r := runs[st.who]
					h.end("s", r.mark, r.alone, st.op == "end", st.next)
				case "heard":
					h.heard(st.arg, self)
				case "reset":
					h.reset(st.listen)
				}
			}
			got := "unknown"
			if n, ok := h.known("s"); ok {
				got = strconv.FormatUint(n, 10)
			}
			if got != tt.want {
				t.Fatalf("known %s, want %s", got, tt.want)
			}
		})
	}
}
