package memstore

import (
	"context"
	"errors"
	"sync"
	"time"

	ident "github.com/evshop/shop/commands/identity"
)

// Sessions implements identity.Sessions in memory.
type Sessions struct {
	mu       sync.Mutex
	now      func() time.Time
	tokens   map[string]memToken  // by token hash
	families map[string]memFamily // by family id
	creates  int
}

type memToken struct {
	family  string
	used    bool
	expires time.Time
}

type memFamily struct {
	user    string
	revoked bool
	expires time.Time // sliding: the newest token's end
	ends    time.Time // absolute
}

// NewSessions returns an empty session store; now may be nil (time.Now).
func NewSessions(now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{now: now, tokens: map[string]memToken{}, families: map[string]memFamily{}}
}

// Create implements identity.Sessions.
func (s *Sessions) Create(ctx context.Context, sess ident.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if sess.FamilyExpiresAt.IsZero() {
		return errors.New("memstore: a session family needs its absolute end")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.creates++; s.creates%256 == 0 {
		s.sweep()
	}
	exp := earlier(sess.ExpiresAt, sess.FamilyExpiresAt)
	s.families[sess.FamilyID] = memFamily{user: sess.UserID, expires: exp, ends: sess.FamilyExpiresAt}
	s.tokens[sess.TokenHash] = memToken{family: sess.FamilyID, expires: exp}
	return nil
}

// Rotate implements identity.Sessions.
func (s *Sessions) Rotate(ctx context.Context, oldHash, newHash string, ttl time.Duration) (ident.Session, error) {
	if err := ctx.Err(); err != nil {
		return ident.Session{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	t, ok := s.tokens[oldHash]
	if !ok || !now.Before(t.expires) {
		return ident.Session{}, ident.ErrSessionInvalid
	}
	f, ok := s.families[t.family]
	if !ok || f.revoked || !now.Before(f.expires) || !now.Before(f.ends) {
		return ident.Session{}, ident.ErrSessionInvalid
	}
	if t.used {
		f.revoked = true
		s.families[t.family] = f
		return ident.Session{FamilyID: t.family, UserID: f.user}, ident.ErrSessionReused
	}
	exp := earlier(now.Add(ttl), f.ends)
	t.used = true
	t.expires = exp // the used marker lives as long as the family, to catch reuse
	s.tokens[oldHash] = t
	f.expires = exp
	s.families[t.family] = f
	s.tokens[newHash] = memToken{family: t.family, expires: exp}
	return ident.Session{TokenHash: newHash, FamilyID: t.family, UserID: f.user, ExpiresAt: exp, FamilyExpiresAt: f.ends}, nil
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Revoke implements identity.Sessions.
func (s *Sessions) Revoke(ctx context.Context, tokenHash string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenHash]; ok {
		if f, ok := s.families[t.family]; ok {
			f.revoked = true
			s.families[t.family] = f
		}
	}
	return nil
}

// RevokeUser implements identity.Sessions.
func (s *Sessions) RevokeUser(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, f := range s.families {
		if f.user == userID {
			f.revoked = true
			s.families[id] = f
		}
	}
	return nil
}

// sweep drops expired entries so the maps stay bounded (run every 256
// logins, so its O(n) cost is amortised); s.mu is held.
func (s *Sessions) sweep() {
	now := s.now()
	for h, t := range s.tokens {
		if !now.Before(t.expires) {
			delete(s.tokens, h)
		}
	}
	for id, f := range s.families {
		if !now.Before(earlier(f.expires, f.ends)) {
			delete(s.families, id)
		}
	}
}
