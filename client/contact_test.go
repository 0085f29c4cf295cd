package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/client"
	"github.com/evshop/shop/client/clienttest"
	clientmemory "github.com/evshop/shop/client/memory"
)

// TestContact: how the notifier addresses a customer — the profile's email
// and name and the preferred language; a customer without a profile (never
// created, or erased) gets the default language and no address.
func TestContact(t *testing.T) {
	t.Parallel()
	const id = "0b8f4c1e-8d2a-4a8e-9a57-3c6f1f1b2a10"
	tests := []struct {
		name  string
		setup func(t *testing.T, svc *client.Service)
		want  client.Contact
	}{
		{"no profile", func(*testing.T, *client.Service) {}, client.Contact{Lang: "en"}},
		{"registered", func(t *testing.T, svc *client.Service) {
			if err := svc.OnUserRegistered(context.Background(), clienttest.RegisteredAs(t, id, "ann@example.com", "Ann", time.Now().UTC())); err != nil {
				t.Fatal(err)
			}
		}, client.Contact{Email: "ann@example.com", Name: "Ann", Lang: "en"}},
		{"registered, prefers German", func(t *testing.T, svc *client.Service) {
			ctx := context.Background()
			if err := svc.OnUserRegistered(ctx, clienttest.RegisteredAs(t, id, "ann@example.com", "Ann", time.Now().UTC())); err != nil {
				t.Fatal(err)
			}
			p, err := svc.Preferences(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			p.Language = "de"
			if _, err := svc.SavePreferences(ctx, id, p); err != nil {
				t.Fatal(err)
			}
		}, client.Contact{Email: "ann@example.com", Name: "Ann", Lang: "de"}},
		{"erased", func(t *testing.T, svc *client.Service) {
			ctx := context.Background()
			if err := svc.OnUserRegistered(ctx, clienttest.Registered(t, id, "Ann")); err != nil {
				t.Fatal(err)
			}
			if err := svc.Erase(ctx, id, id); err != nil {
				t.Fatal(err)
			}
		}, client.Contact{Lang: "en"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, err := client.New(client.Config{Store: clientmemory.New(), Cache: kvcache.NewMemory(0)})
			if err != nil {
				t.Fatal(err)
			}
			tt.setup(t, svc)
			for range 2 { // the second answer comes from the cache
				got, err := svc.Contact(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Fatalf("Contact = %+v, want %+v", got, tt.want)
				}
			}
		})
	}
	if _, err := (func() (client.Contact, error) {
		svc, _ := client.New(client.Config{Store: clientmemory.New()})
		return svc.Contact(context.Background(), "../etc")
	})(); err == nil {
		t.Fatal("Contact accepted a malformed user id")
	}
}
