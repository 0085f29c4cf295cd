package identity_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/domain/identity"
)

func eventTypes(evs []identity.Event) string {
	var out []string
	for _, e := range evs {
		out = append(out, e.EventType())
	}
	return strings.Join(out, ",")
}

func TestParseStaffRole(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want error
	}{
		{"support", nil}, {"admin", nil},
		{"customer", identity.ErrNotStaffRole},
		{"root", identity.ErrInvalidRole}, {"", identity.ErrInvalidRole}, {"Admin", identity.ErrInvalidRole},
	} {
		r, err := identity.ParseStaffRole(tt.in)
		if !errors.Is(err, tt.want) || (tt.want == nil && (err != nil || string(r) != tt.in)) {
			t.Errorf("ParseStaffRole(%q) = %q, %v; want %v", tt.in, r, err, tt.want)
		}
	}
}

func TestRegisterAdminRecordsTheBootstrapGrant(t *testing.T) {
	t.Parallel()
	email, _ := identity.NewEmail("root@shop.test")
	name, _ := identity.NewName("Root")
	hash, _ := identity.NewPasswordHash("$argon2id$root")
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	u, evs, err := identity.RegisterAdmin("r1", email, name, hash, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := eventTypes(evs); got != identity.TypeUserRegistered+","+identity.TypeRoleGranted {
		t.Fatalf("events = %s", got)
	}
	g := evs[1].(identity.RoleGranted)
	if g.Role != identity.RoleAdmin || g.GrantedBy != identity.ActorBootstrap || !u.HasRole(identity.RoleAdmin) || !u.EmailVerified() {
		t.Fatalf("grant = %+v, roles %v", g, u.Roles())
	}
}

func TestStaffInvitations(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	email, _ := identity.NewEmail("new.hire@shop.test")
	name, _ := identity.NewName("New Hire")
	placeholder, _ := identity.NewPasswordHash("$argon2id$nobody-knows")
	chosen, _ := identity.NewPasswordHash("$argon2id$chosen")
	invite := func(t *testing.T) *identity.User {
		t.Helper()
		u, evs, err := identity.Invite("n1", email, name, placeholder, identity.RoleSupport, "admin-1", "sealed", now.Add(time.Hour), now)
		if err != nil {
			t.Fatal(err)
		}
		if got := eventTypes(evs); got != strings.Join([]string{identity.TypeUserRegistered, identity.TypeRoleGranted, identity.TypeStaffInvited}, ",") {
			t.Fatalf("events = %s", got)
		}
		if reg := evs[0].(identity.UserRegistered); reg.SealedToken != "" || reg.EmailVerified {
			t.Fatalf("an invitation must not send a sign-up verification: %+v", reg)
		}
		if g := evs[1].(identity.RoleGranted); g.GrantedBy != "admin-1" || !g.ViaInvitation || g.Role != identity.RoleSupport {
			t.Fatalf("grant = %+v", g)
		}
		if inv := evs[2].(identity.StaffInvited); inv.SealedToken != "sealed" || inv.InvitedBy != "admin-1" || inv.Role != identity.RoleSupport || !inv.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("invitation = %+v", inv)
		}
		if !u.InvitationPending() || u.EmailVerified() || !u.HasRole(identity.RoleSupport) {
			t.Fatal("the invited account is not pending")
		}
		return u
	}

	t.Run("only staff roles and a named inviter", func(t *testing.T) {
		t.Parallel()
		if _, _, err := identity.Invite("n1", email, name, placeholder, identity.RoleCustomer, "admin-1", "s", now, now); !errors.Is(err, identity.ErrNotStaffRole) {
			t.Fatalf("customer invite err = %v", err)
		}
		if _, _, err := identity.Invite("n1", email, name, placeholder, identity.RoleAdmin, " ", "s", now, now); !errors.Is(err, identity.ErrInvalidUser) {
			t.Fatalf("anonymous invite err = %v", err)
		}
	})
	t.Run("given an invitation, a sign-up link can neither verify nor set the password", func(t *testing.T) {
		t.Parallel()
		u := invite(t)
		stranger, _ := identity.NewPasswordHash("$argon2id$stranger")
		if ev := u.RequestVerificationAgain(stranger, "tok", now, now); ev.EventType() != identity.TypeRegistrationAttempted || u.PasswordHash() != placeholder {
			t.Fatalf("a sign-up over an invitation gave %s and hash %q", ev.EventType(), u.PasswordHash())
		}
		if _, err := u.VerifyEmail(stranger, now); !errors.Is(err, identity.ErrInvitationPending) || u.EmailVerified() {
			t.Fatalf("verify over an invitation err = %v", err)
		}
	})
	t.Run("given an invitation, when accepted, then verified with the chosen password", func(t *testing.T) {
		t.Parallel()
		u := invite(t)
		evs, err := u.AcceptInvitation(chosen, now)
		if err != nil || eventTypes(evs) != identity.TypeEmailVerified+","+identity.TypePasswordChanged {
			t.Fatalf("accept = %s, %v", eventTypes(evs), err)
		}
		if pc := evs[1].(identity.PasswordChanged); pc.Reason != identity.PasswordChangedByInvitation {
			t.Fatalf("reason = %q", pc.Reason)
		}
		if !u.EmailVerified() || u.PasswordHash() != chosen || u.InvitationPending() {
			t.Fatal("state not applied")
		}
		if _, err := u.Reinvite(identity.RoleAdmin, "admin-1", "s", now, now); !errors.Is(err, identity.ErrAlreadyClaimed) {
			t.Fatalf("re-inviting a verified account err = %v", err)
		}
	})
	t.Run("re-inviting grants only what is missing and sends a fresh link", func(t *testing.T) {
		t.Parallel()
		u := invite(t)
		evs, err := u.Reinvite(identity.RoleSupport, "admin-2", "sealed-2", now, now)
		if err != nil || eventTypes(evs) != identity.TypeStaffInvited {
			t.Fatalf("same role: %s, %v", eventTypes(evs), err)
		}
		evs, err = u.Reinvite(identity.RoleAdmin, "admin-2", "sealed-3", now, now)
		if err != nil || eventTypes(evs) != identity.TypeRoleGranted+","+identity.TypeStaffInvited || !u.HasRole(identity.RoleAdmin) {
			t.Fatalf("new role: %s, %v", eventTypes(evs), err)
		}
	})
}

func TestStaffRoleGrantAndRevoke(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	verified := func(t *testing.T) *identity.User {
		u := newUser(t)
		if _, err := u.VerifyEmail(u.PasswordHash(), now); err != nil {
			t.Fatal(err)
		}
		return u
	}
	tests := []struct {
		name         string
		given        []identity.Role
		verified     bool
		revoke       identity.Role
		activeAdmins int
		wantErr      error
		wantEvent    bool
		wantRoles    string
	}{
		{"support revoked", []identity.Role{identity.RoleSupport}, true, identity.RoleSupport, 1, nil, true, "customer"},
		{"role not held", nil, true, identity.RoleSupport, 1, nil, false, "customer"},
		{"customer refused", nil, true, identity.RoleCustomer, 1, identity.ErrNotStaffRole, false, "customer"},
		{"one of two admins", []identity.Role{identity.RoleAdmin}, true, identity.RoleAdmin, 2, nil, true, "customer"},
		{"the last admin keeps it", []identity.Role{identity.RoleAdmin, identity.RoleSupport}, true, identity.RoleAdmin, 1, identity.ErrLastAdmin, false, "customer,admin,support"},
		{"a pending admin is not an active one", []identity.Role{identity.RoleAdmin}, false, identity.RoleAdmin, 1, nil, true, "customer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := newUser(t)
			if tt.verified {
				u = verified(t)
			}
			for _, r := range tt.given {
				if _, _, err := u.GrantStaffRole(r, "admin-1", now); err != nil {
					t.Fatal(err)
				}
			}
			ev, ok, err := u.RevokeStaffRole(tt.revoke, "admin-9", tt.activeAdmins, now)
			if !errors.Is(err, tt.wantErr) || ok != tt.wantEvent {
				t.Fatalf("revoke = %v, %v; want %v, %v", ok, err, tt.wantEvent, tt.wantErr)
			}
			if ok && (ev.RevokedBy != "admin-9" || ev.Role != tt.revoke || ev.EventType() != identity.TypeRoleRevoked) {
				t.Fatalf("event = %+v", ev)
			}
			var roles []string
			for _, r := range u.Roles() {
				roles = append(roles, string(r))
			}
			if strings.Join(roles, ",") != tt.wantRoles {
				t.Fatalf("roles = %v, want %s", roles, tt.wantRoles)
			}
		})
	}
	t.Run("customer cannot be granted as staff", func(t *testing.T) {
		t.Parallel()
		if _, _, err := newUser(t).GrantStaffRole(identity.RoleCustomer, "admin-1", now); !errors.Is(err, identity.ErrNotStaffRole) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestStoredRoleGrantedLoads: RoleGranted events stored before grantedBy
// existed still decode (no actor), and the new shape round-trips.
func TestStoredRoleGrantedLoads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		by         string
		viaInvite  bool
	}{
		{"before grantedBy", `{"userId":"u1","email":"ann@shop.test","name":"Ann","role":"admin","occurredAt":"2025-01-02T03:04:05Z"}`, "", false},
		{"bootstrap", `{"userId":"u1","email":"ann@shop.test","name":"Ann","role":"admin","grantedBy":"bootstrap","occurredAt":"2025-01-02T03:04:05Z"}`, identity.ActorBootstrap, false},
		{"invitation", `{"userId":"u1","email":"ann@shop.test","name":"Ann","role":"support","grantedBy":"a1","viaInvitation":true,"occurredAt":"2025-01-02T03:04:05Z"}`, "a1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ev identity.RoleGranted
			if err := json.Unmarshal([]byte(tt.data), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.UserID != "u1" || ev.GrantedBy != tt.by || ev.ViaInvitation != tt.viaInvite || ev.OccurredAt.IsZero() {
				t.Fatalf("decoded %+v", ev)
			}
			back, _ := json.Marshal(ev)
			if tt.by == "" && strings.Contains(string(back), "grantedBy") {
				t.Fatalf("an old grant gained an actor: %s", back)
			}
		})
	}
}
