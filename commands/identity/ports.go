// Package identity holds the use cases of the auth service (register, verify,
// login, refresh, logout, forgot/reset/change password, admin bootstrap,
// staff invitations and role grants with their audit) and
// the ports they need: the user store with its transactional outbox, the
// refresh-token sessions, and the password hasher. Adapters live in memstore
// (tests, in-memory demo), sqlitestore (durable embedded shop), pgstore
// (PostgreSQL) and redisstore (Redis).
package identity

import (
	"context"
	"errors"
	"time"

	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
)

// Errors of the use cases and ports.
var (
	ErrUserNotFound     = errors.New("identity: user not found")
	ErrEmailTaken       = errors.New("identity: email already registered")
	ErrBadCredentials   = errors.New("identity: email or password is wrong")
	ErrEmailNotVerified = errors.New("identity: email not verified")
	ErrTokenInvalid     = errors.New("identity: token invalid, used or expired")
	ErrSessionInvalid   = errors.New("identity: session invalid or expired")
	ErrSessionReused    = errors.New("identity: refresh token reused; session family revoked")
)

// Purpose says what a single-use mail token may do.
type Purpose string

// Token purposes.
const (
	PurposeVerify Purpose = "verify"
	PurposeReset  Purpose = "reset"
	// PurposeInvite is a staff invitation's link: it sets the first
	// password and verifies the address, like a reset link, but lives
	// longer and is not replaced by a "forgot password" request.
	PurposeInvite Purpose = "invite"
)

// Token is the stored half of a single-use mail token: only a hash of its id
// is kept, so a leaked table cannot be turned into working links.
type Token struct {
	IDHash    string
	UserID    string
	Purpose   Purpose
	ExpiresAt time.Time
	// PasswordHash is, for a verification link, the hash of the password
	// sent with its sign-up: it becomes the account's password when this
	// link is opened (so a stranger's earlier sign-up never keeps its
	// password). Empty for reset links.
	PasswordHash string
}

// Change is what a mutation of one user persists besides the user row: the
// outbox events and, optionally, a new token. Storing a token replaces any
// live token of the same user and purpose (only the newest link works).
type Change struct {
	Events []eventstore.EventData
	Token  *Token
}

// Store is the persistence port. Every mutating method is one transaction:
// the user row, the token rows and the outbox events commit together or not
// at all (no dual write). Outbox events land in stream "user-<id>".
type Store interface {
	// CreateUser inserts u with ch; ErrEmailTaken if the address exists.
	CreateUser(ctx context.Context, u *domain.User, ch Change) error
	// UserByEmail returns ErrUserNotFound for an unknown address.
	UserByEmail(ctx context.Context, email domain.Email) (*domain.User, error)
	// UserByID returns ErrUserNotFound for an unknown id.
	UserByID(ctx context.Context, id string) (*domain.User, error)
	// UpdateUser loads the user under a lock, runs fn, and saves the
	// mutated user with fn's change. An error from fn aborts everything.
	UpdateUser(ctx context.Context, id string, fn func(*domain.User) (Change, error)) error
	// ConsumeToken deletes the token with idHash if it has purpose, belongs
	// to userID and has not expired at now (else ErrTokenInvalid), then runs
	// fn on its user and the token as stored, like UpdateUser, all in one
	// transaction: a token is used at most once even under concurrent
	// requests, and it is not burnt when fn fails.
	ConsumeToken(ctx context.Context, purpose Purpose, idHash, userID string, now time.Time, fn func(*domain.User, Token) (Change, error)) error
	// UpdateRoles is UpdateUser for a change of staff roles. Role changes
	// are serialised store-wide, and fn is told how many verified accounts
	// hold the admin role before the change (the user itself included), so
	// two admins revoking each other at once cannot leave the shop with
	// none.
	UpdateRoles(ctx context.Context, id string, fn func(u *domain.User, activeAdmins int) (Change, error)) error
	// Staff lists every account holding the support or admin role, by email.
	Staff(ctx context.Context) ([]*domain.User, error)
	// RoleEvents returns up to limit outbox events of the types
	// RoleGranted and RoleRevoked with a position below before (0: from
	// the newest), newest first: the staff audit, read from the events
	// themselves.
	RoleEvents(ctx context.Context, before uint64, limit int) ([]eventstore.RecordedEvent, error)
}

// RoleEventTypes are the event types RoleEvents returns.
func RoleEventTypes() []string { return []string{domain.TypeRoleGranted, domain.TypeRoleRevoked} }

// Session is one refresh token (stored by hash) in its family. A family is
// one login; every refresh rotates to a new token in the same family.
type Session struct {
	TokenHash string
	FamilyID  string
	UserID    string
	ExpiresAt time.Time // this token's end (the sliding lifetime, never past FamilyExpiresAt)
	// FamilyExpiresAt is the login's absolute end: no rotation reaches past
	// it, so a stolen refresh token cannot be kept alive forever.
	FamilyExpiresAt time.Time
}

// Sessions is the refresh-token port.
type Sessions interface {
	// Create stores the first token of a new family, which ends for good at
	// s.FamilyExpiresAt.
	Create(ctx context.Context, s Session) error
	// Rotate marks the token oldHash used and stores newHash in its family
	// for ttl, but never past the family's end, returning the new session.
	// A token already rotated is a theft signal: the whole family is revoked
	// and ErrSessionReused returned. Unknown, expired or revoked tokens, and
	// families past their end, give ErrSessionInvalid.
	Rotate(ctx context.Context, oldHash, newHash string, ttl time.Duration) (Session, error)
	// Revoke revokes the family of the token (logout); unknown tokens are ignored.
	Revoke(ctx context.Context, tokenHash string) error
	// RevokeUser revokes every family of the user (password reset/change).
	RevokeUser(ctx context.Context, userID string) error
}

// PasswordHasher hashes and checks passwords.
type PasswordHasher interface {
	Hash(ctx context.Context, plain string) (string, error)
	Verify(ctx context.Context, encoded, plain string) (bool, error)
}

// Sealer seals a token for the notifier (platform/sealed.Box).
type Sealer interface {
	Seal(plain, aad string) string
}
