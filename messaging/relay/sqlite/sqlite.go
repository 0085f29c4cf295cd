// Package sqlite keeps the relay's checkpoints in the embedded database
// (platform/sqlite) and elects the active relay with a lease row.
//
// SQLite has no sessions whose death frees a lock the way a PostgreSQL
// advisory lock is freed, and the file may be opened by more than one
// process (two shops started on one data directory by mistake, shopctl). So
// a lease is a row in relay_leases naming its owner and an expiry; the
// holder renews it every RenewInterval, and anyone may take a row whose
// expiry has passed. A holder that cannot renew before its expiry, or finds
// the row taken, reports the lease lost. Leases compare wall-clock times of
// the processes sharing the file, which are on one machine.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/messaging/relay"
	sqlitedb "github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the tables of this package (component "relay").
func Migrate(ctx context.Context, db *sqlitedb.DB) error {
	return sqlitedb.MigrateEmbedded(ctx, db, "relay", migrations, "migrations")
}

// Checkpoints is the SQLite CheckpointStore.
type Checkpoints struct{ db *sqlitedb.DB }

// NewCheckpoints returns a store on db (run Migrate first).
func NewCheckpoints(db *sqlitedb.DB) *Checkpoints { return &Checkpoints{db: db} }

// Load returns the checkpoint of name, 0 if none.
func (c *Checkpoints) Load(ctx context.Context, name string) (uint64, error) {
	var pos int64
	err := c.db.Read.QueryRowContext(ctx, `SELECT position FROM relay_checkpoints WHERE name = ?`, name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("relay/sqlite: load checkpoint: %w", err)
	}
	return uint64(pos), nil
}

// Save raises the checkpoint of name to position (never lowers it).
func (c *Checkpoints) Save(ctx context.Context, name string, position uint64) error {
	if position > math.MaxInt64 {
		return fmt.Errorf("relay/sqlite: position %d out of range", position)
	}
	return c.db.Tx(ctx, func(tx *sql.Tx) error { return SaveIn(ctx, tx, name, position) })
}

// SaveIn raises the checkpoint inside tx, so a consumer storing its effects
// in the same database can commit them and its checkpoint together.
func SaveIn(ctx context.Context, tx *sql.Tx, name string, position uint64) error {
	if position > math.MaxInt64 {
		return fmt.Errorf("relay/sqlite: position %d out of range", position)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO relay_checkpoints (name, position, updated_at) VALUES (?1, ?2, ?3)
		ON CONFLICT (name) DO UPDATE SET position = max(position, excluded.position), updated_at = excluded.updated_at`,
		name, int64(position), sqlitedb.FormatTime(time.Now()))
	if err != nil {
		return fmt.Errorf("relay/sqlite: save checkpoint: %w", err)
	}
	return nil
}

// LockerConfig tunes a Locker.
type LockerConfig struct {
	// TTL is how long a lease outlives its holder's last renewal; a
	// standby takes over at most this long after the holder died.
	// Default 10s.
	TTL time.Duration
	// RenewInterval is how often the holder renews; default TTL/3.
	RenewInterval time.Duration
	// RetryInterval is how often a standby tries to take the lease;
	// default 1s.
	RetryInterval time.Duration
}

// Locker elects the active relay with a lease row per name.
type Locker struct {
	db  *sqlitedb.DB
	cfg LockerConfig
}

// NewLocker returns a locker on db (run Migrate first).
func NewLocker(db *sqlitedb.DB, cfg LockerConfig) *Locker {
	if cfg.TTL <= 0 {
		cfg.TTL = 10 * time.Second
	}
	if cfg.RenewInterval <= 0 || cfg.RenewInterval >= cfg.TTL {
		cfg.RenewInterval = cfg.TTL / 3
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = time.Second
	}
	return &Locker{db: db, cfg: cfg}
}

// Acquire blocks until this process holds the lease of name or ctx ends.
func (l *Locker) Acquire(ctx context.Context, name string) (relay.Lease, error) {
	owner := uuid.NewString() // per lease: a second Acquire never re-enters
	for {
		expires, ok, err := l.claim(ctx, name, owner)
		if err == nil && ok {
			ls := &lease{l: l, name: name, owner: owner, expires: expires,
				lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
			go ls.renew()
			return ls, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		t := time.NewTimer(l.cfg.RetryInterval)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

// claim takes or renews the lease row for owner: it succeeds when the row is
// absent, expired, or already owner's. It reports the new expiry.
func (l *Locker) claim(ctx context.Context, name, owner string) (time.Time, bool, error) {
	now := time.Now()
	expires := now.Add(l.cfg.TTL)
	var n int64
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO relay_leases (name, owner, expires_at) VALUES (?1, ?2, ?3)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
			WHERE relay_leases.owner = excluded.owner OR relay_leases.expires_at < ?4`,
			name, owner, sqlitedb.FormatTime(expires), sqlitedb.FormatTime(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("relay/sqlite: claim lease %s: %w", name, err)
	}
	return expires, n == 1, nil
}

type lease struct {
	l           *Locker
	name, owner string
	expires     time.Time // touched only by renew, then by Release after it ended
	lost        chan struct{}
	stop        chan struct{}
	done        chan struct{}
	once        sync.Once
}

// renew keeps the lease alive until Release, or reports it lost when the row
// was taken or could not be renewed before it expired.
func (ls *lease) renew() {
	defer close(ls.done)
	t := time.NewTicker(ls.l.cfg.RenewInterval)
	defer t.Stop()
	for {
		select {
		case <-ls.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithDeadline(context.Background(), ls.expires)
		expires, ok, err := ls.l.claim(ctx, ls.name, ls.owner)
		cancel()
		switch {
		case err == nil && ok:
			ls.expires = expires
		case err == nil || !time.Now().Before(ls.expires):
			// Taken by another owner, or expired while we could not renew.
			close(ls.lost)
			return
		}
	}
}

func (ls *lease) Lost() <-chan struct{} { return ls.lost }

// Release stops renewing and deletes the row if it is still ours, so a
// standby takes over at its next try instead of after the TTL.
func (ls *lease) Release(ctx context.Context) error {
	var err error
	ls.once.Do(func() {
		close(ls.stop)
		<-ls.done
		err = ls.l.db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM relay_leases WHERE name = ? AND owner = ?`, ls.name, ls.owner)
			return err
		})
		if err != nil {
			err = fmt.Errorf("relay/sqlite: release lease %s: %w", ls.name, err)
		}
	})
	return err
}
