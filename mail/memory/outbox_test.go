package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/mail/memory"
)

func TestOutbox(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	o := memory.New(memory.WithClock(func() time.Time { return at }), memory.WithCapacity(2))
	ctx := context.Background()
	for _, to := range []string{"a@x.example", "b@x.example", "c@x.example"} {
		if _, err := o.Send(ctx, mail.Message{To: to, Subject: "S " + to, Text: "t", HTML: "<p>h</p>"}); err != nil {
			t.Fatal(err)
		}
	}
	list := o.List()
	if len(list) != 2 || list[0].To != "c@x.example" || list[1].To != "b@x.example" {
		t.Fatalf("List = %+v, want c then b (capacity 2, newest first)", list)
	}
	got, ok := o.Get(list[0].ID)
	if !ok || got.Subject != "S c@x.example" || !got.SentAt.Equal(at) || got.HTML != "<p>h</p>" {
		t.Fatalf("Get = %+v %v", got, ok)
	}
	if _, err := o.Send(ctx, mail.Message{To: "broken", Subject: "s", Text: "t"}); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Fatalf("invalid message accepted: %v", err)
	}
	if n := len(o.To("b@x.example")); n != 1 {
		t.Fatalf("To(b) = %d messages", n)
	}
	o.Clear()
	if len(o.List()) != 0 {
		t.Fatal("Clear left messages")
	}
}
