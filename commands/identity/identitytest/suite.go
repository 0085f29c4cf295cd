// Package identitytest holds the contract suites every adapter of the identity
// ports must pass: the user store with its outbox, and the refresh sessions.
package identitytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	ident "github.com/evshop/shop/commands/identity"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
)

// OutboxReader is the relay's view of an outbox.
type OutboxReader interface {
	ReadAll(ctx context.Context, after uint64, f eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error]
}

func newUser(t testing.TB, email string) *domain.User {
	t.Helper()
	e, err := domain.NewEmail(email)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := domain.NewName("Test User")
	h, _ := domain.NewPasswordHash("$argon2id$stub")
	u, _, err := domain.Register(uuid.NewString(), e, n, h, "", time.Time{}, time.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func event(typ string) eventstore.EventData {
	return eventstore.EventData{ID: uuid.NewString(), Type: typ, Data: json.RawMessage(`{"k":"v"}`),
		Metadata: eventstore.Metadata{CorrelationID: "corr", SchemaVersion: 1}}
}

func uniqueEmail() string { return "u" + uuid.NewString()[:12] + "@shop.test" }

func readAll(t testing.TB, o OutboxReader, after uint64, f eventstore.Filter) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	for e, err := range o.ReadAll(context.Background(), after, f) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// RunStore checks the identity.Store contract. newStore returns a fresh,
// empty store and its outbox.
func RunStore(t *testing.T, newStore func(t *testing.T) (ident.Store, OutboxReader)) {
	ctx := context.Background()

	t.Run("create and find", func(t *testing.T) {
		t.Parallel()
		s, _ := newStore(t)
		u := newUser(t, "ann@shop.test")
		if err := s.CreateUser(ctx, u, ident.Change{}); err != nil {
			t.Fatal(err)
		}
		byEmail, err := s.UserByEmail(ctx, u.Email())
		if err != nil || byEmail.ID() != u.ID() || byEmail.PasswordHash() != u.PasswordHash() || !byEmail.HasRole(domain.RoleCustomer) {
			t.Fatalf("UserByEmail = %v, %v", byEmail, err)
		}
		byID, err := s.UserByID(ctx, u.ID())
		if err != nil || byID.Email() != u.Email() || byID.EmailVerified() {
			t.Fatalf("UserByID = %v, %v", byID, err)
		}
		if err := s.CreateUser(ctx, newUser(t, "ann@shop.test"), ident.Change{}); !errors.Is(err, ident.ErrEmailTaken) {
			t.Fatalf("duplicate email err = %v", err)
		}
		other, _ := domain.NewEmail("nobody@shop.test")
		if _, err := s.UserByEmail(ctx, other); !errors.Is(err, ident.ErrUserNotFound) {
			t.Fatalf("unknown email err = %v", err)
		}
		if _, err := s.UserByID(ctx, "not-a-uuid"); !errors.Is(err, ident.ErrUserNotFound) {
			t.Fatalf("unknown id err = %v", err)
		}
	})

	t.Run("events land in the outbox with the row, in order", func(t *testing.T) {
		t.Parallel()
		s, o := newStore(t)
		u := newUser(t, uniqueEmail())
		e1, e2 := event(domain.TypeUserRegistered), event(domain.TypeEmailVerified)
		if err := s.CreateUser(ctx, u, ident.Change{Events: []eventstore.EventData{e1}}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateUser(ctx, u.ID(), func(u *domain.User) (ident.Change, error) {
			_, err := u.VerifyEmail(u.PasswordHash(), time.Now())
			return ident.Change{Events: []eventstore.EventData{e2}}, err
		}); err != nil {
			t.Fatal(err)
		}
		got := readAll(t, o, 0, eventstore.Filter{})
		if len(got) != 2 {
			t.Fatalf("outbox = %+v", got)
		}
		for i, want := range []eventstore.EventData{e1, e2} {
			g := got[i]
			if g.ID != want.ID || g.Type != want.Type || g.Stream != "user-"+u.ID() || g.Revision != uint64(i) ||
				g.Metadata.CorrelationID != "corr" || g.Time.IsZero() {
				t.Fatalf("event %d = %+v", i, g)
			}
			var data map[string]string
			if err := json.Unmarshal(g.Data, &data); err != nil || data["k"] != "v" {
				t.Fatalf("event %d data = %s", i, g.Data)
			}
		}
		if got[0].Position >= got[1].Position {
			t.Fatalf("positions not increasing: %d, %d", got[0].Position, got[1].Position)
		}
		if after := readAll(t, o, got[0].Position, eventstore.Filter{}); len(after) != 1 || after[0].ID != e2.ID {
			t.Fatalf("ReadAll(after first) = %+v", after)
		}
		if f := readAll(t, o, 0, eventstore.Filter{EventTypes: []string{domain.TypeEmailVerified}}); len(f) != 1 || f[0].ID != e2.ID {
			t.Fatalf("type filter = %+v", f)
		}
		if f := readAll(t, o, 0, eventstore.Filter{StreamPrefixes: []string{"order-"}}); len(f) != 0 {
			t.Fatalf("prefix filter = %+v", f)
		}
		if u2, _ := s.UserByID(ctx, u.ID()); !u2.EmailVerified() {
			t.Fatal("update not saved")
		}
	})

	t.Run("a failing update changes nothing", func(t *testing.T) {
		t.Parallel()
		s, o := newStore(t)
		u := newUser(t, uniqueEmail())
		if err := s.CreateUser(ctx, u, ident.Change{}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := s.UpdateUser(ctx, u.ID(), func(u *domain.User) (ident.Change, error) {
			_, _ = u.VerifyEmail(u.PasswordHash(), time.Now())
			return ident.Change{Events: []eventstore.EventData{event("x")}}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if u2, _ := s.UserByID(ctx, u.ID()); u2.EmailVerified() {
			t.Fatal("state of a failed update was saved")
		}
		if got := readAll(t, o, 0, eventstore.Filter{}); len(got) != 0 {
			t.Fatalf("events of a failed update were saved: %+v", got)
		}
		if err := s.UpdateUser(ctx, "missing", func(*domain.User) (ident.Change, error) { return ident.Change{}, nil }); !errors.Is(err, ident.ErrUserNotFound) {
			t.Fatalf("missing user err = %v", err)
		}
	})

	t.Run("tokens are single-use, scoped and replaced", func(t *testing.T) {
		t.Parallel()
		s, _ := newStore(t)
		u := newUser(t, uniqueEmail())
		now := time.Now()
		tok := ident.Token{IDHash: uuid.NewString(), UserID: u.ID(), Purpose: ident.PurposeVerify, ExpiresAt: now.Add(time.Hour),
			PasswordHash: "$argon2id$of-this-sign-up"}
		if err := s.CreateUser(ctx, u, ident.Change{Token: &tok}); err != nil {
			t.Fatal(err)
		}
		noop := func(*domain.User, ident.Token) (ident.Change, error) { return ident.Change{}, nil }
		for name, call := range map[string]func() error{
			"wrong purpose": func() error { return s.ConsumeToken(ctx, ident.PurposeReset, tok.IDHash, u.ID(), now, noop) },
			"wrong user":    func() error { return s.ConsumeToken(ctx, ident.PurposeVerify, tok.IDHash, "other", now, noop) },
			"expired": func() error {
				return s.ConsumeToken(ctx, ident.PurposeVerify, tok.IDHash, u.ID(), now.Add(2*time.Hour), noop)
			},
			"unknown": func() error { return s.ConsumeToken(ctx, ident.PurposeVerify, "nope", u.ID(), now, noop) },
		} {
			if err := call(); !errors.Is(err, ident.ErrTokenInvalid) {
				t.Fatalf("%s: err = %v", name, err)
			}
		}
		boom := errors.New("boom")
		if err := s.ConsumeToken(ctx, ident.PurposeVerify, tok.IDHash, u.ID(), now, func(*domain.User, ident.Token) (ident.Change, error) { return ident.Change{}, boom }); !errors.Is(err, boom) {
			t.Fatalf("failing fn err = %v", err)
		}
		var consumed ident.Token
		if err := s.ConsumeToken(ctx, ident.PurposeVerify, tok.IDHash, u.ID(), now, func(_ *domain.User, t ident.Token) (ident.Change, error) {
			consumed = t
			return ident.Change{}, nil
		}); err != nil {
			t.Fatalf("a failed use burnt the token: %v", err)
		}
		if consumed.PasswordHash != tok.PasswordHash || consumed.UserID != u.ID() || consumed.Purpose != ident.PurposeVerify {
			t.Fatalf("fn got token %+v, want the stored %+v", consumed, tok)
		}
		if err := s.ConsumeToken(ctx, ident.PurposeVerify, tok.IDHash, u.ID(), now, noop); !errors.Is(err, ident.ErrTokenInvalid) {
			t.Fatalf("second use err = %v", err)
		}
		// A newer token of the same purpose replaces the older one.
		first := ident.Token{IDHash: uuid.NewString(), UserID: u.ID(), Purpose: ident.PurposeReset, ExpiresAt: now.Add(time.Hour)}
		second := first
		second.IDHash = uuid.NewString()
		for _, tk := range []ident.Token{first, second} {
			if err := s.UpdateUser(ctx, u.ID(), func(*domain.User) (ident.Change, error) { return ident.Change{Token: &tk}, nil }); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.ConsumeToken(ctx, ident.PurposeReset, first.IDHash, u.ID(), now, noop); !errors.Is(err, ident.ErrTokenInvalid) {
			t.Fatalf("replaced token err = %v", err)
		}
		if err := s.ConsumeToken(ctx, ident.PurposeReset, second.IDHash, u.ID(), now, noop); err != nil {
			t.Fatalf("newest token err = %v", err)
		}
	})

	t.Run("a token is consumed once under concurrency", func(t *testing.T) {
		t.Parallel()
		s, _ := newStore(t)
		u := newUser(t, uniqueEmail())
		tok := ident.Token{IDHash: uuid.NewString(), UserID: u.ID(), Purpose: ident.PurposeReset, ExpiresAt: time.Now().Add(time.Hour)}
		if err := s.CreateUser(ctx, u, ident.Change{Token: &tok}); err != nil {
			t.Fatal(err)
		}
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.ConsumeToken(ctx, ident.PurposeReset, tok.IDHash, u.ID(), time.Now(), func(*domain.User, ident.Token) (ident.Change, error) {
					return ident.Change{}, nil
				})
				if err == nil {
					ok.Add(1)
				} else if !errors.Is(err, ident.ErrTokenInvalid) {
					t.Errorf("err = %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d uses succeeded, want 1", ok.Load())
		}
	})

	t.Run("invitation tokens live beside reset tokens", func(t *testing.T) {
		t.Parallel()
		s, _ := newStore(t)
		u := newUser(t, uniqueEmail())
		now := time.Now()
		inv := ident.Token{IDHash: uuid.NewString(), UserID: u.ID(), Purpose: ident.PurposeInvite, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateUser(ctx, u, ident.Change{Token: &inv}); err != nil {
			t.Fatal(err)
		}
		reset := ident.Token{IDHash: uuid.NewString(), UserID: u.ID(), Purpose: ident.PurposeReset, ExpiresAt: now.Add(time.Hour)}
		if err := s.UpdateUser(ctx, u.ID(), func(*domain.User) (ident.Change, error) { return ident.Change{Token: &reset}, nil }); err != nil {
			t.Fatal(err)
		}
		noop := func(*domain.User, ident.Token) (ident.Change, error) { return ident.Change{}, nil }
		if err := s.ConsumeToken(ctx, ident.PurposeReset, inv.IDHash, u.ID(), now, noop); !errors.Is(err, ident.ErrTokenInvalid) {
			t.Fatalf("an invitation used as a reset link: %v", err)
		}
		if err := s.ConsumeToken(ctx, ident.PurposeInvite, inv.IDHash, u.ID(), now, noop); err != nil {
			t.Fatalf("a reset request voided the invitation: %v", err)
		}
	})

	t.Run("staff, serialised role changes and the role events", func(t *testing.T) {
		t.Parallel()
		s, _ := newStore(t)
		now := time.Now().UTC().Truncate(time.Microsecond)
		mk := func(email string, verified bool, roles ...domain.Role) *domain.User {
			u := newUser(t, email)
			if verified {
				if _, err := u.VerifyEmail(u.PasswordHash(), now); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range roles {
				u.GrantRole(r, domain.ActorBootstrap, now)
			}
			if err := s.CreateUser(ctx, u, ident.Change{}); err != nil {
				t.Fatal(err)
			}
			return u
		}
		a1 := mk("a1@shop.test", true, domain.RoleAdmin)
		a2 := mk("a2@shop.test", true, domain.RoleAdmin, domain.RoleSupport)
		mk("pending-admin@shop.test", false, domain.RoleAdmin)
		sup := mk("b-support@shop.test", false, domain.RoleSupport)
		mk("customer@shop.test", true)
		staff, err := s.Staff(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, u := range staff {
			emails = append(emails, u.Email().String())
		}
		if fmt.Sprint(emails) != "[a1@shop.test a2@shop.test b-support@shop.test pending-admin@shop.test]" {
			t.Fatalf("staff = %v", emails)
		}
		if err := s.UpdateRoles(ctx, sup.ID(), func(u *domain.User, admins int) (ident.Change, error) {
			if admins != 2 {
				t.Errorf("active admins = %d, want 2 (verified only)", admins)
			}
			_, _, err := u.RevokeStaffRole(domain.RoleSupport, a1.ID(), admins, now)
			return ident.Change{}, err
		}); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, sup.ID()); u.HasRole(domain.RoleSupport) {
			t.Fatal("the revocation was not saved")
		}
		if err := s.UpdateRoles(ctx, "missing", func(*domain.User, int) (ident.Change, error) { return ident.Change{}, nil }); !errors.Is(err, ident.ErrUserNotFound) {
			t.Fatalf("missing user err = %v", err)
		}
		// Two admins revoking each other at once: one wins, the other is
		// then the last admin.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]*domain.User{{a1, a2}, {a2, a1}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.UpdateRoles(ctx, pair[1].ID(), func(u *domain.User, admins int) (ident.Change, error) {
					_, _, err := u.RevokeStaffRole(domain.RoleAdmin, pair[0].ID(), admins, now)
					return ident.Change{}, err
				})
			}()
		}
		wg.Wait()
		last := 0
		for _, err := range errs {
			if errors.Is(err, domain.ErrLastAdmin) {
				last++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if last != 1 {
			t.Fatalf("concurrent mutual revocations: %v, want exactly one ErrLastAdmin", errs)
		}
	})

	t.Run("role events newest first, paged", func(t *testing.T) {
		t.Parallel()
		s, _ := newStore(t)
		u := newUser(t, uniqueEmail())
		g1, other, r1, g2 := event(domain.TypeRoleGranted), event(domain.TypeUserRegistered), event(domain.TypeRoleRevoked), event(domain.TypeRoleGranted)
		if err := s.CreateUser(ctx, u, ident.Change{Events: []eventstore.EventData{g1, other}}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateUser(ctx, u.ID(), func(*domain.User) (ident.Change, error) {
			return ident.Change{Events: []eventstore.EventData{r1, g2}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		ids := func(evs []eventstore.RecordedEvent) []string {
			var out []string
			for _, e := range evs {
				out = append(out, e.ID)
			}
			return out
		}
		all, err := s.RoleEvents(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(all)) != fmt.Sprint([]string{g2.ID, r1.ID, g1.ID}) {
			t.Fatalf("role events = %v", ids(all))
		}
		if all[0].Stream != domain.Stream(u.ID()) || all[0].Time.IsZero() || string(all[0].Data) == "" || all[0].Position <= all[1].Position {
			t.Fatalf("newest = %+v", all[0])
		}
		page, err := s.RoleEvents(ctx, 0, 2)
		if err != nil || len(page) != 2 {
			t.Fatalf("first page = %v, %v", ids(page), err)
		}
		rest, err := s.RoleEvents(ctx, page[1].Position, 2)
		if err != nil || fmt.Sprint(ids(rest)) != fmt.Sprint([]string{g1.ID}) {
			t.Fatalf("second page = %v, %v", ids(rest), err)
		}
	})

	t.Run("a reader following a checkpoint never skips an event", func(t *testing.T) {
		t.Parallel()
		s, o := newStore(t)
		const writers, perWriter = 6, 8
		done := make(chan struct{})
		seen := map[string]bool{}
		var last uint64
		var readErr error
		readerDone := make(chan struct{})
		go func() {
			defer close(readerDone)
			poll := func() {
				for e, err := range o.ReadAll(ctx, last, eventstore.Filter{}) {
					if err != nil {
						readErr = err
						return
					}
					if e.Position <= last {
						readErr = fmt.Errorf("position %d after checkpoint %d", e.Position, last)
						return
					}
					last = e.Position
					seen[e.ID] = true
				}
			}
			for {
				select {
				case <-done:
					poll()
					return
				default:
					poll()
				}
			}
		}()
		var mu sync.Mutex
		var written []string
		var wg sync.WaitGroup
		for range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range perWriter {
					e := event(domain.TypeUserRegistered)
					if err := s.CreateUser(ctx, newUser(t, uniqueEmail()), ident.Change{Events: []eventstore.EventData{e}}); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					written = append(written, e.ID)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(done)
		<-readerDone
		if readErr != nil {
			t.Fatal(readErr)
		}
		for _, id := range written {
			if !seen[id] {
				t.Fatalf("the checkpoint reader skipped event %s (%d written, %d seen)", id, len(written), len(seen))
			}
		}
	})
}

// Clock lets the sessions suite move time: a fake clock for memory, real
// sleeps for Redis.
type Clock struct {
	Now  func() time.Time
	Wait func(time.Duration)
}

// RunSessions checks the identity.Sessions contract.
func RunSessions(t *testing.T, newSessions func(t *testing.T) (ident.Sessions, Clock)) {
	ctx := context.Background()
	ttl := time.Hour
	create := func(t *testing.T, s ident.Sessions, c Clock, user string) (token, family string) {
		t.Helper()
		token, family = uuid.NewString(), uuid.NewString()
		if err := s.Create(ctx, ident.Session{TokenHash: token, FamilyID: family, UserID: user, ExpiresAt: c.Now().Add(ttl),
			FamilyExpiresAt: c.Now().Add(24 * ttl)}); err != nil {
			t.Fatal(err)
		}
		return token, family
	}

	t.Run("a family ends at its absolute end however often it rotates", func(t *testing.T) {
		t.Parallel()
		s, c := newSessions(t)
		tok, fam := uuid.NewString(), uuid.NewString()
		ends := c.Now().Add(600 * time.Millisecond)
		if err := s.Create(ctx, ident.Session{TokenHash: tok, FamilyID: fam, UserID: "u1", ExpiresAt: c.Now().Add(ttl), FamilyExpiresAt: ends}); err != nil {
			t.Fatal(err)
		}
		next := uuid.NewString()
		got, err := s.Rotate(ctx, tok, next, ttl)
		if err != nil {
			t.Fatal(err)
		}
		// Stores may keep milliseconds only.
		if got.ExpiresAt.After(ends) || got.FamilyExpiresAt.Sub(ends).Abs() >= time.Millisecond {
			t.Fatalf("rotated session ends %v (family %v), want no later than %v", got.ExpiresAt, got.FamilyExpiresAt, ends)
		}
		c.Wait(700 * time.Millisecond)
		if _, err := s.Rotate(ctx, next, uuid.NewString(), ttl); !errors.Is(err, ident.ErrSessionInvalid) {
			t.Fatalf("rotation past the family's end: %v, want invalid", err)
		}
		if err := s.Create(ctx, ident.Session{TokenHash: uuid.NewString(), FamilyID: uuid.NewString(), UserID: "u1",
			ExpiresAt: c.Now().Add(ttl)}); err == nil {
			t.Fatal("a family without an absolute end was stored")
		}
	})

	t.Run("rotation chain", func(t *testing.T) {
		t.Parallel()
		s, c := newSessions(t)
		tok, fam := create(t, s, c, "u1")
		for range 3 {
			next := uuid.NewString()
			got, err := s.Rotate(ctx, tok, next, ttl)
			if err != nil || got.UserID != "u1" || got.FamilyID != fam || got.TokenHash != next {
				t.Fatalf("Rotate = %+v, %v", got, err)
			}
			tok = next
		}
		if _, err := s.Rotate(ctx, "unknown", uuid.NewString(), ttl); !errors.Is(err, ident.ErrSessionInvalid) {
			t.Fatalf("unknown token err = %v", err)
		}
	})

	t.Run("reuse revokes the family", func(t *testing.T) {
		t.Parallel()
		s, c := newSessions(t)
		old, fam := create(t, s, c, "u1")
		other, _ := create(t, s, c, "u1")
		next := uuid.NewString()
		if _, err := s.Rotate(ctx, old, next, ttl); err != nil {
			t.Fatal(err)
		}
		got, err := s.Rotate(ctx, old, uuid.NewString(), ttl)
		if !errors.Is(err, ident.ErrSessionReused) || got.UserID != "u1" || got.FamilyID != fam {
			t.Fatalf("reuse = %+v, %v", got, err)
		}
		if _, err := s.Rotate(ctx, next, uuid.NewString(), ttl); !errors.Is(err, ident.ErrSessionInvalid) {
			t.Fatalf("the family's newest token still works after reuse: %v", err)
		}
		if _, err := s.Rotate(ctx, other, uuid.NewString(), ttl); err != nil {
			t.Fatalf("another family of the same user was revoked: %v", err)
		}
	})

	t.Run("concurrent rotation of one token succeeds once", func(t *testing.T) {
		t.Parallel()
		s, c := newSessions(t)
		tok, _ := create(t, s, c, "u1")
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Rotate(ctx, tok, uuid.NewString(), ttl); err == nil {
					ok.Add(1)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d rotations succeeded, want 1", ok.Load())
		}
	})

	t.Run("revoke and revoke user", func(t *testing.T) {
		t.Parallel()
		s, c := newSessions(t)
		a, _ := create(t, s, c, "u1")
		b, _ := create(t, s, c, "u1")
		d, _ := create(t, s, c, "u1")
		keep, _ := create(t, s, c, "u2")
		if err := s.Revoke(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.Revoke(ctx, "unknown"); err != nil {
			t.Fatalf("revoking an unknown token: %v", err)
		}
		if _, err := s.Rotate(ctx, a, uuid.NewString(), ttl); !errors.Is(err, ident.ErrSessionInvalid) {
			t.Fatalf("revoked token err = %v", err)
		}
		if _, err := s.Rotate(ctx, b, uuid.NewString(), ttl); err != nil {
			t.Fatalf("logout of one family hit another: %v", err)
		}
		if err := s.RevokeUser(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Rotate(ctx, d, uuid.NewString(), ttl); !errors.Is(err, ident.ErrSessionInvalid) {
			t.Fatalf("after RevokeUser err = %v", err)
		}
		if _, err := s.Rotate(ctx, keep, uuid.NewString(), ttl); err != nil {
			t.Fatalf("RevokeUser hit another user: %v", err)
		}
	})

	t.Run("tokens expire", func(t *testing.T) {
		t.Parallel()
		s, c := newSessions(t)
		tok, fam := uuid.NewString(), uuid.NewString()
		if err := s.Create(ctx, ident.Session{TokenHash: tok, FamilyID: fam, UserID: "u1", ExpiresAt: c.Now().Add(300 * time.Millisecond),
			FamilyExpiresAt: c.Now().Add(ttl)}); err != nil {
			t.Fatal(err)
		}
		c.Wait(400 * time.Millisecond)
		if _, err := s.Rotate(ctx, tok, uuid.NewString(), ttl); !errors.Is(err, ident.ErrSessionInvalid) {
			t.Fatalf("expired token err = %v", err)
		}
	})
}
