// Package clienttest is the contract suite of client.Store, run through
// client.Service (with the given cache) against every adapter.
package clienttest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/client"
	domain "github.com/evshop/shop/domain/client"
	"github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
)

// Env makes a fresh store and (possibly nil) cache for one test.
type Env func(t *testing.T) (client.Store, client.Cache)

// Run runs the suite.
func Run(t *testing.T, env Env) {
	t.Run("RegistrationCreatesProfileOnce", func(t *testing.T) { t.Parallel(); testRegistration(t, env) })
	t.Run("SaveAndValidate", func(t *testing.T) { t.Parallel(); testSave(t, env) })
	t.Run("ExportAndErase", func(t *testing.T) { t.Parallel(); testErase(t, env) })
	t.Run("CacheInvalidation", func(t *testing.T) { t.Parallel(); testCache(t, env) })
}

func service(t *testing.T, env Env) *client.Service {
	t.Helper()
	store, cache := env(t)
	svc, err := client.New(client.Config{Store: store, Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// Registered builds a UserRegistered envelope.
func Registered(t testing.TB, userID, name string) eventstore.RecordedEvent {
	t.Helper()
	data, err := json.Marshal(identity.UserRegistered{UserID: userID, Email: "a@example.com", Name: name, OccurredAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.RecordedEvent{ID: uuid.NewString(), Stream: identity.Stream(userID), Type: identity.TypeUserRegistered,
		Time: time.Now().UTC(), Position: 7, Data: data}
}

func testRegistration(t *testing.T, env Env) {
	ctx := context.Background()
	svc := service(t, env)
	id := uuid.NewString()
	if _, err := svc.Profile(ctx, id); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("before registration: %v", err)
	}
	e := Registered(t, id, "Ada Lovelace")
	for range 3 { // redelivery is harmless
		if err := svc.OnUserRegistered(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	p, err := svc.Profile(ctx, id)
	if err != nil || p.Name != "Ada Lovelace" || len(p.Addresses) != 0 {
		t.Fatalf("profile: %+v %v", p, err)
	}
	// A replay must not overwrite what the user saved since.
	if _, err := svc.SaveProfile(ctx, id, "", domain.ProfileData{Name: "Ada King"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.OnUserRegistered(ctx, e); err != nil {
		t.Fatal(err)
	}
	if p, _ = svc.Profile(ctx, id); p.Name != "Ada King" {
		t.Fatalf("replay overwrote the profile: %+v", p)
	}
	bad := []eventstore.RecordedEvent{
		{ID: uuid.NewString(), Type: identity.TypeUserRegistered, Data: json.RawMessage(`{"userId":"x"}`)},
		{ID: uuid.NewString(), Type: identity.TypeUserRegistered, Data: json.RawMessage(`[1]`)},
	}
	for _, b := range bad {
		if err := svc.OnUserRegistered(ctx, b); err == nil {
			t.Fatalf("malformed event accepted: %s", b.Data)
		}
	}
}

func testSave(t *testing.T, env Env) {
	ctx := context.Background()
	svc := service(t, env)
	id := uuid.NewString()
	in := domain.ProfileData{Name: "Grace", Phone: "+44 20 7946 0000", Addresses: []domain.AddressData{
		{Label: "Home", Name: "Grace H", Line1: "1 Main St", City: "London", PostalCode: "N1 9GU", Country: "gb"},
		{Label: "Work", Name: "Grace H", Line1: "2 Side St", City: "London", PostalCode: "EC1A 1BB", Country: "GB", Default: true},
	}}
	out, err := svc.SaveProfile(ctx, id, "g@example.com", in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Addresses[0].ID == "" || out.Addresses[0].Country != "GB" || out.Addresses[0].Default || !out.Addresses[1].Default {
		t.Fatalf("normalised profile: %+v", out)
	}
	got, err := svc.Profile(ctx, id)
	if err != nil || got.Addresses[1].ID != out.Addresses[1].ID || got.Phone != in.Phone {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	prefs, err := svc.Preferences(ctx, id)
	if err != nil || prefs.Language != "en" || prefs.MarketingOptIn {
		t.Fatalf("default preferences: %+v %v", prefs, err)
	}
	want := domain.PreferencesData{Language: "de-AT", Currency: "EUR", MarketingOptIn: true,
		FavouriteCategories: []string{"Books", "Outdoor"}, Extra: map[string]string{"theme": "dark", "shoe-size": "42"}}
	if _, err := svc.SavePreferences(ctx, id, want); err != nil {
		t.Fatal(err)
	}
	prefs, _ = svc.Preferences(ctx, id)
	if prefs.Language != "de-AT" || !prefs.MarketingOptIn || len(prefs.FavouriteCategories) != 2 || prefs.Extra["shoe-size"] != "42" {
		t.Fatalf("preferences round trip: %+v", prefs)
	}
	badProfiles := []domain.ProfileData{
		{Name: "x", Phone: "call me"},
		{Name: "x", Addresses: []domain.AddressData{{Name: "a", Line1: "b", City: "c", PostalCode: "1", Country: "GB"}}},
		{Name: "x", Addresses: []domain.AddressData{{Name: "a", Line1: "b", City: "c", PostalCode: "12345", Country: "Germany"}}},
		{Name: "x", Addresses: []domain.AddressData{
			{Name: "a", Line1: "b", City: "c", PostalCode: "12345", Country: "DE", Default: true},
			{Name: "a", Line1: "b", City: "c", PostalCode: "12345", Country: "DE", Default: true}}},
		{Name: "x", Addresses: []domain.AddressData{{ID: "$where", Name: "a", Line1: "b", City: "c", PostalCode: "12345", Country: "DE"}}},
		{Name: "bad\x00name"},
	}
	for i, b := range badProfiles {
		if _, err := svc.SaveProfile(ctx, id, "", b); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("bad profile %d accepted: %v", i, err)
		}
	}
	badPrefs := []domain.PreferencesData{
		{Language: "english", Currency: "EUR"},
		{Language: "en", Currency: "eur"},
		{Language: "en", Currency: "EUR", Extra: map[string]string{"$where": "1"}},
		{Language: "en", Currency: "EUR", Extra: map[string]string{"a.b": "1"}},
		{Language: "en", Currency: "EUR", FavouriteCategories: []string{"$gt"}},
	}
	for i, b := range badPrefs {
		if _, err := svc.SavePreferences(ctx, id, b); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("bad preferences %d accepted: %v", i, err)
		}
	}
	if _, err := svc.Profile(ctx, "not-a-uuid"); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("bad id: %v", err)
	}
}

func testErase(t *testing.T, env Env) {
	ctx := context.Background()
	svc := service(t, env)
	id := uuid.NewString()
	if err := svc.OnUserRegistered(ctx, Registered(t, id, "Alan")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SavePreferences(ctx, id, domain.PreferencesData{Language: "fr", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	ex, err := svc.Export(ctx, id)
	if err != nil || ex.Profile == nil || ex.Profile.Name != "Alan" || ex.Email != "a@example.com" || ex.Preferences.Language != "fr" {
		t.Fatalf("export: %+v %v", ex, err)
	}
	if err := svc.Erase(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Profile(ctx, id); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("after erase: %v", err)
	}
	if p, _ := svc.Preferences(ctx, id); p.Language != "en" {
		t.Fatalf("preferences survived erasure: %+v", p)
	}
	// A replayed registration does not resurrect the erased profile.
	if err := svc.OnUserRegistered(ctx, Registered(t, id, "Alan")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Profile(ctx, id); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("replay resurrected the profile: %v", err)
	}
	ex, _ = svc.Export(ctx, id)
	if ex.Profile != nil || ex.Email != "" {
		t.Fatalf("export after erase still holds personal data: %+v", ex)
	}
	// The user may fill the profile again.
	if _, err := svc.SaveProfile(ctx, id, "", domain.ProfileData{Name: "A."}); err != nil {
		t.Fatal(err)
	}
	if p, err := svc.Profile(ctx, id); err != nil || p.Name != "A." {
		t.Fatalf("refill: %+v %v", p, err)
	}
}

func testCache(t *testing.T, env Env) {
	ctx := context.Background()
	store, cache := env(t)
	svc, err := client.New(client.Config{Store: store, Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	if err := svc.OnUserRegistered(ctx, Registered(t, id, "Cached")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if p, err := svc.Profile(ctx, id); err != nil || p.Name != "Cached" {
			t.Fatalf("read: %+v %v", p, err)
		}
	}
	if _, err := svc.SaveProfile(ctx, id, "", domain.ProfileData{Name: "Renamed"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := svc.Profile(ctx, id); p.Name != "Renamed" {
		t.Fatalf("stale profile after write: %+v", p)
	}
	svc.Preferences(ctx, id) //nolint:errcheck // warm the cache
	if _, err := svc.SavePreferences(ctx, id, domain.PreferencesData{Language: "it", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := svc.Preferences(ctx, id); p.Language != "it" {
		t.Fatalf("stale preferences after write: %+v", p)
	}
	if cache == nil {
		return
	}
	// A second service on the same store and cache (another replica) sees
	// the writes of the first through the shared cache generation.
	other, _ := client.New(client.Config{Store: store, Cache: cache})
	if _, err := svc.SaveProfile(ctx, id, "", domain.ProfileData{Name: "Shared"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := other.Profile(ctx, id); p.Name != "Shared" {
		t.Fatalf("replica read stale profile: %+v", p)
	}
}
