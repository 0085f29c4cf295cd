package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/logging"
)

// Lifetimes of the mail tokens and refresh tokens.
const (
	DefaultVerifyTTL  = 48 * time.Hour
	ResetTTL          = 30 * time.Minute
	DefaultRefreshTTL = 7 * 24 * time.Hour
	// DefaultRefreshAbsoluteTTL bounds a login however often it refreshes.
	DefaultRefreshAbsoluteTTL = 30 * 24 * time.Hour
)

// Config configures NewService.
type Config struct {
	Store    Store
	Sessions Sessions
	Hasher   PasswordHasher
	Sealer   Sealer // seals link tokens for the notifier (MAIL_LINK_KEY)
	TokenKey []byte // HMAC key of the link tokens, >= 32 bytes
	Log      *slog.Logger
	Now      func() time.Time
	NewID    func() string

	VerifyTTL  time.Duration // default 48h
	InviteTTL  time.Duration // staff invitation links; default 7 days
	RefreshTTL time.Duration // default 7 days; sliding: each refresh extends it
	// RefreshAbsoluteTTL ends a login (a refresh-token family) for good,
	// however often it refreshes; default 30 days, at least RefreshTTL.
	RefreshAbsoluteTTL time.Duration
}

// Service runs the identity use cases.
type Service struct {
	cfg       Config
	tokens    tokenCodec
	dummyHash string
}

// NewService validates cfg and returns a Service.
func NewService(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Sessions == nil || cfg.Hasher == nil || cfg.Sealer == nil {
		return nil, errors.New("identity: store, sessions, hasher and sealer are required")
	}
	codec, err := newTokenCodec(cfg.TokenKey)
	if err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = uuid.NewString
	}
	if cfg.VerifyTTL <= 0 {
		cfg.VerifyTTL = DefaultVerifyTTL
	}
	if cfg.InviteTTL <= 0 {
		cfg.InviteTTL = DefaultInviteTTL
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = DefaultRefreshTTL
	}
	if cfg.RefreshAbsoluteTTL <= 0 {
		cfg.RefreshAbsoluteTTL = DefaultRefreshAbsoluteTTL
	}
	if cfg.RefreshAbsoluteTTL < cfg.RefreshTTL {
		return nil, fmt.Errorf("identity: the absolute refresh lifetime (%s) is shorter than the sliding one (%s)",
			cfg.RefreshAbsoluteTTL, cfg.RefreshTTL)
	}
	// Unknown accounts are checked against this hash so a failed login costs
	// the same whether or not the address exists.
	dummy, err := cfg.Hasher.Hash(ctx, randomString(24))
	if err != nil {
		return nil, fmt.Errorf("identity: dummy hash: %w", err)
	}
	return &Service{cfg: cfg, tokens: codec, dummyHash: dummy}, nil
}

// RefreshTTL is the lifetime of a refresh token.
func (s *Service) RefreshTTL() time.Duration { return s.cfg.RefreshTTL }

// RegisterInput is a sign-up request.
type RegisterInput struct {
	Email    string
	Password string
	Name     string
}

// FieldError ties a validation error to an input field.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// ValidationErrors lists every invalid field of one request.
type ValidationErrors []*FieldError

func (v ValidationErrors) Error() string {
	if len(v) == 0 {
		return "identity: invalid input"
	}
	return "identity: invalid input: " + v[0].Error()
}

// Unwrap exposes every field's error to errors.Is and errors.As.
func (v ValidationErrors) Unwrap() []error {
	out := make([]error, len(v))
	for i, fe := range v {
		out[i] = fe
	}
	return out
}

// Register signs up a customer and queues the verification mail. Signing up
// with an existing address succeeds just the same from the caller's view;
// the owner gets a fresh link (unverified) or a notice (verified) instead.
func (s *Service) Register(ctx context.Context, in RegisterInput) error {
	var verrs ValidationErrors
	email, err := domain.NewEmail(in.Email)
	if err != nil {
		verrs = append(verrs, &FieldError{"email", err})
	}
	name, err := domain.NewName(in.Name)
	if err != nil {
		verrs = append(verrs, &FieldError{"name", err})
	}
	pw, err := domain.NewPassword(in.Password, email)
	if err != nil {
		verrs = append(verrs, &FieldError{"password", err})
	}
	if len(verrs) > 0 {
		return verrs
	}
	// Hash before looking the address up so both outcomes cost one hash.
	encoded, err := s.cfg.Hasher.Hash(ctx, pw.Plain())
	if err != nil {
		return err
	}
	hash, err := domain.NewPasswordHash(encoded)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	expires := now.Add(s.cfg.VerifyTTL)
	id := s.cfg.NewID()
	plain, tok := s.tokens.issue(PurposeVerify, id, expires)
	// The link carries this sign-up's password: opening it is what makes
	// the password the account's (see domain.User.VerifyEmail).
	tok.PasswordHash = encoded
	u, ev, err := domain.Register(id, email, name, hash, s.cfg.Sealer.Seal(plain, id), expires, now)
	if err != nil {
		return err
	}
	ch, err := s.change(ctx, &tok, ev)
	if err != nil {
		return err
	}
	err = s.cfg.Store.CreateUser(ctx, u, ch)
	if !errors.Is(err, ErrEmailTaken) {
		return err
	}
	existing, err := s.cfg.Store.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	return s.cfg.Store.UpdateUser(ctx, existing.ID(), func(u *domain.User) (Change, error) {
		plain, tok := s.tokens.issue(PurposeVerify, u.ID(), expires)
		tok.PasswordHash = encoded // replaces the earlier link: only the newest works
		ev := u.RequestVerificationAgain(hash, s.cfg.Sealer.Seal(plain, u.ID()), expires, now)
		if ev.EventType() == domain.TypeVerificationRequested {
			return s.change(ctx, &tok, ev)
		}
		return s.change(ctx, nil, ev)
	})
}

// VerifyEmail consumes a verification token. The password sent with the
// sign-up of that link becomes the account's password; the stored token of a
// sign-up is replaced by every later one, so only the newest link works, and
// once verified no link changes the password again.
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	now := s.cfg.Now()
	t, err := s.tokens.open(token, PurposeVerify, now)
	if err != nil {
		return err
	}
	return s.cfg.Store.ConsumeToken(ctx, PurposeVerify, hashString(t.ID), t.UserID, now, func(u *domain.User, tok Token) (Change, error) {
		if tok.PasswordHash == "" {
			// A link from before links carried their password: whose
			// password the account holds is unknown, so signing up again
			// (a fresh link) is the way in.
			return Change{}, ErrTokenInvalid
		}
		hash, err := domain.NewPasswordHash(tok.PasswordHash)
		if err != nil {
			return Change{}, err
		}
		ev, err := u.VerifyEmail(hash, now)
		if err != nil {
			return Change{}, err
		}
		return s.change(ctx, nil, ev)
	})
}

// Login checks the credentials and opens a session, returning the user and
// the new refresh token. Unknown address and wrong password both give
// ErrBadCredentials after one password hash.
func (s *Service) Login(ctx context.Context, email, password string) (*domain.User, string, error) {
	addr, emailErr := domain.NewEmail(email)
	var u *domain.User
	var err error
	if emailErr == nil {
		u, err = s.cfg.Store.UserByEmail(ctx, addr)
		if err != nil && !errors.Is(err, ErrUserNotFound) {
			return nil, "", err
		}
	}
	encoded := s.dummyHash
	if u != nil {
		encoded = u.PasswordHash().String()
	}
	if len(password) > 4*domain.MaxPasswordLen {
		// Cap the hashed input; the policy never allows longer passwords.
		password = password[:4*domain.MaxPasswordLen]
	}
	ok, err := s.cfg.Hasher.Verify(ctx, encoded, password)
	if err != nil {
		return nil, "", err
	}
	if u == nil || !ok {
		return nil, "", ErrBadCredentials
	}
	if !u.EmailVerified() {
		// Only said after the right password, so it reveals nothing to
		// someone who does not own the account.
		return nil, "", ErrEmailNotVerified
	}
	refresh, err := s.openSession(ctx, u.ID(), s.cfg.NewID())
	if err != nil {
		return nil, "", err
	}
	return u, refresh, nil
}

func (s *Service) openSession(ctx context.Context, userID, familyID string) (string, error) {
	token := randomString(32)
	now := s.cfg.Now()
	err := s.cfg.Sessions.Create(ctx, Session{TokenHash: hashString(token), FamilyID: familyID, UserID: userID,
		ExpiresAt: now.Add(s.cfg.RefreshTTL), FamilyExpiresAt: now.Add(s.cfg.RefreshAbsoluteTTL)})
	return token, err
}

// Refresh rotates a refresh token and returns the user and the new token.
func (s *Service) Refresh(ctx context.Context, refresh string) (*domain.User, string, error) {
	if refresh == "" || len(refresh) > 128 {
		return nil, "", ErrSessionInvalid
	}
	next := randomString(32)
	sess, err := s.cfg.Sessions.Rotate(ctx, hashString(refresh), hashString(next), s.cfg.RefreshTTL)
	if err != nil {
		if errors.Is(err, ErrSessionReused) {
			s.cfg.Log.WarnContext(ctx, "refresh token reused; family revoked", "user_id", sess.UserID, "family", sess.FamilyID)
		}
		return nil, "", err
	}
	u, err := s.cfg.Store.UserByID(ctx, sess.UserID)
	if errors.Is(err, ErrUserNotFound) {
		return nil, "", ErrSessionInvalid
	}
	if err != nil {
		return nil, "", err
	}
	return u, next, nil
}

// Logout revokes the session family of the refresh token.
func (s *Service) Logout(ctx context.Context, refresh string) error {
	if refresh == "" || len(refresh) > 128 {
		return nil
	}
	return s.cfg.Sessions.Revoke(ctx, hashString(refresh))
}

// ForgotPassword queues a reset mail when the address has an account and does
// nothing visible otherwise.
func (s *Service) ForgotPassword(ctx context.Context, email string) error {
	addr, err := domain.NewEmail(email)
	if err != nil {
		return ValidationErrors{{"email", err}}
	}
	now := s.cfg.Now()
	expires := now.Add(ResetTTL)
	u, err := s.cfg.Store.UserByEmail(ctx, addr)
	if errors.Is(err, ErrUserNotFound) {
		// Spend about what the known-account path spends before its write.
		plain, _ := s.tokens.issue(PurposeReset, "unknown", expires)
		_ = s.cfg.Sealer.Seal(plain, "unknown")
		return nil
	}
	if err != nil {
		return err
	}
	return s.cfg.Store.UpdateUser(ctx, u.ID(), func(u *domain.User) (Change, error) {
		plain, tok := s.tokens.issue(PurposeReset, u.ID(), expires)
		ev := u.RequestPasswordReset(s.cfg.Sealer.Seal(plain, u.ID()), expires, now)
		return s.change(ctx, &tok, ev)
	})
}

// ResetPassword consumes a reset token, sets the new password and revokes
// every session of the user.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	return s.setPasswordByToken(ctx, PurposeReset, token, password, (*domain.User).ResetPassword)
}

// setPasswordByToken consumes a token of purpose, sets the password it
// carries through set (the domain's reset or invitation step) and revokes
// every session of the user: a reset and an accepted invitation alike.
func (s *Service) setPasswordByToken(ctx context.Context, purpose Purpose, token, password string,
	set func(u *domain.User, hash domain.PasswordHash, now time.Time) ([]domain.Event, error)) error {
	now := s.cfg.Now()
	t, err := s.tokens.open(token, purpose, now)
	if err != nil {
		return err
	}
	u, err := s.cfg.Store.UserByID(ctx, t.UserID)
	if errors.Is(err, ErrUserNotFound) {
		return ErrTokenInvalid
	}
	if err != nil {
		return err
	}
	pw, err := domain.NewPassword(password, u.Email())
	if err != nil {
		return ValidationErrors{{"password", err}}
	}
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return err
	}
	err = s.cfg.Store.ConsumeToken(ctx, purpose, hashString(t.ID), t.UserID, now, func(u *domain.User, _ Token) (Change, error) {
		evs, err := set(u, hash, now)
		if err != nil {
			return Change{}, err
		}
		return s.change(ctx, nil, evs...)
	})
	if err != nil {
		return err
	}
	return s.cfg.Sessions.RevokeUser(ctx, t.UserID)
}

// ChangePassword replaces the password of a signed-in user after checking the
// current one, revokes every session and opens a fresh one for this client.
func (s *Service) ChangePassword(ctx context.Context, userID, current, next string) (string, error) {
	u, err := s.cfg.Store.UserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	if len(current) > 4*domain.MaxPasswordLen {
		current = current[:4*domain.MaxPasswordLen]
	}
	ok, err := s.cfg.Hasher.Verify(ctx, u.PasswordHash().String(), current)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrBadCredentials
	}
	pw, err := domain.NewPassword(next, u.Email())
	if err != nil {
		return "", ValidationErrors{{"newPassword", err}}
	}
	if next == current {
		return "", ValidationErrors{{"newPassword", domain.ErrPasswordSame}}
	}
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return "", err
	}
	now := s.cfg.Now()
	if err := s.cfg.Store.UpdateUser(ctx, userID, func(u *domain.User) (Change, error) {
		ev, err := u.ChangePassword(hash, domain.PasswordChangedByUser, now)
		if err != nil {
			return Change{}, err
		}
		return s.change(ctx, nil, ev)
	}); err != nil {
		return "", err
	}
	if err := s.cfg.Sessions.RevokeUser(ctx, userID); err != nil {
		return "", err
	}
	return s.openSession(ctx, userID, s.cfg.NewID())
}

// User returns the user with id.
func (s *Service) User(ctx context.Context, id string) (*domain.User, error) {
	return s.cfg.Store.UserByID(ctx, id)
}

// BootstrapAdmin makes sure an administrator with email exists: it creates a
// verified admin, or grants the admin role to an existing account. A verified
// account keeps its password; an unverified one (anyone may have signed it
// up) gets the bootstrap password and counts as verified. It is for the
// operator's env/CLI bootstrap only.
func (s *Service) BootstrapAdmin(ctx context.Context, email, password, name string) (created bool, err error) {
	addr, err := domain.NewEmail(email)
	if err != nil {
		return false, ValidationErrors{{"email", err}}
	}
	if name == "" {
		name = "Administrator"
	}
	n, err := domain.NewName(name)
	if err != nil {
		return false, ValidationErrors{{"name", err}}
	}
	pw, err := domain.NewPassword(password, addr)
	if err != nil {
		return false, ValidationErrors{{"password", err}}
	}
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return false, err
	}
	now := s.cfg.Now()
	promote := func(id string) error {
		return s.cfg.Store.UpdateUser(ctx, id, func(u *domain.User) (Change, error) {
			evs, err := u.BootstrapAdmin(hash, now)
			if err != nil || len(evs) == 0 {
				return Change{}, err
			}
			return s.change(ctx, nil, evs...)
		})
	}
	if existing, err := s.cfg.Store.UserByEmail(ctx, addr); err == nil {
		return false, promote(existing.ID())
	} else if !errors.Is(err, ErrUserNotFound) {
		return false, err
	}
	u, evs, err := domain.RegisterAdmin(s.cfg.NewID(), addr, n, hash, now)
	if err != nil {
		return false, err
	}
	ch, err := s.change(ctx, nil, evs...)
	if err != nil {
		return false, err
	}
	err = s.cfg.Store.CreateUser(ctx, u, ch)
	if errors.Is(err, ErrEmailTaken) {
		// Another instance bootstrapped concurrently.
		existing, err := s.cfg.Store.UserByEmail(ctx, addr)
		if err != nil {
			return false, err
		}
		return false, promote(existing.ID())
	}
	return err == nil, err
}

func (s *Service) hash(ctx context.Context, pw domain.Password) (domain.PasswordHash, error) {
	encoded, err := s.cfg.Hasher.Hash(ctx, pw.Plain())
	if err != nil {
		return domain.PasswordHash{}, err
	}
	return domain.NewPasswordHash(encoded)
}

// change encodes domain events for the outbox, tagging them with the
// request's correlation id, and adds tok when not nil.
func (s *Service) change(ctx context.Context, tok *Token, events ...domain.Event) (Change, error) {
	corr := logging.CorrelationID(ctx)
	if corr == "" {
		corr = logging.RequestID(ctx)
	}
	out := make([]eventstore.EventData, 0, len(events))
	for _, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			return Change{}, fmt.Errorf("identity: encode %s: %w", e.EventType(), err)
		}
		out = append(out, eventstore.EventData{ID: s.cfg.NewID(), Type: e.EventType(), Data: data,
			Metadata: eventstore.Metadata{CorrelationID: corr, UserID: e.AggregateID(), SchemaVersion: 1}})
	}
	return Change{Events: out, Token: tok}, nil
}
