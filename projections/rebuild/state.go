package rebuild

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/platform/pg"
)

// procLocks are rebuild locks that exclude the runners of one process.
type procLocks struct {
	mu     sync.Mutex
	locked map[string]bool
}

func (l *procLocks) lock(name string) (func(), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locked[name] {
		return nil, fmt.Errorf("%w: %s", ErrBusy, name)
	}
	if l.locked == nil {
		l.locked = map[string]bool{}
	}
	l.locked[name] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.locked, name)
			l.mu.Unlock()
		})
	}, nil
}

func (l *procLocks) isLocked(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.locked[name]
}

// MemoryState is the in-process StateStore (embedded shop, tests). Its lock
// only excludes runners of the same process, which is all there is then.
type MemoryState struct {
	locks procLocks
	mu    sync.Mutex
	saved map[string]Progress
}

// NewMemoryState returns an empty state store.
func NewMemoryState() *MemoryState {
	return &MemoryState{saved: map[string]Progress{}}
}

// Lock implements StateStore.
func (m *MemoryState) Lock(_ context.Context, name string) (func(), error) { return m.locks.lock(name) }

// Locked implements StateStore.
func (m *MemoryState) Locked(_ context.Context, name string) (bool, error) {
	return m.locks.isLocked(name), nil
}

// Save implements StateStore.
func (m *MemoryState) Save(_ context.Context, p Progress) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved[p.Name] = p
	return nil
}

// Load implements StateStore.
func (m *MemoryState) Load(_ context.Context, name string) (Progress, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.saved[name]
	return p, ok, nil
}

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component of the Postgres state store.
const Component = "projections.rebuild"

// PostgresState is the server-mode StateStore: progress rows in
// projection_rebuilds and a session-level advisory lock per projection held
// on a dedicated connection for the whole rebuild, so the lock is released
// by PostgreSQL itself when the process dies or its connection drops.
type PostgresState struct{ pool *pgxpool.Pool }

// NewPostgresState applies the migrations and returns the store.
func NewPostgresState(ctx context.Context, pool *pgxpool.Pool) (*PostgresState, error) {
	if pool == nil {
		return nil, errors.New("rebuild: pool is required")
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := pg.Migrate(ctx, pool, Component, sub); err != nil {
		return nil, err
	}
	return &PostgresState{pool: pool}, nil
}

// lockClass keeps our advisory locks apart from other users of the
// two-integer lock space (pg_advisory_lock(int, int)).
const lockClass = 0x5eb1d

func lockKey(name string) int32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int32(h.Sum32())
}

// Lock implements StateStore.
func (s *PostgresState) Lock(ctx context.Context, name string) (func(), error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("rebuild: lock %s: %w", name, err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, lockClass, lockKey(name)).Scan(&ok); err != nil {
		conn.Release()
		return nil, fmt.Errorf("rebuild: lock %s: %w", name, err)
	}
	if !ok {
		conn.Release()
		return nil, fmt.Errorf("%w: %s", ErrBusy, name)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, lockClass, lockKey(name)); err != nil {
				// An unlock that failed leaves the lock on this session:
				// close the connection so PostgreSQL drops it.
				conn.Hijack().Close(ctx) //nolint:errcheck
				return
			}
			conn.Release()
		})
	}, nil
}

// Locked implements StateStore: it probes the lock from a session of its
// own and gives it straight back when the probe got it.
func (s *PostgresState) Locked(ctx context.Context, name string) (bool, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("rebuild: probe lock %s: %w", name, err)
	}
	defer conn.Release()
	var free bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, lockClass, lockKey(name)).Scan(&free); err != nil {
		return false, fmt.Errorf("rebuild: probe lock %s: %w", name, err)
	}
	if !free {
		return true, nil
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, lockClass, lockKey(name)); err != nil {
		conn.Hijack().Close(ctx) //nolint:errcheck // the session (and its lock) goes away
		return false, fmt.Errorf("rebuild: probe unlock %s: %w", name, err)
	}
	return false, nil
}

// Save implements StateStore.
func (s *PostgresState) Save(ctx context.Context, p Progress) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO projection_rebuilds (name, progress, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (name) DO UPDATE SET progress = EXCLUDED.progress, updated_at = now()`, p.Name, data)
	if err != nil {
		return fmt.Errorf("rebuild: save state of %s: %w", p.Name, err)
	}
	return nil
}

// Load implements StateStore.
func (s *PostgresState) Load(ctx context.Context, name string) (Progress, bool, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT progress FROM projection_rebuilds WHERE name=$1`, name).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return Progress{}, false, nil
	}
	if err != nil {
		return Progress{}, false, fmt.Errorf("rebuild: load state of %s: %w", name, err)
	}
	var p Progress
	if err := json.Unmarshal(data, &p); err != nil {
		return Progress{}, false, fmt.Errorf("rebuild: state of %s: %w", name, err)
	}
	return p, true, nil
}
