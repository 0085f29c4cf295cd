package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
)

// DefaultInviteTTL is how long a staff invitation's link works. Longer than
// a reset link: a new colleague may open it days later; re-inviting sends a
// fresh one and voids the old.
const DefaultInviteTTL = 7 * 24 * time.Hour

// Outcomes of InviteStaff.
const (
	InviteCreated   = "invited"   // a new account was created and the invitation mailed
	InviteRenewed   = "reinvited" // an account not yet verified got the role and a fresh link
	InviteGranted   = "granted"   // a verified account got the role (its owner is told by mail)
	InviteUnchanged = "unchanged" // the verified account already held the role
)

// InviteInput is an admin's invitation of an address to the staff.
type InviteInput struct {
	Email string
	Role  string
	Name  string // optional: the new account's display name (default: the address's local part)
	By    string // the inviting admin's user id
}

// InviteResult is the invited account and what happened to it.
type InviteResult struct {
	User    *domain.User
	Outcome string
}

// InviteStaff gives the address a staff role: an existing verified account
// is granted it; an unknown address gets an account and an invitation mail
// with a single-use link to choose a password; an account not yet verified
// gets the role and a fresh link (the previous one stops working).
// Inviting again is idempotent: nothing is recorded twice, and only an
// unclaimed invitation is mailed again.
func (s *Service) InviteStaff(ctx context.Context, in InviteInput) (InviteResult, error) {
	var verrs ValidationErrors
	email, err := domain.NewEmail(in.Email)
	if err != nil {
		verrs = append(verrs, &FieldError{"email", err})
	}
	role, err := domain.ParseStaffRole(in.Role)
	if err != nil {
		verrs = append(verrs, &FieldError{"role", err})
	}
	var name domain.Name
	if strings.TrimSpace(in.Name) != "" {
		if name, err = domain.NewName(in.Name); err != nil {
			verrs = append(verrs, &FieldError{"name", err})
		}
	}
	if len(verrs) > 0 {
		return InviteResult{}, verrs
	}
	if name.String() == "" {
		local, _, _ := strings.Cut(email.String(), "@")
		if name, err = domain.NewName(local); err != nil {
			return InviteResult{}, err
		}
	}
	now := s.cfg.Now()
	expires := now.Add(s.cfg.InviteTTL)
	existing, err := s.cfg.Store.UserByEmail(ctx, email)
	if errors.Is(err, ErrUserNotFound) {
		// Nobody knows this password: the account is claimed only through
		// the link, which sets the invitee's own.
		placeholder, err := s.cfg.Hasher.Hash(ctx, randomString(32))
		if err != nil {
			return InviteResult{}, err
		}
		hash, err := domain.NewPasswordHash(placeholder)
		if err != nil {
			return InviteResult{}, err
		}
		id := s.cfg.NewID()
		plain, tok := s.tokens.issue(PurposeInvite, id, expires)
		u, evs, err := domain.Invite(id, email, name, hash, role, in.By, s.cfg.Sealer.Seal(plain, id), expires, now)
		if err != nil {
			return InviteResult{}, err
		}
		ch, err := s.change(ctx, &tok, evs...)
		if err != nil {
			return InviteResult{}, err
		}
		err = s.cfg.Store.CreateUser(ctx, u, ch)
		if err == nil {
			return InviteResult{User: u, Outcome: InviteCreated}, nil
		}
		if !errors.Is(err, ErrEmailTaken) {
			return InviteResult{}, err
		}
		// Signed up or invited concurrently: treat it as the existing account.
		if existing, err = s.cfg.Store.UserByEmail(ctx, email); err != nil {
			return InviteResult{}, err
		}
	} else if err != nil {
		return InviteResult{}, err
	}
	var res InviteResult
	err = s.cfg.Store.UpdateRoles(ctx, existing.ID(), func(u *domain.User, _ int) (Change, error) {
		res = InviteResult{User: u}
		if u.EmailVerified() {
			ev, ok, err := u.GrantStaffRole(role, in.By, now)
			if err != nil || !ok {
				res.Outcome = InviteUnchanged
				return Change{}, err
			}
			res.Outcome = InviteGranted
			return s.change(ctx, nil, ev)
		}
		plain, tok := s.tokens.issue(PurposeInvite, u.ID(), expires)
		evs, err := u.Reinvite(role, in.By, s.cfg.Sealer.Seal(plain, u.ID()), expires, now)
		if err != nil {
			return Change{}, err
		}
		res.Outcome = InviteRenewed
		return s.change(ctx, &tok, evs...)
	})
	if err != nil {
		return InviteResult{}, err
	}
	return res, nil
}

// AcceptInvitation consumes an invitation token: the password becomes the
// account's, the address counts as verified, and no session is opened (the
// invitee signs in next, like after a reset).
func (s *Service) AcceptInvitation(ctx context.Context, token, password string) error {
	return s.setPasswordByToken(ctx, PurposeInvite, token, password, (*domain.User).AcceptInvitation)
}

// GrantStaffRole gives the user a staff role on behalf of the admin by.
// Granting a held role changes nothing. A revoked or granted role reaches
// the person's access token at their next refresh (Refresh re-reads the
// roles), so within the access token's lifetime.
func (s *Service) GrantStaffRole(ctx context.Context, by, userID, role string) (*domain.User, error) {
	r, err := domain.ParseStaffRole(role)
	if err != nil {
		return nil, ValidationErrors{{"role", err}}
	}
	now := s.cfg.Now()
	var out *domain.User
	err = s.cfg.Store.UpdateRoles(ctx, userID, func(u *domain.User, _ int) (Change, error) {
		out = u
		ev, ok, err := u.GrantStaffRole(r, by, now)
		if err != nil || !ok {
			return Change{}, err
		}
		return s.change(ctx, nil, ev)
	})
	return out, err
}

// RevokeStaffRole takes a staff role from the user on behalf of the admin
// by; revoking a role not held changes nothing. The last verified admin
// keeps the admin role (domain.ErrLastAdmin).
func (s *Service) RevokeStaffRole(ctx context.Context, by, userID, role string) (*domain.User, error) {
	r, err := domain.ParseStaffRole(role)
	if err != nil {
		return nil, ValidationErrors{{"role", err}}
	}
	now := s.cfg.Now()
	var out *domain.User
	err = s.cfg.Store.UpdateRoles(ctx, userID, func(u *domain.User, admins int) (Change, error) {
		out = u
		ev, ok, err := u.RevokeStaffRole(r, by, admins, now)
		if err != nil || !ok {
			return Change{}, err
		}
		return s.change(ctx, nil, ev)
	})
	return out, err
}

// StaffMember is an account holding a staff role, with when it got each.
type StaffMember struct {
	User *domain.User
	// Since is when each staff role was last granted. A role granted
	// before grants were recorded (e.g. with the account) counts from the
	// account's creation.
	Since map[domain.Role]time.Time
}

// Staff lists everyone holding the support or admin role.
func (s *Service) Staff(ctx context.Context) ([]StaffMember, error) {
	users, err := s.cfg.Store.Staff(ctx)
	if err != nil {
		return nil, err
	}
	// The newest event of each (user, role) decides: role events are few
	// (one per grant or revocation), so reading them all is cheap.
	latest := map[[2]string]RoleChange{}
	var before uint64
	for {
		page, next, err := s.RoleAudit(ctx, before, 500)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			k := [2]string{c.UserID, string(c.Role)}
			if _, ok := latest[k]; !ok {
				latest[k] = c
			}
		}
		if next == 0 {
			break
		}
		before = next
	}
	out := make([]StaffMember, 0, len(users))
	for _, u := range users {
		m := StaffMember{User: u, Since: map[domain.Role]time.Time{}}
		for _, r := range u.Roles() {
			if !r.IsStaff() {
				continue
			}
			m.Since[r] = u.CreatedAt()
			if c, ok := latest[[2]string{u.ID(), string(r)}]; ok && c.Action == RoleActionGranted {
				m.Since[r] = c.At
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// Actions of a RoleChange.
const (
	RoleActionGranted = "granted"
	RoleActionRevoked = "revoked"
)

// RoleChange is one entry of the staff audit: who (Actor: a user id,
// domain.ActorBootstrap, or "" for grants recorded before actors were)
// granted or revoked which role of whom, and when.
type RoleChange struct {
	EventID       string
	Position      uint64
	Action        string
	Role          domain.Role
	UserID        string
	Email         string
	Name          string
	Actor         string
	ViaInvitation bool
	At            time.Time
}

// RoleAudit returns up to limit grants and revocations before the position
// before (0: the newest), newest first, and the position to pass for the
// next page (0 when there is none).
func (s *Service) RoleAudit(ctx context.Context, before uint64, limit int) ([]RoleChange, uint64, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	evs, err := s.cfg.Store.RoleEvents(ctx, before, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]RoleChange, 0, len(evs))
	for _, e := range evs {
		c, err := decodeRoleChange(e)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	var next uint64
	if len(evs) == limit {
		next = evs[len(evs)-1].Position
	}
	return out, next, nil
}

func decodeRoleChange(e eventstore.RecordedEvent) (RoleChange, error) {
	c := RoleChange{EventID: e.ID, Position: e.Position, At: e.Time}
	switch e.Type {
	case domain.TypeRoleGranted:
		var ev domain.RoleGranted
		if err := json.Unmarshal(e.Data, &ev); err != nil {
			return RoleChange{}, fmt.Errorf("identity: decode %s %s: %w", e.Type, e.ID, err)
		}
		c.Action, c.Role, c.UserID, c.Email, c.Name, c.Actor, c.ViaInvitation = RoleActionGranted, ev.Role, ev.UserID, ev.Email, ev.Name, ev.GrantedBy, ev.ViaInvitation
		if !ev.OccurredAt.IsZero() {
			c.At = ev.OccurredAt
		}
	case domain.TypeRoleRevoked:
		var ev domain.RoleRevoked
		if err := json.Unmarshal(e.Data, &ev); err != nil {
			return RoleChange{}, fmt.Errorf("identity: decode %s %s: %w", e.Type, e.ID, err)
		}
		c.Action, c.Role, c.UserID, c.Email, c.Name, c.Actor = RoleActionRevoked, ev.Role, ev.UserID, ev.Email, ev.Name, ev.RevokedBy
		if !ev.OccurredAt.IsZero() {
			c.At = ev.OccurredAt
		}
	default:
		return RoleChange{}, fmt.Errorf("identity: %s is not a role event", e.Type)
	}
	return c, nil
}
