package identity

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PasswordHash is an encoded password hash (e.g. a PHC argon2id string). The
// domain never looks inside; it only insists one is present.
type PasswordHash struct{ v string }

// NewPasswordHash wraps an encoded hash.
func NewPasswordHash(encoded string) (PasswordHash, error) {
	if strings.TrimSpace(encoded) == "" {
		return PasswordHash{}, fmt.Errorf("%w: empty password hash", ErrInvalidUser)
	}
	return PasswordHash{v: encoded}, nil
}

// String returns the encoded hash (for storage only; never log it).
func (h PasswordHash) String() string { return h.v }

// User is the account aggregate. Its state changes only through the behaviour
// methods below, each of which returns the events to record.
type User struct {
	id            string
	email         Email
	name          Name
	hash          PasswordHash
	roles         []Role
	emailVerified bool
	createdAt     time.Time
	updatedAt     time.Time
}

// Register creates a customer account whose address is not yet verified.
// sealedToken is the verification token, already sealed for the notifier.
func Register(id string, email Email, name Name, hash PasswordHash, sealedToken string, expires, now time.Time) (*User, UserRegistered, error) {
	if strings.TrimSpace(id) == "" || email.IsZero() || name.String() == "" || hash.String() == "" {
		return nil, UserRegistered{}, fmt.Errorf("%w: id, email, name and hash are required", ErrInvalidUser)
	}
	u := &User{id: id, email: email, name: name, hash: hash, roles: []Role{RoleCustomer}, createdAt: now, updatedAt: now}
	return u, UserRegistered{UserID: id, Email: email.String(), Name: name.String(), Roles: u.Roles(),
		SealedToken: sealedToken, ExpiresAt: expires, OccurredAt: now}, nil
}

// RegisterAdmin creates a verified administrator. Only the operator's
// bootstrap (env or CLI) calls it; the public API never does. It records the
// account as a customer's and the admin role as granted by ActorBootstrap,
// so the staff audit shows where every admin came from.
func RegisterAdmin(id string, email Email, name Name, hash PasswordHash, now time.Time) (*User, []Event, error) {
	if strings.TrimSpace(id) == "" || email.IsZero() || name.String() == "" || hash.String() == "" {
		return nil, nil, fmt.Errorf("%w: id, email, name and hash are required", ErrInvalidUser)
	}
	u := &User{id: id, email: email, name: name, hash: hash, roles: []Role{RoleCustomer},
		emailVerified: true, createdAt: now, updatedAt: now}
	reg := UserRegistered{UserID: id, Email: email.String(), Name: name.String(), Roles: u.Roles(),
		EmailVerified: true, OccurredAt: now}
	grant, _ := u.GrantRole(RoleAdmin, ActorBootstrap, now)
	return u, []Event{reg, grant}, nil
}

// Invite creates the account of an address an admin invited to the staff
// with role. The account is unverified and its password is placeholder (a
// hash of a secret nobody knows) until the invitation link is opened:
// AcceptInvitation sets the invitee's password and verifies the address.
// sealedToken is the link's token, sealed for the notifier.
func Invite(id string, email Email, name Name, placeholder PasswordHash, role Role, by, sealedToken string, expires, now time.Time) (*User, []Event, error) {
	if !role.IsStaff() {
		return nil, nil, ErrNotStaffRole
	}
	if strings.TrimSpace(by) == "" {
		return nil, nil, fmt.Errorf("%w: an invitation needs the inviting admin", ErrInvalidUser)
	}
	u, reg, err := Register(id, email, name, placeholder, "", time.Time{}, now)
	if err != nil {
		return nil, nil, err
	}
	evs, err := u.Reinvite(role, by, sealedToken, expires, now)
	if err != nil {
		return nil, nil, err
	}
	return u, append([]Event{reg}, evs...), nil
}

// Reinvite grants role to an account that is not verified yet (an earlier
// invitation not yet accepted, or a sign-up whose link was never opened) and
// records a fresh invitation link for it. A verified account is granted
// roles directly (GrantStaffRole), so it is refused with ErrAlreadyClaimed.
func (u *User) Reinvite(role Role, by, sealedToken string, expires, now time.Time) ([]Event, error) {
	if !role.IsStaff() {
		return nil, ErrNotStaffRole
	}
	if u.emailVerified {
		return nil, ErrAlreadyClaimed
	}
	var events []Event
	if ev, ok := u.GrantRole(role, by, now); ok {
		ev.ViaInvitation = true
		events = append(events, ev)
	}
	return append(events, StaffInvited{UserID: u.id, Email: u.email.String(), Name: u.name.String(), Role: role,
		InvitedBy: by, SealedToken: sealedToken, ExpiresAt: expires, OccurredAt: now}), nil
}

// InvitationPending reports whether the account holds a staff role but was
// never verified: it was invited and the invitation is not accepted yet.
// Such an account is verified only by its invitation or a reset link, both
// of which let the owner of the mailbox choose the password; never by a
// sign-up link, which carries whoever signed up's password.
func (u *User) InvitationPending() bool {
	return !u.emailVerified && slices.ContainsFunc(u.roles, Role.IsStaff)
}

// AcceptInvitation sets the password chosen from the invitation link and
// verifies the address (opening the link proves control of it).
func (u *User) AcceptInvitation(hash PasswordHash, now time.Time) ([]Event, error) {
	if hash.String() == "" {
		return nil, fmt.Errorf("%w: empty password hash", ErrInvalidUser)
	}
	var events []Event
	if !u.emailVerified {
		events = append(events, u.markVerified(now))
	}
	u.hash = hash
	u.updatedAt = now
	return append(events, PasswordChanged{UserID: u.id, Email: u.email.String(), Name: u.name.String(),
		Reason: PasswordChangedByInvitation, OccurredAt: now}), nil
}

// UserSnapshot is the stored state of a user, used only to rebuild one.
type UserSnapshot struct {
	ID            string
	Email         string
	Name          string
	PasswordHash  string
	Roles         []string
	EmailVerified bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// RehydrateUser rebuilds a user read from storage, re-validating every field
// so a corrupt row surfaces as an error instead of a half-valid aggregate.
func RehydrateUser(s UserSnapshot) (*User, error) {
	email, err := NewEmail(s.Email)
	if err != nil {
		return nil, fmt.Errorf("%w: stored email: %w", ErrInvalidUser, err)
	}
	name, err := NewName(s.Name)
	if err != nil {
		return nil, fmt.Errorf("%w: stored name: %w", ErrInvalidUser, err)
	}
	hash, err := NewPasswordHash(s.PasswordHash)
	if err != nil {
		return nil, err
	}
	if s.ID == "" || len(s.Roles) == 0 {
		return nil, fmt.Errorf("%w: stored id or roles missing", ErrInvalidUser)
	}
	roles := make([]Role, 0, len(s.Roles))
	for _, r := range s.Roles {
		role, err := ParseRole(r)
		if err != nil {
			return nil, fmt.Errorf("%w: stored role: %w", ErrInvalidUser, err)
		}
		roles = append(roles, role)
	}
	return &User{id: s.ID, email: email, name: name, hash: hash, roles: roles, emailVerified: s.EmailVerified,
		createdAt: s.CreatedAt, updatedAt: s.UpdatedAt}, nil
}

// Snapshot returns the state to store.
func (u *User) Snapshot() UserSnapshot {
	roles := make([]string, len(u.roles))
	for i, r := range u.roles {
		roles[i] = string(r)
	}
	return UserSnapshot{ID: u.id, Email: u.email.String(), Name: u.name.String(), PasswordHash: u.hash.String(),
		Roles: roles, EmailVerified: u.emailVerified, CreatedAt: u.createdAt, UpdatedAt: u.updatedAt}
}

// ID returns the user id.
func (u *User) ID() string { return u.id }

// Email returns the address.
func (u *User) Email() Email { return u.email }

// Name returns the display name.
func (u *User) Name() Name { return u.name }

// PasswordHash returns the stored hash (to verify a login).
func (u *User) PasswordHash() PasswordHash { return u.hash }

// Roles returns a copy of the roles.
func (u *User) Roles() []Role { return slices.Clone(u.roles) }

// HasRole reports whether u holds r.
func (u *User) HasRole(r Role) bool { return slices.Contains(u.roles, r) }

// EmailVerified reports whether the address was verified.
func (u *User) EmailVerified() bool { return u.emailVerified }

// CreatedAt returns when the account was created.
func (u *User) CreatedAt() time.Time { return u.createdAt }

// VerifyEmail marks the address verified and makes hash, the password sent
// with the sign-up whose link was opened, the account's password. Whoever
// signed up first with an address they do not own therefore never keeps a
// password on it: only the registration whose mail the owner opened counts.
// Verifying twice is refused so a replayed or older link is visible to the
// caller and cannot switch the password back.
func (u *User) VerifyEmail(hash PasswordHash, now time.Time) (EmailVerified, error) {
	if u.emailVerified {
		return EmailVerified{}, ErrAlreadyVerified
	}
	if u.InvitationPending() {
		return EmailVerified{}, ErrInvitationPending
	}
	if hash.String() == "" {
		return EmailVerified{}, fmt.Errorf("%w: a verification needs the password of its sign-up", ErrInvalidUser)
	}
	u.hash = hash
	return u.markVerified(now), nil
}

func (u *User) markVerified(now time.Time) EmailVerified {
	u.emailVerified = true
	u.updatedAt = now
	return EmailVerified{UserID: u.id, Email: u.email.String(), Name: u.name.String(), OccurredAt: now}
}

// RequestVerificationAgain answers a repeated sign-up: a fresh link when the
// address is unverified (the account then holds this sign-up's password, the
// one its link will confirm), otherwise a notice to the owner.
//
// An account with a pending staff invitation is answered like a verified
// one: its password is chosen only from the invitation (or a reset link).
func (u *User) RequestVerificationAgain(hash PasswordHash, sealedToken string, expires, now time.Time) Event {
	if u.emailVerified || u.InvitationPending() {
		return RegistrationAttempted{UserID: u.id, Email: u.email.String(), Name: u.name.String(), OccurredAt: now}
	}
	if hash.String() != "" {
		u.hash = hash
		u.updatedAt = now
	}
	return VerificationRequested{UserID: u.id, Email: u.email.String(), Name: u.name.String(),
		SealedToken: sealedToken, ExpiresAt: expires, OccurredAt: now}
}

// RequestPasswordReset records that a reset link valid until expires is to be sent.
func (u *User) RequestPasswordReset(sealedToken string, expires, now time.Time) PasswordResetRequested {
	return PasswordResetRequested{UserID: u.id, Email: u.email.String(), Name: u.name.String(),
		SealedToken: sealedToken, ExpiresAt: expires, OccurredAt: now}
}

// ResetPassword replaces the password after a reset link was used. Using the
// link also proves control of the address, so an unverified address becomes
// verified.
func (u *User) ResetPassword(hash PasswordHash, now time.Time) ([]Event, error) {
	if hash.String() == "" {
		return nil, fmt.Errorf("%w: empty password hash", ErrInvalidUser)
	}
	var events []Event
	if !u.emailVerified {
		events = append(events, u.markVerified(now))
	}
	u.hash = hash
	u.updatedAt = now
	return append(events, PasswordChanged{UserID: u.id, Email: u.email.String(), Name: u.name.String(),
		Reason: PasswordChangedByReset, OccurredAt: now}), nil
}

// BootstrapAdmin makes the account an administrator for the operator's
// bootstrap. An unverified account may have been signed up by anyone, so it
// never becomes an admin with its password: the operator's password replaces
// it and the address counts as verified (the operator named it). A verified
// account keeps its password.
func (u *User) BootstrapAdmin(hash PasswordHash, now time.Time) ([]Event, error) {
	var events []Event
	if !u.emailVerified {
		if hash.String() == "" {
			return nil, fmt.Errorf("%w: empty password hash", ErrInvalidUser)
		}
		u.hash = hash
		events = append(events, u.markVerified(now), PasswordChanged{UserID: u.id, Email: u.email.String(),
			Name: u.name.String(), Reason: PasswordChangedByBootstrap, OccurredAt: now})
	}
	if ev, ok := u.GrantRole(RoleAdmin, ActorBootstrap, now); ok {
		events = append(events, ev)
	}
	return events, nil
}

// ChangePassword replaces the password; the caller has checked the current one.
func (u *User) ChangePassword(hash PasswordHash, reason string, now time.Time) (PasswordChanged, error) {
	if hash.String() == "" {
		return PasswordChanged{}, fmt.Errorf("%w: empty password hash", ErrInvalidUser)
	}
	u.hash = hash
	u.updatedAt = now
	return PasswordChanged{UserID: u.id, Email: u.email.String(), Name: u.name.String(), Reason: reason, OccurredAt: now}, nil
}

// GrantRole adds role, granted by the user id by (or ActorBootstrap);
// granting a held role records nothing.
func (u *User) GrantRole(role Role, by string, now time.Time) (RoleGranted, bool) {
	if u.HasRole(role) {
		return RoleGranted{}, false
	}
	u.roles = append(u.roles, role)
	u.updatedAt = now
	return RoleGranted{UserID: u.id, Email: u.email.String(), Name: u.name.String(), Role: role, GrantedBy: by, OccurredAt: now}, true
}

// GrantStaffRole is GrantRole for an admin's grant: only support and admin
// (ErrNotStaffRole otherwise).
func (u *User) GrantStaffRole(role Role, by string, now time.Time) (RoleGranted, bool, error) {
	if !role.IsStaff() {
		return RoleGranted{}, false, ErrNotStaffRole
	}
	if strings.TrimSpace(by) == "" {
		return RoleGranted{}, false, fmt.Errorf("%w: a grant needs the granting admin", ErrInvalidUser)
	}
	ev, ok := u.GrantRole(role, by, now)
	return ev, ok, nil
}

// RevokeStaffRole removes a staff role, revoked by the admin with user id
// by; revoking a role not held records nothing. activeAdmins is how many
// verified accounts hold the admin role now (this one included): the last
// of them keeps it (ErrLastAdmin), so the shop never ends up without an
// administrator who can sign in. Only an admin revokes roles, so the last
// admin can only be the one asking.
func (u *User) RevokeStaffRole(role Role, by string, activeAdmins int, now time.Time) (RoleRevoked, bool, error) {
	if !role.IsStaff() {
		return RoleRevoked{}, false, ErrNotStaffRole
	}
	if strings.TrimSpace(by) == "" {
		return RoleRevoked{}, false, fmt.Errorf("%w: a revocation needs the revoking admin", ErrInvalidUser)
	}
	i := slices.Index(u.roles, role)
	if i < 0 {
		return RoleRevoked{}, false, nil
	}
	if role == RoleAdmin && u.emailVerified && activeAdmins <= 1 {
		return RoleRevoked{}, false, ErrLastAdmin
	}
	u.roles = slices.Delete(u.roles, i, i+1)
	u.updatedAt = now
	return RoleRevoked{UserID: u.id, Email: u.email.String(), Name: u.name.String(), Role: role, RevokedBy: by, OccurredAt: now}, true, nil
}
