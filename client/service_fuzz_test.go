package client_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/evshop/shop/client"
	"github.com/evshop/shop/client/clienttest"
	clientmemory "github.com/evshop/shop/client/memory"
	"github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
)

// FuzzOnUserRegistered: whatever a UserRegistered message holds, the client
// service creates a valid profile from it or refuses it; it never panics,
// and a profile it created reads and renders.
func FuzzOnUserRegistered(f *testing.F) {
	const id = "0b8f4c1e-8d2a-4a8e-9a57-3c6f1f1b2a10"
	extra := []eventstore.RecordedEvent{
		clienttest.Registered(f, id, "Ann"),
		{Type: identity.TypeUserRegistered, Stream: identity.Stream(id), Data: []byte(`{"userId":"` + id + `","email":{"$gt":""},"name":"x"}`)},
		{Type: identity.TypeUserRegistered, Stream: identity.Stream("../../etc"), Data: []byte(`{"userId":"../../etc","email":"a@b.c","name":"` + strings.Repeat("x", 5000) + `"}`)},
		{Type: identity.TypeUserRegistered, Stream: identity.Stream(id), Data: []byte(`{"userId":"` + id + `","email":"a@b.c","name":"\u0000","language":"$where"}`)},
	}
	testenv.FuzzEventHandler(f, nil, extra, func(t *testing.T) (testenv.EventHandlerFunc, func(*testing.T)) {
		svc, err := client.New(client.Config{Store: clientmemory.New()})
		if err != nil {
			t.Fatal(err)
		}
		var users []string
		handle := func(ctx context.Context, e eventstore.RecordedEvent) error {
			var v struct {
				UserID string `json:"userId"`
			}
			if json.Unmarshal(e.Data, &v) == nil && v.UserID != "" {
				users = append(users, strings.ToLower(v.UserID))
			}
			return svc.OnUserRegistered(ctx, e)
		}
		return handle, func(t *testing.T) {
			for _, u := range users {
				p, err := svc.Profile(context.Background(), u)
				if err != nil {
					continue // refused
				}
				if _, err := json.Marshal(p); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
