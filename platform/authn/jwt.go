package authn

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MaxAccessTTL caps access-token lifetime: a stolen token is useful for at
// most this long, since access tokens are not revocable.
const MaxAccessTTL = 15 * time.Minute

// claims is the access-token payload.
type claims struct {
	jwt.RegisteredClaims
	Email string `json:"email"`
	Roles []Role `json:"roles"`
}

// SignerConfig configures NewSigner.
type SignerConfig struct {
	Keys     *KeySet
	Issuer   string        // e.g. "https://shop.example/api/auth"
	Audience string        // e.g. "evshop"
	TTL      time.Duration // default and maximum MaxAccessTTL
	Now      func() time.Time
}

// Signer issues EdDSA access tokens.
type Signer struct {
	cfg SignerConfig
}

// NewSigner validates cfg and returns a Signer.
func NewSigner(cfg SignerConfig) (*Signer, error) {
	if cfg.Keys == nil || cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("authn: signer needs keys, issuer and audience")
	}
	if cfg.TTL == 0 {
		cfg.TTL = MaxAccessTTL
	}
	if cfg.TTL < 0 || cfg.TTL > MaxAccessTTL {
		return nil, fmt.Errorf("authn: access token TTL %s must be in (0, %s]", cfg.TTL, MaxAccessTTL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Signer{cfg: cfg}, nil
}

// TTL is the lifetime of issued tokens.
func (s *Signer) TTL() time.Duration { return s.cfg.TTL }

// Sign issues a token for p with a fresh jti; it returns the token and its expiry.
func (s *Signer) Sign(p Principal) (string, time.Time, error) {
	if p.UserID == "" {
		return "", time.Time{}, errors.New("authn: principal without user id")
	}
	now := s.cfg.Now().Truncate(time.Second)
	exp := now.Add(s.cfg.TTL)
	key := s.cfg.Keys.signing()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.cfg.Issuer,
			Subject:   p.UserID,
			Audience:  jwt.ClaimStrings{s.cfg.Audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
		},
		Email: p.Email,
		Roles: p.Roles,
	})
	tok.Header["kid"] = key.ID
	signed, err := tok.SignedString(key.priv)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("authn: sign: %w", err)
	}
	return signed, exp, nil
}

// KeySource finds the verification key of a kid: a local KeySet or a JWKS
// fetched from the auth service.
type KeySource interface {
	VerificationKey(kid string) (ed25519.PublicKey, error)
}

// VerifierConfig configures NewVerifier.
type VerifierConfig struct {
	Keys     KeySource
	Issuer   string
	Audience string
	Leeway   time.Duration // clock skew tolerated; default 30s
	Now      func() time.Time
}

// JWTVerifier implements Verifier for EdDSA access tokens.
type JWTVerifier struct {
	cfg    VerifierConfig
	parser *jwt.Parser

	// seen remembers the tokens verified lately: every request of a
	// session carries the same token for up to 15 minutes, and checking an
	// Ed25519 signature and decoding the claims took 6% of the one-process
	// shop's CPU under load. A remembered token still passes only while it
	// has not expired and its kid still maps to the same key (a key
	// rotated out ends its tokens as before).
	mu   sync.Mutex
	seen map[string]verified
}

type verified struct {
	p       Principal
	kid     string
	key     ed25519.PublicKey
	expires time.Time // exp plus the leeway
}

// maxSeen bounds the remembered tokens; the memory starts over when full.
const maxSeen = 16384

// NewVerifier validates cfg and returns a verifier.
func NewVerifier(cfg VerifierConfig) (*JWTVerifier, error) {
	if cfg.Keys == nil || cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("authn: verifier needs keys, issuer and audience")
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &JWTVerifier{cfg: cfg, parser: jwt.NewParser(
		// Pinning the algorithm is what defeats "alg: none" and the
		// HS256-with-the-public-key confusion: nothing but EdDSA is parsed.
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(cfg.Now),
		jwt.WithStrictDecoding(),
	)}, nil
}

// Verify implements Verifier. Every failure is ErrInvalidToken (the reason is
// wrapped for logs, never sent to the caller).
func (v *JWTVerifier) Verify(token string) (Principal, error) {
	if p, ok := v.remembered(token); ok {
		return p, nil
	}
	var c claims
	var kid string
	var key ed25519.PublicKey
	_, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodEd25519); !ok {
			return nil, fmt.Errorf("unexpected method %v", t.Header["alg"])
		}
		kid, _ = t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("no kid")
		}
		k, err := v.cfg.Keys.VerificationKey(kid)
		key = k
		return k, err
	})
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if c.Subject == "" || c.IssuedAt == nil || c.ExpiresAt.Sub(c.IssuedAt.Time) > MaxAccessTTL {
		return Principal{}, fmt.Errorf("%w: subject or lifetime", ErrInvalidToken)
	}
	for _, r := range c.Roles {
		if !slices.Contains([]Role{RoleCustomer, RoleSupport, RoleAdmin}, r) {
			return Principal{}, fmt.Errorf("%w: role %q", ErrInvalidToken, r)
		}
	}
	p := Principal{UserID: c.Subject, Email: c.Email, Roles: c.Roles}
	v.remember(token, verified{p: p, kid: kid, key: key, expires: c.ExpiresAt.Add(v.cfg.Leeway)})
	return p, nil
}

// remembered is the principal of a token verified before that is still
// within its lifetime and signed by a key still in use.
func (v *JWTVerifier) remembered(token string) (Principal, bool) {
	v.mu.Lock()
	e, ok := v.seen[token]
	v.mu.Unlock()
	if !ok || !v.cfg.Now().Before(e.expires) {
		return Principal{}, false
	}
	if k, err := v.cfg.Keys.VerificationKey(e.kid); err != nil || !k.Equal(e.key) {
		return Principal{}, false
	}
	p := e.p
	p.Roles = slices.Clone(p.Roles)
	return p, true
}

func (v *JWTVerifier) remember(token string, e verified) {
	if e.key == nil || e.expires.IsZero() {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil || len(v.seen) >= maxSeen {
		v.seen = make(map[string]verified, 1024)
	}
	e.p.Roles = slices.Clone(e.p.Roles)
	v.seen[token] = e
}
