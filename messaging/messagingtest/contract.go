// Package messagingtest holds the contract suites every adapter of the
// messaging ports (DeadLetterStore, Deduper) must pass; each adapter's tests
// run them against the real backing server.
package messagingtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/messaging"
)

// DeadLetterStore runs the contract against stores made by newStore; each
// call must return an empty store.
func DeadLetterStore(t *testing.T, newStore func(t *testing.T) messaging.DeadLetterStore) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	letter := func(handler string, n int) messaging.DeadLetter {
		return messaging.DeadLetter{
			ID: uuid.NewString(), MessageID: uuid.NewString(), Handler: handler,
			Topic: "shop.events." + handler, RedriveTo: "shop.events." + handler,
			Reason: fmt.Sprintf("boom %d", n), Payload: []byte(`{"n":` + fmt.Sprint(n) + `}`),
			Metadata: map[string]string{"name": "ordering.OrderPlaced.v1", "correlation_id": "c-1"},
			FailedAt: base.Add(time.Duration(n) * time.Second),
		}
	}

	t.Run("add then get returns the same letter", func(t *testing.T) {
		s := newStore(t)
		dl := letter("projector", 1)
		if err := s.Add(ctx, dl); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, dl.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertSame(t, got, dl)
	})
	t.Run("add is idempotent by id", func(t *testing.T) {
		s := newStore(t)
		dl := letter("projector", 1)
		for range 2 {
			if err := s.Add(ctx, dl); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.List(ctx, messaging.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			t.Fatalf("listed %d letters, want 1", len(list))
		}
	})
	t.Run("list is oldest first, filters by handler and honours the limit", func(t *testing.T) {
		s := newStore(t)
		var want []messaging.DeadLetter
		for _, n := range []int{3, 1, 2} {
			dl := letter("a", n)
			if err := s.Add(ctx, dl); err != nil {
				t.Fatal(err)
			}
			if err := s.Add(ctx, letter("b", n)); err != nil {
				t.Fatal(err)
			}
			want = append(want, dl)
		}
		cases := []struct {
			name  string
			opts  messaging.ListOptions
			count int
			first string
		}{
			{"all", messaging.ListOptions{}, 6, ""},
			{"one handler", messaging.ListOptions{Handler: "a"}, 3, "boom 1"},
			{"limited", messaging.ListOptions{Handler: "a", Limit: 2}, 2, "boom 1"},
			{"unknown handler", messaging.ListOptions{Handler: "zzz"}, 0, ""},
		}
		for _, c := range cases {
			got, err := s.List(ctx, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.count {
				t.Fatalf("%s: %d letters, want %d", c.name, len(got), c.count)
			}
			for i := 1; i < len(got); i++ {
				if got[i].FailedAt.Before(got[i-1].FailedAt) {
					t.Fatalf("%s: not oldest first", c.name)
				}
			}
			if c.first != "" && got[0].Reason != c.first {
				t.Fatalf("%s: first is %q, want %q", c.name, got[0].Reason, c.first)
			}
		}
	})
	t.Run("delete removes; unknown ids are not found", func(t *testing.T) {
		s := newStore(t)
		dl := letter("projector", 1)
		if err := s.Add(ctx, dl); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, dl.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, dl.ID); !errors.Is(err, messaging.ErrDeadLetterNotFound) {
			t.Fatalf("get after delete: %v, want ErrDeadLetterNotFound", err)
		}
		if err := s.Delete(ctx, dl.ID); !errors.Is(err, messaging.ErrDeadLetterNotFound) {
			t.Fatalf("second delete: %v, want ErrDeadLetterNotFound", err)
		}
		if _, err := s.Get(ctx, uuid.NewString()); !errors.Is(err, messaging.ErrDeadLetterNotFound) {
			t.Fatalf("get unknown: %v, want ErrDeadLetterNotFound", err)
		}
	})
	t.Run("returned letters are copies", func(t *testing.T) {
		s := newStore(t)
		dl := letter("projector", 1)
		if err := s.Add(ctx, dl); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Get(ctx, dl.ID)
		got.Payload[0] = 'X'
		got.Metadata["name"] = "changed"
		again, _ := s.Get(ctx, dl.ID)
		assertSame(t, again, dl)
	})
}

func assertSame(t *testing.T, got, want messaging.DeadLetter) {
	t.Helper()
	if got.ID != want.ID || got.MessageID != want.MessageID || got.Handler != want.Handler ||
		got.Topic != want.Topic || got.RedriveTo != want.RedriveTo || got.Reason != want.Reason ||
		string(got.Payload) != string(want.Payload) || !got.FailedAt.Equal(want.FailedAt) {
		t.Fatalf("dead letter differs:\n got %+v\nwant %+v", got, want)
	}
	if len(got.Metadata) != len(want.Metadata) {
		t.Fatalf("metadata %v, want %v", got.Metadata, want.Metadata)
	}
	for k, v := range want.Metadata {
		if got.Metadata[k] != v {
			t.Fatalf("metadata %v, want %v", got.Metadata, want.Metadata)
		}
	}
}

// Deduper runs the contract against dedupers made by newDeduper; each call
// must return an empty one.
func Deduper(t *testing.T, newDeduper func(t *testing.T) messaging.Deduper) {
	t.Helper()
	ctx := context.Background()
	t.Run("unseen until marked, per handler", func(t *testing.T) {
		d := newDeduper(t)
		id := uuid.NewString()
		check := func(handler string, want bool) {
			t.Helper()
			seen, err := d.Seen(ctx, handler, id)
			if err != nil {
				t.Fatal(err)
			}
			if seen != want {
				t.Fatalf("Seen(%s) = %v, want %v", handler, seen, want)
			}
		}
		check("a", false)
		if err := d.Mark(ctx, "a", id); err != nil {
			t.Fatal(err)
		}
		check("a", true)
		check("b", false)
	})
	t.Run("marking twice is fine", func(t *testing.T) {
		d := newDeduper(t)
		id := uuid.NewString()
		for range 2 {
			if err := d.Mark(ctx, "a", id); err != nil {
				t.Fatal(err)
			}
		}
		if seen, err := d.Seen(ctx, "a", id); err != nil || !seen {
			t.Fatalf("Seen = %v, %v; want true", seen, err)
		}
	})
	t.Run("concurrent marks of many ids", func(t *testing.T) {
		d := newDeduper(t)
		ids := make([]string, 50)
		errs := make(chan error, len(ids)*2)
		for i := range ids {
			ids[i] = uuid.NewString()
		}
		for range 2 {
			for _, id := range ids {
				go func() { errs <- d.Mark(ctx, "a", id) }()
			}
		}
		for range len(ids) * 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range ids {
			if seen, err := d.Seen(ctx, "a", id); err != nil || !seen {
				t.Fatalf("Seen(%s) = %v, %v; want true", id, seen, err)
			}
		}
	})
}
