// Package postgres keeps the relay's checkpoints in PostgreSQL and elects the
// active relay with a session advisory lock held on a dedicated connection:
// when that connection dies the server releases the lock and a standby takes
// over.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/messaging/relay"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the checkpoint table.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return pg.Migrate(ctx, pool, "relay", sub)
}

// Checkpoints is the PostgreSQL CheckpointStore.
type Checkpoints struct{ pool *pgxpool.Pool }

// NewCheckpoints returns a store on pool (run Migrate first).
func NewCheckpoints(pool *pgxpool.Pool) *Checkpoints { return &Checkpoints{pool: pool} }

// Load returns the checkpoint of name, 0 if none.
func (c *Checkpoints) Load(ctx context.Context, name string) (uint64, error) {
	var pos int64
	err := c.pool.QueryRow(ctx, `SELECT position FROM relay_checkpoints WHERE name = $1`, name).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("relay/postgres: load checkpoint: %w", err)
	}
	return uint64(pos), nil
}

// Save raises the checkpoint of name to position (never lowers it).
func (c *Checkpoints) Save(ctx context.Context, name string, position uint64) error {
	if position > math.MaxInt64 {
		return fmt.Errorf("relay/postgres: position %d out of range", position)
	}
	_, err := c.pool.Exec(ctx, `INSERT INTO relay_checkpoints (name, position) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET position = GREATEST(relay_checkpoints.position, EXCLUDED.position), updated_at = now()`,
		name, int64(position))
	if err != nil {
		return fmt.Errorf("relay/postgres: save checkpoint: %w", err)
	}
	return nil
}

// LockerConfig tunes a Locker.
type LockerConfig struct {
	// RetryInterval is how often a standby tries the lock; default 1s.
	RetryInterval time.Duration
	// HealthInterval is how often the leader checks its connection; default 2s.
	HealthInterval time.Duration
}

// Locker elects the active relay with pg_try_advisory_lock on a connection
// taken out of the pool for as long as the lease lives.
type Locker struct {
	pool *pgxpool.Pool
	cfg  LockerConfig
}

// NewLocker returns a locker on pool.
func NewLocker(pool *pgxpool.Pool, cfg LockerConfig) *Locker {
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = time.Second
	}
	if cfg.HealthInterval <= 0 {
		cfg.HealthInterval = 2 * time.Second
	}
	return &Locker{pool: pool, cfg: cfg}
}

func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("relay:" + name))
	return int64(h.Sum64())
}

// Acquire blocks until this process holds the lock of name or ctx ends.
func (l *Locker) Acquire(ctx context.Context, name string) (relay.Lease, error) {
	key := lockKey(name)
	for {
		conn, err := l.dedicated(ctx)
		if err == nil {
			var ok bool
			err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok)
			if err == nil && ok {
				return l.lease(conn, key), nil
			}
			conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck
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

// Held tells whether some session of this database holds the lock of name:
// whether the relay (or catch-up runner) name has a leader anywhere. The
// ops alerts ask it. An advisory lock on a bigint key shows in pg_locks as
// its high and low 32 bits (classid, objid) with objsubid 1.
func (l *Locker) Held(ctx context.Context, name string) (bool, error) {
	key := uint64(lockKey(name))
	var held bool
	err := l.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1
		  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND classid::bigint = $1 AND objid::bigint = $2)`, int64(key>>32), int64(key&math.MaxUint32)).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("relay lease %s: %w", name, err)
	}
	return held, nil
}

// dedicated takes a connection out of the pool: the lock lives as long as
// this session, so the pool must never hand it to anyone else.
func (l *Locker) dedicated(ctx context.Context) (*pgx.Conn, error) {
	c, err := l.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return c.Hijack(), nil
}

type lease struct {
	conn *pgx.Conn
	key  int64
	lost chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func (l *Locker) lease(conn *pgx.Conn, key int64) *lease {
	ls := &lease{conn: conn, key: key, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go ls.watch(l.cfg.HealthInterval)
	return ls
}

// watch pings the lock's connection: if it fails the server has dropped (or
// will drop) the session and its lock, so the lease is lost.
func (ls *lease) watch(every time.Duration) {
	defer close(ls.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ls.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), every)
			err := ls.conn.Ping(ctx)
			cancel()
			if err != nil {
				close(ls.lost)
				return
			}
		}
	}
}

func (ls *lease) Lost() <-chan struct{} { return ls.lost }

// Release unlocks and closes the dedicated connection (closing alone would
// release the lock too; unlocking first makes the hand-over immediate even if
// the close lingers).
func (ls *lease) Release(ctx context.Context) error {
	var err error
	ls.once.Do(func() {
		close(ls.stop)
		<-ls.done
		select {
		case <-ls.lost:
		default:
			_, err = ls.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, ls.key)
		}
		err = errors.Join(err, ls.conn.Close(ctx))
	})
	return err
}
