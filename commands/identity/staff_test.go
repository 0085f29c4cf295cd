package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/commands/identity/memstore"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
)

// invitationToken opens the link of the newest StaffInvited for email, as
// the notifier would.
func invitationToken(t *testing.T, s *memstore.Store, email string) string {
	t.Helper()
	box := mustBox(t)
	var token string
	for e, err := range s.Outbox().ReadAll(context.Background(), 0, eventstore.Filter{EventTypes: []string{domain.TypeStaffInvited}}) {
		if err != nil {
			t.Fatal(err)
		}
		var ev domain.StaffInvited
		if err := json.Unmarshal(e.Data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Email != email {
			continue
		}
		if token, err = box.Open(ev.SealedToken, ev.UserID); err != nil {
			t.Fatal(err)
		}
	}
	if token == "" {
		t.Fatalf("no invitation for %s", email)
	}
	return token
}

func TestInviteStaff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const pw = "a long and unusual passphrase"

	t.Run("an unknown address is invited, accepts once, and signs in with the role", func(t *testing.T) {
		t.Parallel()
		svc, store, _ := newService(t)
		res, err := svc.InviteStaff(ctx, ident.InviteInput{Email: " New.Hire@Shop.test ", Role: "support", By: "admin-1"})
		if err != nil || res.Outcome != ident.InviteCreated || res.User.Name().String() != "new.hire" || !res.User.InvitationPending() {
			t.Fatalf("invite = %+v, %v", res, err)
		}
		if _, _, err := svc.Login(ctx, "new.hire@shop.test", pw); !errors.Is(err, ident.ErrBadCredentials) {
			t.Fatalf("login before accepting: %v", err)
		}
		again, err := svc.InviteStaff(ctx, ident.InviteInput{Email: "new.hire@shop.test", Role: "support", By: "admin-1"})
		if err != nil || again.Outcome != ident.InviteRenewed || again.User.ID() != res.User.ID() {
			t.Fatalf("re-invite = %+v, %v", again, err)
		}
		got := strings.Join(types(t, store), " ")
		want := strings.Join([]string{domain.TypeUserRegistered, domain.TypeRoleGranted, domain.TypeStaffInvited, domain.TypeStaffInvited}, " ")
		if got != want {
			t.Fatalf("events = %s, want %s", got, want)
		}
		token := invitationToken(t, store, "new.hire@shop.test")
		if err := svc.AcceptInvitation(ctx, token, "password1"); !errors.As(err, new(ident.ValidationErrors)) {
			t.Fatalf("a common password: %v", err)
		}
		if err := svc.ResetPassword(ctx, token, pw); !errors.Is(err, ident.ErrTokenInvalid) {
			t.Fatalf("the invitation as a reset link: %v", err)
		}
		if err := svc.AcceptInvitation(ctx, token, pw); err != nil {
			t.Fatal(err)
		}
		if err := svc.AcceptInvitation(ctx, token, pw); !errors.Is(err, ident.ErrTokenInvalid) {
			t.Fatalf("second use: %v", err)
		}
		u, _, err := svc.Login(ctx, "new.hire@shop.test", pw)
		if err != nil || !u.HasRole(domain.RoleSupport) || !u.EmailVerified() {
			t.Fatalf("login after accepting: %v", err)
		}
		if again, err := svc.InviteStaff(ctx, ident.InviteInput{Email: "new.hire@shop.test", Role: "support", By: "admin-1"}); err != nil || again.Outcome != ident.InviteUnchanged {
			t.Fatalf("invite of a member = %+v, %v", again, err)
		}
	})
	t.Run("only the newest invitation link works", func(t *testing.T) {
		t.Parallel()
		svc, store, _ := newService(t)
		if _, err := svc.InviteStaff(ctx, ident.InviteInput{Email: "x@shop.test", Role: "admin", By: "a"}); err != nil {
			t.Fatal(err)
		}
		first := invitationToken(t, store, "x@shop.test")
		if _, err := svc.InviteStaff(ctx, ident.InviteInput{Email: "x@shop.test", Role: "admin", By: "a"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.AcceptInvitation(ctx, first, pw); !errors.Is(err, ident.ErrTokenInvalid) {
			t.Fatalf("the replaced link: %v", err)
		}
		if err := svc.AcceptInvitation(ctx, invitationToken(t, store, "x@shop.test"), pw); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a verified customer is granted the role at once", func(t *testing.T) {
		t.Parallel()
		svc, store, _ := newService(t)
		if err := svc.Register(ctx, ident.RegisterInput{Email: "cu@shop.test", Password: pw, Name: "Cu"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.VerifyEmail(ctx, mailedTokens(t, store)[0]); err != nil {
			t.Fatal(err)
		}
		res, err := svc.InviteStaff(ctx, ident.InviteInput{Email: "cu@shop.test", Role: "admin", Name: "Ignored", By: "a"})
		if err != nil || res.Outcome != ident.InviteGranted || !res.User.HasRole(domain.RoleAdmin) || res.User.Name().String() != "Cu" {
			t.Fatalf("invite = %+v, %v", res, err)
		}
	})
	t.Run("a stranger's sign-up over an invitation neither verifies nor keeps a password", func(t *testing.T) {
		t.Parallel()
		svc, store, _ := newService(t)
		if _, err := svc.InviteStaff(ctx, ident.InviteInput{Email: "target@shop.test", Role: "admin", By: "a"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Register(ctx, ident.RegisterInput{Email: "target@shop.test", Password: "the stranger's passphrase", Name: "Eve"}); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(types(t, store), " ")
		if want := strings.Join([]string{domain.TypeUserRegistered, domain.TypeRoleGranted, domain.TypeStaffInvited, domain.TypeRegistrationAttempted}, " "); got != want {
			t.Fatalf("events = %s, want %s (no verification link over a pending invitation)", got, want)
		}
		if _, _, err := svc.Login(ctx, "target@shop.test", "the stranger's passphrase"); !errors.Is(err, ident.ErrBadCredentials) {
			t.Fatalf("the stranger's password: %v", err)
		}
	})
	t.Run("invalid input names every field", func(t *testing.T) {
		t.Parallel()
		svc, _, _ := newService(t)
		for _, tt := range []struct {
			in     ident.InviteInput
			fields string
		}{
			{ident.InviteInput{Email: "nope", Role: "root", Name: "\x07", By: "a"}, "email,role,name"},
			{ident.InviteInput{Email: "c@shop.test", Role: "customer", By: "a"}, "role"},
			{ident.InviteInput{Email: "c@shop.test", Role: "", By: "a"}, "role"},
		} {
			_, err := svc.InviteStaff(ctx, tt.in)
			var verrs ident.ValidationErrors
			if !errors.As(err, &verrs) {
				t.Fatalf("%+v: err = %v", tt.in, err)
			}
			var got []string
			for _, fe := range verrs {
				got = append(got, fe.Field)
			}
			if strings.Join(got, ",") != tt.fields {
				t.Fatalf("%+v: fields %v, want %s", tt.in, got, tt.fields)
			}
		}
	})
}

func TestStaffRolesAndAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const pw = "a long and unusual passphrase"
	svc, store, _ := newService(t)
	if _, err := svc.BootstrapAdmin(ctx, "root@shop.test", pw, "Root"); err != nil {
		t.Fatal(err)
	}
	root, _, err := svc.Login(ctx, "root@shop.test", pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.InviteStaff(ctx, ident.InviteInput{Email: "sup@shop.test", Role: "support", By: root.ID()}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AcceptInvitation(ctx, invitationToken(t, store, "sup@shop.test"), pw); err != nil {
		t.Fatal(err)
	}
	sup, refresh, err := svc.Login(ctx, "sup@shop.test", pw)
	if err != nil || !sup.HasRole(domain.RoleSupport) {
		t.Fatalf("support login: %v", err)
	}

	refusals := []struct {
		name string
		call func() error
		want error
	}{
		{"grant customer", func() error { _, err := svc.GrantStaffRole(ctx, root.ID(), sup.ID(), "customer"); return err }, domain.ErrNotStaffRole},
		{"revoke customer", func() error { _, err := svc.RevokeStaffRole(ctx, root.ID(), sup.ID(), "customer"); return err }, domain.ErrNotStaffRole},
		{"unknown role", func() error { _, err := svc.GrantStaffRole(ctx, root.ID(), sup.ID(), "root"); return err }, domain.ErrInvalidRole},
		{"unknown user", func() error { _, err := svc.GrantStaffRole(ctx, root.ID(), "nobody", "admin"); return err }, ident.ErrUserNotFound},
		{"the last admin", func() error { _, err := svc.RevokeStaffRole(ctx, root.ID(), root.ID(), "admin"); return err }, domain.ErrLastAdmin},
	}
	for _, r := range refusals {
		if err := r.call(); !errors.Is(err, r.want) {
			t.Fatalf("%s: err = %v, want %v", r.name, err, r.want)
		}
	}

	// Granting twice records once; revoking reaches the next refresh.
	for range 2 {
		if u, err := svc.GrantStaffRole(ctx, root.ID(), sup.ID(), "admin"); err != nil || !u.HasRole(domain.RoleAdmin) {
			t.Fatalf("grant admin: %v", err)
		}
	}
	if _, err := svc.RevokeStaffRole(ctx, sup.ID(), root.ID(), "admin"); err != nil {
		t.Fatalf("with two admins, one may lose the role: %v", err)
	}
	if _, err := svc.RevokeStaffRole(ctx, root.ID(), sup.ID(), "support"); err != nil {
		t.Fatal(err)
	}
	u, _, err := svc.Refresh(ctx, refresh)
	if err != nil {
		t.Fatal(err)
	}
	if u.HasRole(domain.RoleSupport) || !u.HasRole(domain.RoleAdmin) {
		t.Fatalf("roles after refresh = %v, want the revocation and the grant", u.Roles())
	}

	audit, next, err := svc.RoleAudit(ctx, 0, 100)
	if err != nil || next != 0 {
		t.Fatalf("audit: %v, next %d", err, next)
	}
	var got []string
	for _, c := range audit {
		got = append(got, c.Action+" "+string(c.Role)+" "+c.Email+" by "+c.Actor)
		if c.At.IsZero() || c.EventID == "" {
			t.Fatalf("entry %+v", c)
		}
	}
	want := []string{
		"revoked support sup@shop.test by " + root.ID(),
		"revoked admin root@shop.test by " + sup.ID(),
		"granted admin sup@shop.test by " + root.ID(),
		"granted support sup@shop.test by " + root.ID(),
		"granted admin root@shop.test by bootstrap",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	page, next, err := svc.RoleAudit(ctx, 0, 2)
	if err != nil || len(page) != 2 || next == 0 {
		t.Fatalf("first page: %d, next %d, %v", len(page), next, err)
	}
	if rest, _, _ := svc.RoleAudit(ctx, next, 10); len(rest) != 3 || rest[0].EventID != audit[2].EventID {
		t.Fatalf("second page = %+v", rest)
	}

	staff, err := svc.Staff(ctx)
	if err != nil || len(staff) != 1 || staff[0].User.ID() != sup.ID() {
		t.Fatalf("staff = %+v, %v", staff, err)
	}
	if since := staff[0].Since[domain.RoleAdmin]; !since.Equal(audit[2].At) {
		t.Fatalf("admin since %v, want the grant's %v", since, audit[2].At)
	}
	if _, ok := staff[0].Since[domain.RoleSupport]; ok {
		t.Fatal("a revoked role has a since")
	}
}
