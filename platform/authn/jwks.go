package authn

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// RemoteJWKSConfig configures NewRemoteJWKS.
type RemoteJWKSConfig struct {
	URL string // e.g. http://auth:8080/api/auth/.well-known/jwks.json
	// Client defaults to one with a 5s timeout.
	Client *http.Client
	// MaxAge is how long a fetched set is trusted; default 10 minutes.
	MaxAge time.Duration
	// MinRefetch bounds refetches triggered by unknown kids, so forged kids
	// cannot turn every request into a call to the auth service; default 30s.
	MinRefetch time.Duration
	Now        func() time.Time
}

// RemoteJWKS is a KeySource that fetches and caches the auth service's JWKS,
// for services running as their own binaries.
type RemoteJWKS struct {
	cfg       RemoteJWKSConfig
	mu        sync.Mutex
	keys      map[string]ed25519.PublicKey
	fetchedAt time.Time
}

// NewRemoteJWKS validates cfg; keys are fetched lazily on first use.
func NewRemoteJWKS(cfg RemoteJWKSConfig) (*RemoteJWKS, error) {
	if cfg.URL == "" {
		return nil, errors.New("authn: JWKS URL required")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 10 * time.Minute
	}
	if cfg.MinRefetch <= 0 {
		cfg.MinRefetch = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &RemoteJWKS{cfg: cfg}, nil
}

// VerificationKey implements KeySource. An unknown kid triggers one refetch
// (rate limited): that is how a rotated-in key becomes known.
func (r *RemoteJWKS) VerificationKey(kid string) (ed25519.PublicKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	stale := r.keys == nil || now.Sub(r.fetchedAt) > r.cfg.MaxAge
	_, known := r.keys[kid]
	if stale || (!known && now.Sub(r.fetchedAt) > r.cfg.MinRefetch) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		keys, err := r.fetch(ctx)
		cancel()
		if err == nil {
			r.keys, r.fetchedAt = keys, now
		} else if r.keys == nil {
			return nil, err
		}
		// On a failed refresh the previous keys stay in use: a brief auth
		// outage must not log every user out of every service.
	}
	if k, ok := r.keys[kid]; ok {
		return k, nil
	}
	return nil, ErrUnknownKey
}

// Refresh fetches the set now (readiness checks, start-up).
func (r *RemoteJWKS) Refresh(ctx context.Context) error {
	keys, err := r.fetch(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.keys, r.fetchedAt = keys, r.cfg.Now()
	r.mu.Unlock()
	return nil
}

func (r *RemoteJWKS) fetch(ctx context.Context) (map[string]ed25519.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.cfg.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("authn: JWKS request: %w", err)
	}
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("authn: JWKS fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("authn: JWKS fetch: status %d", resp.StatusCode)
	}
	var set JWKSet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("authn: JWKS decode: %w", err)
	}
	keys := map[string]ed25519.PublicKey{}
	for _, j := range set.Keys {
		// Keys of other types are skipped, not fatal: the set may one day
		// carry keys for other uses.
		if pub, err := j.PublicKey(); err == nil {
			keys[j.Kid] = pub
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("authn: JWKS holds no Ed25519 key")
	}
	return keys, nil
}
