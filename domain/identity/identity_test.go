package identity_test

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/domain/identity"
)

func TestNewEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"ann@shop.test", "ann@shop.test", true},
		{"  Ann@Shop.TEST ", "ann@shop.test", true},
		{"a.b+tag@sub.shop.test", "a.b+tag@sub.shop.test", true},
		{"", "", false},
		{"ann", "", false},
		{"ann@", "", false},
		{"@shop.test", "", false},
		{"ann@localhost", "", false},
		{"Ann <ann@shop.test>", "", false},
		{"ann@shop.test.", "", false},
		{"ann @shop.test", "", false},
		{strings.Repeat("a", 250) + "@x.test", "", false},
		{"ann@shop.test\n", "ann@shop.test", true},
		{"ann\x00@shop.test", "", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			t.Parallel()
			got, err := identity.NewEmail(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("NewEmail(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && !errors.Is(err, identity.ErrInvalidEmail) {
				t.Fatalf("err = %v, want ErrInvalidEmail", err)
			}
			if got.String() != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in string
		ok bool
	}{
		{"Ann Lee", true},
		{"  Zoë  ", true},
		{"", false},
		{"   ", false},
		{strings.Repeat("x", 100), true},
		{strings.Repeat("x", 101), false},
		{"Ann\x07", false},
		{"Ann\u202eeel", false},
		{"\xff", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			t.Parallel()
			_, err := identity.NewName(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("NewName(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && !errors.Is(err, identity.ErrInvalidName) {
				t.Fatalf("err = %v, want ErrInvalidName", err)
			}
		})
	}
}

func TestNewPassword(t *testing.T) {
	t.Parallel()
	email, _ := identity.NewEmail("ann.lee.shopper@shop.test")
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"good passphrase", "correct horse battery staple", nil},
		{"exactly 8", "Zq8#kLm2", nil},
		{"too short", "Zq8#kLm", identity.ErrPasswordLength},
		{"empty", "", identity.ErrPasswordLength},
		{"128 runes", strings.Repeat("é", 128), nil},
		{"129 runes", strings.Repeat("é", 129), identity.ErrPasswordLength},
		{"common", "password123", identity.ErrPasswordCommon},
		{"common any case", "PassWord123", identity.ErrPasswordCommon},
		{"common suffix variant", "dragon2024", identity.ErrPasswordCommon},
		{"keyboard walk", "qwertyuiop", identity.ErrPasswordCommon},
		{"the email", "Ann.Lee.Shopper@shop.test", identity.ErrPasswordIsEmail},
		{"the local part", "ann.lee.shopper", identity.ErrPasswordIsEmail},
		{"invalid utf8", "abcdefgh\xff", identity.ErrPasswordLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := identity.NewPassword(tt.in, email)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("NewPassword(%q) err = %v, want %v", tt.in, err, tt.want)
			}
			if err == nil && p.Plain() != tt.in {
				t.Fatalf("Plain() changed the password")
			}
		})
	}
}

func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	if n := identity.CommonPasswordCount(); n < 1000 {
		t.Fatalf("the bundled list has %d entries, want >= 1000", n)
	}
	for _, p := range []string{"123456", "iloveyou", "letmein", "trustno1", "monkey123", "Sunshine1"} {
		if !identity.IsCommonPassword(p) {
			t.Errorf("%q should be common", p)
		}
	}
	if identity.IsCommonPassword("#") || identity.IsCommonPassword("") {
		t.Error("comments and blank lines must not be entries")
	}
}

func TestPasswordIsRedacted(t *testing.T) {
	t.Parallel()
	p, err := identity.NewPassword("correct horse battery staple", identity.Email{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "pw", p)
	for _, s := range []string{fmt.Sprint(p), fmt.Sprintf("%v %+v %#v %s", p, p, p, p), b.String()} {
		if strings.Contains(s, "horse") {
			t.Fatalf("password leaked: %s", s)
		}
	}
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in string
		ok bool
	}{{"customer", true}, {"support", true}, {"admin", true}, {"Admin", false}, {"root", false}, {"", false}} {
		_, err := identity.ParseRole(tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("ParseRole(%q) err = %v", tt.in, err)
		}
	}
}

func newUser(t *testing.T) *identity.User {
	t.Helper()
	email, _ := identity.NewEmail("ann@shop.test")
	name, _ := identity.NewName("Ann")
	hash, _ := identity.NewPasswordHash("$argon2id$stub")
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	u, ev, err := identity.Register("u1", email, name, hash, "sealed", now.Add(time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if ev.UserID != "u1" || ev.Email != "ann@shop.test" || ev.SealedToken != "sealed" || ev.EmailVerified || ev.EventType() != identity.TypeUserRegistered {
		t.Fatalf("UserRegistered = %+v", ev)
	}
	return u
}

func TestUserLifeCycle(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	newHash, _ := identity.NewPasswordHash("$argon2id$new")

	t.Run("given a new user, when verified twice, then the second is refused and keeps the password", func(t *testing.T) {
		t.Parallel()
		u := newUser(t)
		ev, err := u.VerifyEmail(newHash, now)
		if err != nil || ev.EventType() != identity.TypeEmailVerified || !u.EmailVerified() {
			t.Fatalf("first verify: %+v %v", ev, err)
		}
		if u.PasswordHash() != newHash {
			t.Fatalf("password after verification = %q, want the link's", u.PasswordHash())
		}
		older, _ := identity.NewPasswordHash("$argon2id$older-sign-up")
		if _, err := u.VerifyEmail(older, now); !errors.Is(err, identity.ErrAlreadyVerified) {
			t.Fatalf("second verify err = %v", err)
		}
		if u.PasswordHash() != newHash {
			t.Fatal("a refused verification switched the password")
		}
		if _, err := newUser(t).VerifyEmail(identity.PasswordHash{}, now); !errors.Is(err, identity.ErrInvalidUser) {
			t.Fatalf("verify without the sign-up's password err = %v", err)
		}
	})
	t.Run("given the admin bootstrap, an unverified account loses its password, a verified one keeps it", func(t *testing.T) {
		t.Parallel()
		cases := []struct {
			name     string
			verified bool
			want     []string
		}{
			{"unverified", false, []string{identity.TypeEmailVerified, identity.TypePasswordChanged, identity.TypeRoleGranted}},
			{"verified", true, []string{identity.TypeRoleGranted}},
		}
		for _, c := range cases {
			u := newUser(t)
			before := u.PasswordHash()
			if c.verified {
				_, _ = u.VerifyEmail(before, now)
			}
			evs, err := u.BootstrapAdmin(newHash, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range evs {
				got = append(got, e.EventType())
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Fatalf("%s: events %v, want %v", c.name, got, c.want)
			}
			want := newHash
			if c.verified {
				want = before
			}
			if !u.HasRole(identity.RoleAdmin) || !u.EmailVerified() || u.PasswordHash() != want {
				t.Fatalf("%s: admin %v verified %v hash %q", c.name, u.HasRole(identity.RoleAdmin), u.EmailVerified(), u.PasswordHash())
			}
			if again, _ := u.BootstrapAdmin(newHash, now); len(again) != 0 {
				t.Fatalf("%s: a second bootstrap recorded %v", c.name, again)
			}
		}
	})
	t.Run("given an unverified user, when reset, then verified and password changed", func(t *testing.T) {
		t.Parallel()
		u := newUser(t)
		evs, err := u.ResetPassword(newHash, now)
		if err != nil || len(evs) != 2 || evs[0].EventType() != identity.TypeEmailVerified || evs[1].EventType() != identity.TypePasswordChanged {
			t.Fatalf("events = %+v err = %v", evs, err)
		}
		if u.PasswordHash() != newHash || !u.EmailVerified() {
			t.Fatal("state not applied")
		}
	})
	t.Run("given a verified user, when signing up again, then the owner is notified", func(t *testing.T) {
		t.Parallel()
		u := newUser(t)
		if ev := u.RequestVerificationAgain(newHash, "tok", now, now); ev.EventType() != identity.TypeVerificationRequested || u.PasswordHash() != newHash {
			t.Fatalf("unverified: %T, hash %q", ev, u.PasswordHash())
		}
		_, _ = u.VerifyEmail(u.PasswordHash(), now)
		other, _ := identity.NewPasswordHash("$argon2id$someone-else")
		if ev := u.RequestVerificationAgain(other, "tok", now, now); ev.EventType() != identity.TypeRegistrationAttempted || u.PasswordHash() != newHash {
			t.Fatalf("verified: %T, hash %q", ev, u.PasswordHash())
		}
	})
	t.Run("grant role once", func(t *testing.T) {
		t.Parallel()
		u := newUser(t)
		if ev, ok := u.GrantRole(identity.RoleSupport, "admin-1", now); !ok || !u.HasRole(identity.RoleSupport) || ev.GrantedBy != "admin-1" {
			t.Fatal("grant failed")
		}
		if _, ok := u.GrantRole(identity.RoleSupport, "admin-1", now); ok {
			t.Fatal("second grant recorded an event")
		}
	})
	t.Run("snapshot round trip", func(t *testing.T) {
		t.Parallel()
		u := newUser(t)
		back, err := identity.RehydrateUser(u.Snapshot())
		if err != nil || back.Email() != u.Email() || back.ID() != "u1" || !back.HasRole(identity.RoleCustomer) {
			t.Fatalf("rehydrate: %v", err)
		}
		bad := u.Snapshot()
		bad.Roles = []string{"root"}
		if _, err := identity.RehydrateUser(bad); !errors.Is(err, identity.ErrInvalidUser) {
			t.Fatalf("corrupt row err = %v", err)
		}
	})
}
