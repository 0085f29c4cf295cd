package authn_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/testenv"
)

// jwksServer serves keys, fails with 503 or hangs (until the test ends), as
// mode says, and counts the requests it got.
type jwksServer struct {
	mode atomic.Value // "ok", "fail", "hang"
	hits atomic.Int32
	url  string
	kid  string
}

func newJWKSServer(t *testing.T, mode string) *jwksServer {
	t.Helper()
	keys, _, _ := setup(t, nil)
	set := keys.JWKS()
	s := &jwksServer{kid: set.Keys[0].Kid}
	s.mode.Store(mode)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		switch s.mode.Load() {
		case "fail":
			http.Error(w, "down", http.StatusServiceUnavailable)
		case "hang":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		default:
			_ = json.NewEncoder(w).Encode(set)
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	s.url = srv.URL
	return s
}

// settled waits until no fetch is in flight (the outcome is recorded).
func settled(t *testing.T, r *authn.RemoteJWKS) authn.JWKSStatus {
	t.Helper()
	for range 2000 {
		if st := r.Status(); !st.Refreshing {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the JWKS fetch never ended")
	return authn.JWKSStatus{}
}

func newRemote(t *testing.T, url string, clock *testenv.Clock) *authn.RemoteJWKS {
	t.Helper()
	r, err := authn.NewRemoteJWKS(authn.RemoteJWKSConfig{URL: url, Now: clock.Now, MaxAge: time.Minute, MinRefetch: time.Hour,
		FetchTimeout: time.Minute, MinBackoff: time.Second, MaxBackoff: 4 * time.Second, Client: &http.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestJWKSRefreshNeverBlocksTokenChecks: once keys are cached, a refresh
// against an auth service that hangs neither delays token checks nor runs
// more than once at a time.
func TestJWKSRefreshNeverBlocksTokenChecks(t *testing.T) {
	t.Parallel()
	srv := newJWKSServer(t, "ok")
	clock := testenv.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r := newRemote(t, srv.url, clock)
	if _, err := r.VerificationKey(srv.kid); err != nil {
		t.Fatalf("first fetch: %v", err)
	}
	srv.mode.Store("hang")
	clock.Advance(2 * time.Minute) // the set is stale: the next checks start a refresh
	done := make(chan error, 1)
	go func() {
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.VerificationKey(srv.kid); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		done <- <-errs // nil when none failed
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("a check during the refresh failed: %v", err)
		}
	case <-time.After(20 * time.Second): // a watchdog, far above any fair answer
		t.Fatal("token checks waited for the hanging JWKS fetch")
	}
	if !r.Status().Refreshing {
		t.Fatal("no refresh was started for the stale set")
	}
	for i := 0; srv.hits.Load() < 2 && i < 2000; i++ {
		time.Sleep(5 * time.Millisecond) // the refresh reaching the server
	}
	for range 50 {
		if _, err := r.VerificationKey(srv.kid); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("%d JWKS requests, want 2 (the first fetch and one refresh for 50 checks)", n)
	}
}

// TestJWKSBacksOffWhenFailing: failed refreshes are retried after 1s, 2s,
// 4s, 4s…, not on every token check, and the cached keys keep serving; a
// failing first fetch is not retried by every caller either.
func TestJWKSBacksOffWhenFailing(t *testing.T) {
	t.Parallel()
	t.Run("cached keys", func(t *testing.T) {
		t.Parallel()
		srv := newJWKSServer(t, "ok")
		clock := testenv.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		r := newRemote(t, srv.url, clock)
		if _, err := r.VerificationKey(srv.kid); err != nil {
			t.Fatal(err)
		}
		srv.mode.Store("fail")
		clock.Advance(2 * time.Minute)
		steps := []struct {
			advance  time.Duration
			wantHits int32
		}{
			{0, 2},                      // stale: one refresh, fails (retry in 1s)
			{500 * time.Millisecond, 2}, // within the backoff
			{500 * time.Millisecond, 3}, // 1s: retried, fails again (retry in 2s)
			{1500 * time.Millisecond, 3},
			{500 * time.Millisecond, 4}, // 2s: retried (retry in 4s)
			{3 * time.Second, 4},
			{time.Second, 5}, // 4s: retried (retry in 4s, the cap)
			{4 * time.Second, 6},
		}
		for i, st := range steps {
			clock.Advance(st.advance)
			for range 10 {
				if _, err := r.VerificationKey(srv.kid); err != nil {
					t.Fatalf("step %d: the cached key was not served: %v", i, err)
				}
			}
			settled(t, r)
			if n := srv.hits.Load(); n != st.wantHits {
				t.Fatalf("step %d: %d JWKS requests, want %d", i, n, st.wantHits)
			}
		}
		srv.mode.Store("ok")
		clock.Advance(4 * time.Second)
		if _, err := r.VerificationKey(srv.kid); err != nil {
			t.Fatal(err)
		}
		if st := settled(t, r); st.Failures != 0 || !st.FetchedAt.Equal(clock.Now()) {
			t.Fatalf("after recovery: %+v", st)
		}
	})
	t.Run("nothing cached yet", func(t *testing.T) {
		t.Parallel()
		srv := newJWKSServer(t, "fail")
		clock := testenv.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		r := newRemote(t, srv.url, clock)
		for range 5 {
			if _, err := r.VerificationKey(srv.kid); err == nil || errors.Is(err, authn.ErrUnknownKey) {
				t.Fatalf("no keys yet: err = %v, want the fetch error", err)
			}
		}
		if n := srv.hits.Load(); n != 1 {
			t.Fatalf("%d JWKS requests while backing off, want 1", n)
		}
		srv.mode.Store("ok")
		clock.Advance(time.Second)
		if _, err := r.VerificationKey(srv.kid); err != nil {
			t.Fatalf("after the backoff: %v", err)
		}
	})
}
