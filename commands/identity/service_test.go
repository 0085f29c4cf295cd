package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/commands/identity/memstore"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/logging"
	"github.com/evshop/shop/platform/sealed"
	"github.com/evshop/shop/platform/testenv"
)

func newService(t *testing.T) (*ident.Service, *memstore.Store, *memstore.Sessions) {
	t.Helper()
	store, sessions := memstore.New(), memstore.NewSessions(nil)
	hasher, err := ident.NewArgon2id(ident.DefaultArgon2Params, 2)
	if err != nil {
		t.Fatal(err)
	}
	box, _ := sealed.New([]byte(strings.Repeat("m", 32)))
	svc, err := ident.NewService(context.Background(), ident.Config{Store: store, Sessions: sessions, Hasher: hasher, Sealer: box,
		TokenKey: []byte(strings.Repeat("t", 32))})
	if err != nil {
		t.Fatal(err)
	}
	return svc, store, sessions
}

func types(t *testing.T, s *memstore.Store) []string {
	t.Helper()
	var out []string
	for e, err := range s.Outbox().ReadAll(context.Background(), 0, eventstore.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Type)
	}
	return out
}

func TestServiceRules(t *testing.T) {
	t.Parallel()
	ctx := logging.WithRequestID(context.Background(), "req-1")
	const pw = "a long and unusual passphrase"

	t.Run("given a verified account, when someone signs up with its address, then only the owner is told", func(t *testing.T) {
		t.Parallel()
		svc, store, _ := newService(t)
		if _, err := svc.BootstrapAdmin(ctx, "ann@shop.test", pw, "Ann"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Register(ctx, ident.RegisterInput{Email: "ann@shop.test", Password: "another passphrase!", Name: "Eve"}); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(types(t, store), " ")
		if got != domain.TypeUserRegistered+" "+domain.TypeRoleGranted+" "+domain.TypeRegistrationAttempted {
			t.Fatalf("events = %s", got)
		}
		u, _, _ := svc.Login(ctx, "ann@shop.test", pw)
		if u == nil || u.Name().String() != "Ann" {
			t.Fatal("the second sign-up changed the account")
		}
	})
	t.Run("forgot for an unknown address records nothing", func(t *testing.T) {
		t.Parallel()
		svc, store, _ := newService(t)
		if err := svc.ForgotPassword(ctx, "ghost@shop.test"); err != nil {
			t.Fatal(err)
		}
		if n := len(types(t, store)); n != 0 {
			t.Fatalf("%d events for an unknown address", n)
		}
		var verrs ident.ValidationErrors
		if err := svc.ForgotPassword(ctx, "not an email"); !errors.As(err, &verrs) {
			t.Fatalf("bad address err = %v", err)
		}
	})
	t.Run("bootstrap grants admin to an existing customer once", func(t *testing.T) {
		t.Parallel()
		svc, store, _ := newService(t)
		if err := svc.Register(ctx, ident.RegisterInput{Email: "bo@shop.test", Password: pw, Name: "Bo"}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if created, err := svc.BootstrapAdmin(ctx, "bo@shop.test", "the admin passphrase", ""); err != nil || created {
				t.Fatalf("bootstrap = %v, %v", created, err)
			}
		}
		// The sign-up was never verified, so its password does not survive.
		got := strings.Join(types(t, store), " ")
		if got != strings.Join([]string{domain.TypeUserRegistered, domain.TypeEmailVerified, domain.TypePasswordChanged, domain.TypeRoleGranted}, " ") {
			t.Fatalf("events = %v", got)
		}
		if _, _, err := svc.Login(ctx, "bo@shop.test", pw); !errors.Is(err, ident.ErrBadCredentials) {
			t.Fatalf("the unverified sign-up's password after the bootstrap: %v", err)
		}
		if u, _, err := svc.Login(ctx, "bo@shop.test", "the admin passphrase"); err != nil || !u.HasRole(domain.RoleAdmin) {
			t.Fatalf("the bootstrap password: %v", err)
		}
		if _, err := svc.BootstrapAdmin(ctx, "x@shop.test", "password1", ""); err == nil {
			t.Fatal("a common admin password was accepted")
		}
	})
	t.Run("events carry the request's correlation id and no plain token", func(t *testing.T) {
		t.Parallel()
		svc, store, _ := newService(t)
		if err := svc.Register(ctx, ident.RegisterInput{Email: "cy@shop.test", Password: pw, Name: "Cy"}); err != nil {
			t.Fatal(err)
		}
		for e, err := range store.Outbox().ReadAll(ctx, 0, eventstore.Filter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if e.Metadata.CorrelationID != "req-1" || e.Metadata.SchemaVersion != 1 || !strings.Contains(string(e.Data), `"sealedToken"`) {
				t.Fatalf("event = %+v %s", e.Metadata, e.Data)
			}
		}
	})
	t.Run("login failures are indistinguishable", func(t *testing.T) {
		t.Parallel()
		svc, _, _ := newService(t)
		if err := svc.Register(ctx, ident.RegisterInput{Email: "di@shop.test", Password: pw, Name: "Di"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range [][2]string{{"di@shop.test", "wrong password"}, {"nobody@shop.test", pw}, {"not-an-email", pw}} {
			if _, _, err := svc.Login(ctx, c[0], c[1]); !errors.Is(err, ident.ErrBadCredentials) {
				t.Errorf("%v: err = %v", c, err)
			}
		}
		if _, _, err := svc.Login(ctx, "di@shop.test", pw); !errors.Is(err, ident.ErrEmailNotVerified) {
			t.Errorf("unverified err = %v", err)
		}
	})
}

// mailedTokens opens the link token of every verification mail in the
// outbox, oldest first, as the notifier would.
func mailedTokens(t *testing.T, s *memstore.Store) []string {
	t.Helper()
	box, _ := sealed.New([]byte(strings.Repeat("m", 32)))
	var out []string
	for e, err := range s.Outbox().ReadAll(context.Background(), 0, eventstore.Filter{
		EventTypes: []string{domain.TypeUserRegistered, domain.TypeVerificationRequested}}) {
		if err != nil {
			t.Fatal(err)
		}
		var ev struct{ UserID, SealedToken string }
		if err := json.Unmarshal(e.Data, &ev); err != nil {
			t.Fatal(err)
		}
		plain, err := box.Open(ev.SealedToken, ev.UserID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, plain)
	}
	return out
}

// TestPreHijackedAccountTakesTheOwnersPassword: a stranger signs up with the
// victim's address first; the victim signs up with their own password and
// opens the newest mail. The victim's password signs in, the stranger's does
// not, and the stranger's older link opened afterwards changes nothing (it
// was replaced by the victim's sign-up, and a verified account takes no
// password from any link).
func TestPreHijackedAccountTakesTheOwnersPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const (
		victim     = "victim@shop.test"
		attackerPw = "the attacker's own passphrase"
		victimPw   = "the victim's own passphrase"
	)
	svc, store, _ := newService(t)
	if err := svc.Register(ctx, ident.RegisterInput{Email: victim, Password: attackerPw, Name: "Mallory"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Register(ctx, ident.RegisterInput{Email: victim, Password: victimPw, Name: "Victim"}); err != nil {
		t.Fatal(err)
	}
	links := mailedTokens(t, store)
	if len(links) != 2 {
		t.Fatalf("%d verification mails, want 2", len(links))
	}
	attackerLink, victimLink := links[0], links[1]
	if err := svc.VerifyEmail(ctx, victimLink); err != nil {
		t.Fatalf("the newest link: %v", err)
	}
	check := func(when string) {
		t.Helper()
		if _, _, err := svc.Login(ctx, victim, victimPw); err != nil {
			t.Fatalf("%s: the victim's password: %v", when, err)
		}
		if _, _, err := svc.Login(ctx, victim, attackerPw); !errors.Is(err, ident.ErrBadCredentials) {
			t.Fatalf("%s: the attacker's password: %v, want bad credentials", when, err)
		}
	}
	check("after verification")
	if err := svc.VerifyEmail(ctx, attackerLink); !errors.Is(err, ident.ErrTokenInvalid) {
		t.Fatalf("the older link after verification: %v, want invalid", err)
	}
	check("after the older link")
}

// TestSignInEndsAtItsAbsoluteLifetime: a client that refreshes well within
// the sliding lifetime is still signed out when the absolute one is over.
func TestSignInEndsAtItsAbsoluteLifetime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const pw = "a long and unusual passphrase"
	clock := testenv.NewClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	cases := []struct {
		name     string
		absolute time.Duration // 0: the default, 30 days
		lastOK   time.Duration // the last refresh that still works, after login
	}{
		{"default 30 days", 0, 29 * 24 * time.Hour},
		{"configured 10 days", 10 * 24 * time.Hour, 9 * 24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := testenv.NewClock(clock.Now())
			store, sessions := memstore.New(), memstore.NewSessions(clock.Now)
			hasher, err := ident.NewArgon2id(ident.DefaultArgon2Params, 2)
			if err != nil {
				t.Fatal(err)
			}
			box, _ := sealed.New([]byte(strings.Repeat("m", 32)))
			svc, err := ident.NewService(ctx, ident.Config{Store: store, Sessions: sessions, Hasher: hasher, Sealer: box,
				TokenKey: []byte(strings.Repeat("t", 32)), Now: clock.Now, RefreshAbsoluteTTL: c.absolute})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.BootstrapAdmin(ctx, "ann@shop.test", pw, "Ann"); err != nil {
				t.Fatal(err)
			}
			_, refresh, err := svc.Login(ctx, "ann@shop.test", pw)
			if err != nil {
				t.Fatal(err)
			}
			// Refresh daily: the sliding 7 days never run out.
			for day := time.Duration(1); day*24*time.Hour <= c.lastOK; day++ {
				clock.Advance(24 * time.Hour)
				if _, refresh, err = svc.Refresh(ctx, refresh); err != nil {
					t.Fatalf("refresh on day %d: %v", day, err)
				}
			}
			clock.Advance(24 * time.Hour)
			if _, _, err := svc.Refresh(ctx, refresh); !errors.Is(err, ident.ErrSessionInvalid) {
				t.Fatalf("refresh after the absolute lifetime: %v, want invalid", err)
			}
		})
	}
	if _, err := ident.NewService(ctx, ident.Config{Store: memstore.New(), Sessions: memstore.NewSessions(nil),
		Hasher: mustHasher(t), Sealer: mustBox(t), TokenKey: []byte(strings.Repeat("t", 32)),
		RefreshTTL: 48 * time.Hour, RefreshAbsoluteTTL: 24 * time.Hour}); err == nil {
		t.Fatal("an absolute lifetime shorter than the sliding one was accepted")
	}
}

func mustHasher(t *testing.T) ident.PasswordHasher {
	t.Helper()
	h, err := ident.NewArgon2id(ident.DefaultArgon2Params, 2)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustBox(t *testing.T) *sealed.Box {
	t.Helper()
	b, err := sealed.New([]byte(strings.Repeat("m", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
