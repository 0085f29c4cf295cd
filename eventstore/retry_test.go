package eventstore

import (
	"errors"
	"testing"
)

func TestResolveRetry(t *testing.T) {
	t.Parallel()
	at := func(stream string, rev, pos uint64) StoredID {
		return StoredID{Found: true, Stream: stream, Revision: rev, Position: pos}
	}
	// The original append put two events at revisions 2..3, positions 10..11.
	orig := []StoredID{at("s", 2, 10), at("s", 3, 11)}
	cases := []struct {
		name      string
		expected  ExpectedRevision
		stored    []StoredID
		wantRetry bool
		wantErr   error
		want      AppendResult
	}{
		{"nothing stored", Exact(1), []StoredID{{}, {}}, false, nil, AppendResult{}},
		{"same place exact", Exact(1), orig, true, nil, AppendResult{NextExpected: 3, Position: 11}},
		{"any", Any(), orig, true, nil, AppendResult{NextExpected: 3, Position: 11}},
		{"stream exists", StreamExists(), orig, true, nil, AppendResult{NextExpected: 3, Position: 11}},
		{"no stream at 0", NoStream(), []StoredID{at("s", 0, 4)}, true, nil, AppendResult{NextExpected: 0, Position: 4}},
		{"stream exists at 0", StreamExists(), []StoredID{at("s", 0, 4)}, true, ErrConcurrency, AppendResult{}},
		{"other place", Exact(2), orig, true, ErrConcurrency, AppendResult{}},
		{"no stream elsewhere", NoStream(), orig, true, ErrConcurrency, AppendResult{}},
		{"other stream", Any(), []StoredID{at("t", 2, 10), at("t", 3, 11)}, true, ErrConcurrency, AppendResult{}},
		{"partly stored", Exact(1), []StoredID{at("s", 2, 10), {}}, true, ErrConcurrency, AppendResult{}},
		{"first new", Any(), []StoredID{{}, at("s", 3, 11)}, true, ErrConcurrency, AppendResult{}},
		{"gap", Exact(1), []StoredID{at("s", 2, 10), at("s", 4, 12)}, true, ErrConcurrency, AppendResult{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, retry, err := ResolveRetry("s", c.expected, c.stored)
			if retry != c.wantRetry || !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) || got != c.want {
				t.Fatalf("ResolveRetry = %+v, %v, %v; want %+v, %v, %v", got, retry, err, c.want, c.wantRetry, c.wantErr)
			}
		})
	}
}

func TestCanonicalID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", true},
		{"6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", true},
		{"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", true},
		{"event-1", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, err := CanonicalID(c.in)
		if c.ok != (err == nil) || got != c.want {
			t.Errorf("CanonicalID(%q) = %q, %v", c.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("CanonicalID(%q) error %v does not wrap ErrInvalidEvent", c.in, err)
		}
	}
}
