// Package sqlitestore is the rate limiter of the durable embedded shop: the
// fixed windows of ratelimit.Memory, kept in the shop's SQLite database
// (table ratelimit_windows, reset times in Unix nanoseconds) so a restart
// does not hand an attacker a fresh set of login attempts.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// sweepEvery is how many calls pass between two deletions of expired
// windows, so a spray of distinct keys cannot grow the table without bound.
const sweepEvery = 1024

// Limiter implements ratelimit.Limiter on SQLite.
type Limiter struct {
	db    *sqlite.DB
	now   func() time.Time
	calls atomic.Int64
}

// New applies the "ratelimit" migrations and returns the limiter; now may be
// nil (time.Now).
func New(ctx context.Context, db *sqlite.DB, now func() time.Time) (*Limiter, error) {
	if err := sqlite.MigrateEmbedded(ctx, db, "ratelimit", migrations, "migrations"); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{db: db, now: now}, nil
}

// Allow implements ratelimit.Limiter: one upsert counts the call, starting a
// new window when the stored one has ended.
func (l *Limiter) Allow(ctx context.Context, key string, limit ratelimit.Limit) (ratelimit.Result, error) {
	if err := limit.Validate(); err != nil {
		return ratelimit.Result{}, err
	}
	now := l.now().UTC().UnixNano()
	var count int
	var reset int64
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		if l.calls.Add(1)%sweepEvery == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM ratelimit_windows WHERE reset_at <= ?`, now); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `INSERT INTO ratelimit_windows (key, count, reset_at) VALUES (?1, 1, ?2 + ?3)
			ON CONFLICT (key) DO UPDATE SET
				count    = CASE WHEN reset_at <= ?2 THEN 1 ELSE count + 1 END,
				reset_at = CASE WHEN reset_at <= ?2 THEN ?2 + ?3 ELSE reset_at END
			RETURNING count, reset_at`, ratelimit.HashKey(key), now, limit.Window.Nanoseconds()).Scan(&count, &reset)
	})
	if err != nil {
		return ratelimit.Result{}, fmt.Errorf("ratelimit: sqlite: %w", err)
	}
	return ratelimit.Decide(count, limit, time.Duration(reset-now)), nil
}
