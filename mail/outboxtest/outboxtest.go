// Package outboxtest is the contract suite of the embedded shop's mail
// outboxes (what /dev/mail shows): memory and sqlitestore run it.
package outboxtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/mail/memory"
)

// Outbox is what an outbox adapter implements.
type Outbox interface {
	mail.Sender
	List() []memory.Sent
	Get(id string) (memory.Sent, bool)
	To(addr string) []memory.Sent
	Clear()
}

// New returns an empty outbox that stamps messages with now and keeps at
// most capacity of them.
type New func(t *testing.T, now func() time.Time, capacity int) Outbox

// Run checks the outbox contract.
func Run(t *testing.T, newOutbox New) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	o := newOutbox(t, func() time.Time { return at }, 2)
	ctx := context.Background()
	for _, to := range []string{"a@x.example", "b@x.example", "c@x.example"} {
		if _, err := o.Send(ctx, mail.Message{To: to, Subject: "S " + to, Text: "t", HTML: "<p>h</p>",
			Headers: []mail.Header{{Name: "List-Unsubscribe", Value: "<https://shop.example/u>"}}}); err != nil {
			t.Fatal(err)
		}
	}
	list := o.List()
	if len(list) != 2 || list[0].To != "c@x.example" || list[1].To != "b@x.example" {
		t.Fatalf("List = %+v, want c then b (capacity 2, newest first)", list)
	}
	got, ok := o.Get(list[0].ID)
	if !ok || got.Subject != "S c@x.example" || !got.SentAt.Equal(at) || got.HTML != "<p>h</p>" || got.Text != "t" ||
		len(got.Headers) != 1 || got.Headers[0].Name != "List-Unsubscribe" {
		t.Fatalf("Get = %+v %v", got, ok)
	}
	if _, ok := o.Get("no-such-id"); ok {
		t.Fatal("Get found an unknown id")
	}
	if _, err := o.Send(ctx, mail.Message{To: "broken", Subject: "s", Text: "t"}); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Fatalf("invalid message accepted: %v", err)
	}
	if n := len(o.To("b@x.example")); n != 1 {
		t.Fatalf("To(b) = %d messages", n)
	}
	// A key sent again answers the first send's id and keeps nothing new;
	// another key, or none, is another message.
	keyed := mail.Message{To: "k@x.example", Subject: "once", Text: "t", IdempotencyKey: "delivery-1"}
	first, err := o.Send(ctx, keyed)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := o.Send(ctx, keyed); err != nil || again != first {
		t.Fatalf("the same key sent again: %q, %v; want %q", again, err, first)
	}
	if n := len(o.To("k@x.example")); n != 1 {
		t.Fatalf("the same key sent twice kept %d messages, want 1", n)
	}
	keyed.IdempotencyKey = "delivery-2"
	if other, err := o.Send(ctx, keyed); err != nil || other == first {
		t.Fatalf("another key: %q, %v; want a new message", other, err)
	}
	o.Clear()
	if len(o.List()) != 0 {
		t.Fatal("Clear left messages")
	}
	id, err := o.Send(ctx, mail.Message{To: "d@x.example", Subject: "after clear", Text: "t"})
	if err != nil || id == list[0].ID || id == list[1].ID {
		t.Fatalf("send after Clear: id %q (ids must not repeat), %v", id, err)
	}
}
