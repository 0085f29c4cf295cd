// Package clienttest is the contract suite of client.Store, run through
// client.Service (with the given cache) against every adapter.
package clienttest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
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
	t.Run("Search", func(t *testing.T) { t.Parallel(); testSearch(t, env) })
	t.Run("ErasureLog", func(t *testing.T) { t.Parallel(); testErasureLog(t, env) })
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
	return RegisteredAs(t, userID, "a@example.com", name, time.Now().UTC())
}

// RegisteredAs builds the UserRegistered envelope of a user registered
// with email and name at the given time.
func RegisteredAs(t testing.TB, userID, email, name string, at time.Time) eventstore.RecordedEvent {
	t.Helper()
	data, err := json.Marshal(identity.UserRegistered{UserID: userID, Email: email, Name: name, OccurredAt: at})
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.RecordedEvent{ID: uuid.NewString(), Stream: identity.Stream(userID), Type: identity.TypeUserRegistered,
		Time: at, Position: 7, Data: data}
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
	if err := svc.Erase(ctx, id, id); err != nil {
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

func testSearch(t *testing.T, env Env) {
	ctx := context.Background()
	svc := service(t, env)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	people := []struct{ key, email, name string }{
		{"ada", "ada.lovelace@example.com", "Ada Lovelace"},
		{"king", "ADA.King@Example.org", "Ada King"},
		{"grace", "grace@navy.mil", "Grace Brewster-Hopper"},
		{"alan", "alan@example.com", "Alan Turing"},
		{"emile", "ÉMILE@exemple.fr", "Émile Zola"},
		{"maggie", "margaret.hamilton.apollo.guidance@example.com", "Margaret Hamilton"},
	}
	ids := map[string]string{}
	for i, p := range people {
		ids[p.key] = uuid.NewString()
		if err := svc.OnUserRegistered(ctx, RegisteredAs(t, ids[p.key], p.email, p.name, t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Erase(ctx, ids["alan"], uuid.NewString()); err != nil {
		t.Fatal(err)
	}
	type page struct {
		keys  []string
		total int
	}
	search := func(t *testing.T, q, pg, size string) page {
		t.Helper()
		cq, err := client.ParseCustomerQuery(q, pg, size)
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.SearchCustomers(ctx, cq)
		if err != nil {
			t.Fatal(err)
		}
		out := page{keys: []string{}, total: res.Total}
		for _, p := range res.Items {
			key := "?"
			for k, id := range ids {
				if id == p.UserID {
					key = k
				}
			}
			out.keys = append(out.keys, key)
		}
		return out
	}
	tests := []struct {
		name, q, page, size string
		want                []string
		total               int
	}{
		{"every live profile, newest first", "", "", "", []string{"maggie", "emile", "grace", "king", "ada"}, 5},
		{"a first name", "ada", "", "", []string{"king", "ada"}, 2},
		{"any case", "ADA", "", "", []string{"king", "ada"}, 2},
		{"a surname's prefix", "lov", "", "", []string{"ada"}, 1},
		{"every word must match", "ada k", "", "", []string{"king"}, 1},
		{"words in any order", "king ada", "", "", []string{"king"}, 1},
		{"an email's prefix", "ada.lo", "", "", []string{"ada"}, 1},
		{"a whole email in another case", "Ada.King@example.ORG", "", "", []string{"king"}, 1},
		{"prefix, not substring", "ovelace", "", "", []string{}, 0},
		{"an email's domain is not a prefix", "example", "", "", []string{}, 0},
		{"a part of a hyphenated name", "hopper", "", "", []string{"grace"}, 1},
		{"a hyphenated name", "brewster-hop", "", "", []string{"grace"}, 1},
		{"non-ASCII case folding", "émi", "", "", []string{"emile"}, 1},
		{"non-ASCII upper case", "ÉMILE ZOLA", "", "", []string{"emile"}, 1},
		{"a long prefix", "margaret.hamilton.apollo.guidance@exa", "", "", []string{"maggie"}, 1},
		{"a long prefix that differs late", "margaret.hamilton.apollo.guidance@exb", "", "", []string{}, 0},
		{"an erased customer's name", "turing", "", "", []string{}, 0},
		{"an erased customer's email", "alan@example.com", "", "", []string{}, 0},
		{"by id", ids["king"], "", "", []string{"king"}, 1},
		{"by id in upper case", strings.ToUpper(ids["grace"]), "", "", []string{"grace"}, 1},
		{"an erased customer's id", ids["alan"], "", "", []string{}, 0},
		{"an unknown id", uuid.NewString(), "", "", []string{}, 0},
		{"page 2", "", "2", "2", []string{"grace", "king"}, 5},
		{"last page", "", "3", "2", []string{"ada"}, 5},
		{"past the end", "", "4", "2", []string{}, 5},
		{"a search, paged", "ada", "2", "1", []string{"ada"}, 2},
	}
	for _, tt := range tests {
		if got := search(t, tt.q, tt.page, tt.size); !slices.Equal(got.keys, tt.want) || got.total != tt.total {
			t.Errorf("%s: q=%q page=%s size=%s: got %v (total %d), want %v (total %d)", tt.name, tt.q, tt.page, tt.size,
				got.keys, got.total, tt.want, tt.total)
		}
	}

	// A result carries what the list shows.
	cq, _ := client.ParseCustomerQuery("lovelace", "", "")
	res, err := svc.SearchCustomers(ctx, cq)
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("one result: %+v %v", res, err)
	}
	if p := res.Items[0]; p.Email != "ada.lovelace@example.com" || p.Profile.Data().Name != "Ada Lovelace" || !p.CreatedAt.Equal(t0) {
		t.Fatalf("result: %+v", p)
	}

	// A saved profile is found by its new name only, in its old place.
	if _, err := svc.SaveProfile(ctx, ids["ada"], "", domain.ProfileData{Name: "Augusta King"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"lovelace", []string{}},
		{"augusta", []string{"ada"}},
		{"king", []string{"king", "ada"}},
		{"ada.lovelace", []string{"ada"}}, // the email stays
	} {
		if got := search(t, tt.q, "", ""); !slices.Equal(got.keys, tt.want) {
			t.Errorf("after rename, %q: %v, want %v", tt.q, got.keys, tt.want)
		}
	}

	// A query the service refuses never reaches the store.
	for _, q := range []client.CustomerQuery{
		{Page: 0, PageSize: 10},
		{Page: 1, PageSize: 101},
		{Page: 1, PageSize: 10, Words: []string{"a", "b", "c", "d", "e"}},
		{Page: 1, PageSize: 10, Words: []string{"Upper"}},
		{Page: 1, PageSize: 10, ID: "not-a-uuid"},
	} {
		if _, err := svc.SearchCustomers(ctx, q); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("query %+v: %v, want invalid", q, err)
		}
	}
}

func testErasureLog(t *testing.T, env Env) {
	ctx := context.Background()
	store, cache := env(t)
	now := time.Date(2026, 5, 2, 10, 0, 0, 0, time.UTC)
	svc, err := client.New(client.Config{Store: store, Cache: cache, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	id, admin := uuid.NewString(), uuid.NewString()
	if err := svc.OnUserRegistered(ctx, RegisteredAs(t, id, "eve@example.com", "Eve", now.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SavePreferences(ctx, id, domain.PreferencesData{Language: "fr", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	c, err := svc.Customer(ctx, id)
	if err != nil || c.Profile == nil || c.Profile.Name != "Eve" || c.Email != "eve@example.com" || c.Erased ||
		len(c.Erasures) != 0 || c.Preferences.Language != "fr" || !c.CreatedAt.Equal(now.Add(-time.Hour)) {
		t.Fatalf("customer: %+v %v", c, err)
	}

	unknown := uuid.NewString()
	if _, err := svc.Customer(ctx, unknown); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown customer: %v", err)
	}
	if err := svc.EraseCustomer(ctx, unknown, admin); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("erase an unknown customer: %v", err)
	}
	if _, err := svc.Customer(ctx, unknown); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("erasing an unknown id left something behind: %v", err)
	}
	if err := svc.EraseCustomer(ctx, id, ""); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("an erasure by nobody: %v", err)
	}

	if err := svc.EraseCustomer(ctx, id, admin); err != nil {
		t.Fatal(err)
	}
	c, err = svc.Customer(ctx, id)
	if err != nil || !c.Erased || c.Profile != nil || c.Email != "" || c.Preferences.Language != "en" ||
		len(c.Erasures) != 1 || c.Erasures[0].By != admin || !c.Erasures[0].At.Equal(now) {
		t.Fatalf("after an admin's erasure: %+v %v", c, err)
	}

	// The customer fills the profile again and later erases it themselves:
	// the log keeps both erasures, oldest first.
	if _, err := svc.SaveProfile(ctx, id, "eve@example.com", domain.ProfileData{Name: "Eve again"}); err != nil {
		t.Fatal(err)
	}
	if c, err = svc.Customer(ctx, id); err != nil || c.Erased || c.Profile == nil || len(c.Erasures) != 1 {
		t.Fatalf("refilled: %+v %v", c, err)
	}
	now = now.Add(time.Hour)
	if err := svc.Erase(ctx, id, id); err != nil {
		t.Fatal(err)
	}
	got, err := store.Erasures(ctx, id)
	if err != nil || len(got) != 2 || got[0].By != admin || got[1].By != id || !got[1].At.Equal(now) || !got[0].At.Before(got[1].At) {
		t.Fatalf("erasure log: %+v %v", got, err)
	}
	if got, err := store.Erasures(ctx, unknown); err != nil || len(got) != 0 {
		t.Fatalf("erasure log of nobody: %+v %v", got, err)
	}
}
