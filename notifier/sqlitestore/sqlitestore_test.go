package sqlitestore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/notifier/sqlitestore"
	"github.com/evshop/shop/notifier/storetest"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, err := sqlitestore.New(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	db := testenv.SQLite(t)
	for range 2 {
		if _, err := sqlitestore.New(context.Background(), db); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReleaseClaims: after a restart that released the claims, a delivery a
// crashed shop had claimed is taken over at once; sent and failed ones stay
// as they were, and so does a claim made after the release.
func TestReleaseClaims(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := sqlitestore.New(ctx, testenv.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	claim := func(key string, at time.Time) error {
		return s.Claim(ctx, notifier.Claim{Key: key, Kind: "order_confirmation", To: "a@example.com", Now: at, Lease: 2 * time.Minute})
	}
	for _, key := range []string{"pending", "sent", "failed"} {
		if err := claim(key, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkSent(ctx, "sent", "m1", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, "failed", "bounced", t0); err != nil {
		t.Fatal(err)
	}
	restart := t0.Add(10 * time.Second) // well inside the lease
	if err := claim("pending", restart); !errors.Is(err, notifier.ErrInFlight) {
		t.Fatalf("claim before the release: %v, want ErrInFlight", err)
	}
	n, err := s.ReleaseClaims(ctx, restart)
	if err != nil || n != 1 {
		t.Fatalf("released %d, %v; want 1", n, err)
	}
	tests := []struct {
		key  string
		want error
	}{
		{"pending", nil},
		{"sent", notifier.ErrAlreadySent},
		{"failed", notifier.ErrAlreadyFailed},
		{"pending", notifier.ErrInFlight}, // claimed again just now: a lease of its own
	}
	for _, tt := range tests {
		if err := claim(tt.key, restart.Add(time.Second)); !errors.Is(err, tt.want) && (err != nil || tt.want != nil) {
			t.Errorf("claim %s after the release: %v, want %v", tt.key, err, tt.want)
		}
	}
}
