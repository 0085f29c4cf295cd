package messaging_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/evshop/shop/commands/esrepo"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

type shipped struct {
	OrderID string `json:"orderId"`
}

func (shipped) EventName() string { return "test.Shipped.v2" }

type ignored struct{}

func (ignored) EventName() string { return "test.Ignored.v1" }

func TestTypedEventHandlerDecodesWhatItDeclares(t *testing.T) {
	t.Parallel()
	codec := esrepo.CodecFor[messaging.Event](shipped{}, ignored{})
	codec.Upcast("test.Shipped.v1", shipped{}, func(data json.RawMessage) (messaging.Event, error) {
		var old struct {
			ID string `json:"id"`
		}
		err := json.Unmarshal(data, &old)
		return shipped{OrderID: old.ID}, err
	})
	var got []messaging.Event
	h := messaging.TypedEventHandler{Name: "test.typed", Codec: codec, Events: []messaging.Event{shipped{}},
		Handle: func(_ context.Context, _ eventstore.RecordedEvent, e messaging.Event) error {
			got = append(got, e)
			return nil
		}}.EventHandler()
	if want := []string{"test.Shipped.v1", "test.Shipped.v2"}; !slices.Equal(h.Types, want) {
		t.Fatalf("Types = %v, want %v (the declared event and the old type upcast to it)", h.Types, want)
	}
	tests := []struct {
		name          string
		typ, data     string
		want          messaging.Event
		wantPermanent bool
	}{
		{"current", "test.Shipped.v2", `{"orderId":"o1"}`, shipped{OrderID: "o1"}, false},
		{"old shape", "test.Shipped.v1", `{"id":"o2"}`, shipped{OrderID: "o2"}, false},
		{"undecodable", "test.Shipped.v2", `[1]`, nil, true},
		{"undecodable old shape", "test.Shipped.v1", `"x"`, nil, true},
		{"unknown type", "test.Other.v1", `{}`, nil, true},
	}
	for _, tt := range tests {
		got = nil
		err := h.Handle(context.Background(), eventstore.RecordedEvent{ID: "e", Type: tt.typ, Data: []byte(tt.data)})
		if messaging.IsPermanent(err) != tt.wantPermanent || (err != nil && !tt.wantPermanent) {
			t.Fatalf("%s: err = %v, want permanent %v", tt.name, err, tt.wantPermanent)
		}
		if tt.want != nil && (len(got) != 1 || got[0] != tt.want) {
			t.Fatalf("%s: handled %#v, want %#v", tt.name, got, tt.want)
		}
		if tt.want == nil && len(got) != 0 {
			t.Fatalf("%s: handled %#v", tt.name, got)
		}
	}
}
