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
	// MaxAge is how long a fetched set is trusted before it is refreshed
	// (in the background: the cached keys keep serving); default 10 minutes.
	MaxAge time.Duration
	// MinRefetch bounds refetches triggered by unknown kids, so forged kids
	// cannot turn every request into a call to the auth service; default 30s.
	MinRefetch time.Duration
	// FetchTimeout bounds one fetch; default 5s.
	FetchTimeout time.Duration
	// After a failed fetch the next waits MinBackoff, doubling with every
	// further failure up to MaxBackoff; defaults 1s and 5 minutes.
	MinBackoff, MaxBackoff time.Duration
	Now                    func() time.Time
}

// RemoteJWKS is a KeySource that fetches and caches the auth service's JWKS,
// for services running as their own binaries. Token checks never wait for
// the auth service once a set is cached: refreshes run in the background,
// one at a time, and back off while the auth service fails.
type RemoteJWKS struct {
	cfg       RemoteJWKSConfig
	mu        sync.Mutex
	keys      map[string]ed25519.PublicKey
	fetchedAt time.Time
	inflight  chan struct{} // closed when the running fetch ends; nil when none runs
	lastErr   error
	failures  int       // consecutive failed fetches
	retryAt   time.Time // no fetch before this while failing
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
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = 5 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(cfg.MinBackoff, 5*time.Minute)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &RemoteJWKS{cfg: cfg}, nil
}

// VerificationKey implements KeySource. A stale set, or an unknown kid (at
// most every MinRefetch: that is how a rotated-in key becomes known), starts
// a background refresh; the answer comes from the cached set at once. Only
// before any set was fetched does a caller wait, for the one fetch in flight.
func (r *RemoteJWKS) VerificationKey(kid string) (ed25519.PublicKey, error) {
	r.mu.Lock()
	now := r.cfg.Now()
	_, known := r.keys[kid]
	stale := r.keys == nil || now.Sub(r.fetchedAt) > r.cfg.MaxAge
	if (stale || (!known && now.Sub(r.fetchedAt) > r.cfg.MinRefetch)) && !now.Before(r.retryAt) {
		r.startLocked()
	}
	if r.keys != nil {
		// On a failed refresh the previous keys stay in use: a brief auth
		// outage must not log every user out of every service.
		k, ok := r.keys[kid]
		r.mu.Unlock()
		if !ok {
			return nil, ErrUnknownKey
		}
		return k, nil
	}
	wait, lastErr := r.inflight, r.lastErr
	r.mu.Unlock()
	if wait == nil { // backing off after a failed first fetch
		return nil, lastErr
	}
	<-wait
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys == nil {
		return nil, r.lastErr
	}
	if k, ok := r.keys[kid]; ok {
		return k, nil
	}
	return nil, ErrUnknownKey
}

// startLocked starts a background fetch unless one is running; r.mu is held.
func (r *RemoteJWKS) startLocked() {
	if r.inflight != nil {
		return
	}
	done := make(chan struct{})
	r.inflight = done
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), r.cfg.FetchTimeout)
		keys, err := r.fetch(ctx)
		cancel()
		r.mu.Lock()
		r.recordLocked(keys, err)
		r.inflight = nil
		r.mu.Unlock()
	}()
}

// recordLocked keeps a fetch's outcome; r.mu is held.
func (r *RemoteJWKS) recordLocked(keys map[string]ed25519.PublicKey, err error) {
	now := r.cfg.Now()
	if err == nil {
		r.keys, r.fetchedAt = keys, now
		r.failures, r.retryAt, r.lastErr = 0, time.Time{}, nil
		return
	}
	r.failures++
	r.lastErr = err
	wait := r.cfg.MinBackoff
	for i := 1; i < r.failures && wait < r.cfg.MaxBackoff; i++ {
		wait *= 2
	}
	r.retryAt = now.Add(min(wait, r.cfg.MaxBackoff))
}

// JWKSStatus is the state of a RemoteJWKS, for readiness checks and tests.
type JWKSStatus struct {
	FetchedAt  time.Time // of the set in use; zero before the first success
	Refreshing bool      // a fetch is in flight
	Failures   int       // consecutive failed fetches
	RetryAt    time.Time // while failing: no fetch before this
	LastErr    error
}

// Status reports the cache's state.
func (r *RemoteJWKS) Status() JWKSStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return JWKSStatus{FetchedAt: r.fetchedAt, Refreshing: r.inflight != nil, Failures: r.failures, RetryAt: r.retryAt, LastErr: r.lastErr}
}

// Refresh fetches the set now and waits for it (readiness checks, start-up).
func (r *RemoteJWKS) Refresh(ctx context.Context) error {
	keys, err := r.fetch(ctx)
	r.mu.Lock()
	r.recordLocked(keys, err)
	r.mu.Unlock()
	return err
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
