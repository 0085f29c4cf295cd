// Package postgres is the PostgreSQL adapter of the event store port: one
// events table (global bigserial position, unique (stream, revision), unique
// event id, JSONB data and metadata), optimistic concurrency, idempotent
// retries, and $all readers that never skip a late commit.
//
// # Why readers cannot skip a late commit
//
// A bigserial is handed out before commit, so transactions can commit out of
// position order: a naive reader that yields position 11 and checkpoints it
// misses position 10 when that transaction commits a moment later. Two known
// cures exist. A transaction-scoped advisory lock around every append makes
// commits happen in position order, but it holds the lock across the commit's
// WAL flush, so all writers queue behind one fsync at a time and 16 writers
// go no faster than one. This adapter uses a high-water mark instead:
//
//   - every row records its writer's transaction id (xid8);
//   - $all readers (ReadAll, HeadPosition) return only rows whose xid is
//     below pg_snapshot_xmin(pg_current_snapshot()), the oldest transaction
//     still running, so every transaction such a row could race with has
//     finished;
//   - that alone is not enough: a transaction with an older xid may draw
//     its position later than a younger one, and the reader would pass it
//     and skip the older one when it commits. So an append takes its xid
//     and draws its positions inside a tiny critical section: a session
//     advisory lock taken and released around one SELECT that assigns the
//     xid and calls nextval, pipelined in the append's single round trip.
//     Xid order then equals position order, and the rows below the mark
//     are always a prefix of the log.
//
// The INSERT itself, any wait on a conflicting writer, and the commit's WAL
// flush all run outside the lock, so group commit keeps concurrent writers
// fast; see docs/benchmarks-eventstore.md for the figures. Because positions
// are drawn before the stream's head is read, the INSERT also refuses to go
// below the head's position (and Any retries with new positions), so that a
// stream's events always appear in $all in revision order.
//
// The price: $all lags behind the oldest transaction that holds an xid
// anywhere in the PostgreSQL cluster (xids are cluster-wide), and a prepared
// (two-phase) transaction left behind stalls it until resolved. Keep write
// transactions short on the event store's cluster. Read (one stream) is not
// held back: aggregates see every committed event.
//
// Append wakes WaitForAppend waiters with NOTIFY on channel NotifyChannel,
// sent after the commit, outside the append's transaction: PostgreSQL takes
// a cluster-wide lock at the commit of any transaction that queued a NOTIFY
// and holds it through the WAL flush, which would serialise appends exactly
// like the lock we avoid. The appends of a process share their NOTIFYs: the
// first append after a quiet spell arms a timer, and one NOTIFY sent
// AnnounceAfter later announces every append committed meanwhile (each
// NOTIFY signals every listening backend; one per append was ~6 % of the
// one-process server shop's checkouts). A notification lost to a crash
// between commit and NOTIFY only costs the waiter one poll interval
// (PollInterval).
package postgres

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/pg"
)

// NotifyChannel is the LISTEN/NOTIFY channel appends are announced on.
const NotifyChannel = "eventstore_appended"

// PollInterval bounds how long WaitForAppend sleeps without a notification
// before it looks at the head again (a lost NOTIFY, or an unrelated
// transaction that held the high-water mark back has finished).
const PollInterval = time.Second

// pageSize is how many rows one read query fetches; readers hold at most one
// page in memory.
const pageSize = 500

// appendLockKey names the advisory lock of the append critical section.
const appendLockKey int64 = 0x65765f6170706e64 // "ev_appnd"

// maxAnyRetries bounds how often an Any/StreamExists append retries after
// losing a race for the next revision to a concurrent writer.
const maxAnyRetries = 50

//go:embed migrations/*.sql
var migrations embed.FS

func subFS() (fs.FS, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("eventstore/postgres: migrations: %w", err)
	}
	return sub, nil
}

// Store is the PostgreSQL eventstore.Store and eventstore.Notifier.
type Store struct {
	pool *pgxpool.Pool
	// notifyInTx queues the NOTIFY inside the append's transaction instead
	// of after it; only the benchmarks set it, to show what that costs.
	notifyInTx bool
	// holdBeforeCommit, when set by this package's tests, runs after an
	// append has inserted its rows and before it commits, to stage a late
	// commit.
	holdBeforeCommit func(ctx context.Context, stream string)

	watchOnce sync.Once
	watch     *headWatch

	// armed is set while a NOTIFY for appends already committed is due
	// (announce).
	armed atomic.Bool

	// track tells where streams end (TrackHeads; nil: it does not); self
	// names this store in its notifications.
	track *heads
	self  string
}

// TrackHeads makes the store tell where streams end (eventstore.StreamHeads)
// while it is the only process appending to the database: after its own
// appends, repositories then skip the stream-tail read before each command,
// and a polled order is served without a read while nothing changed. Every
// NOTIFY of a tracking store carries its id, and TrackHeads announces the
// store once before it is used; the first notification heard from any
// other process (another replica, a service binary, an older version)
// turns the heads off for the life of the process. With another writer a
// head could be short of its append for the moment its notification takes
// (or for good, were it killed between its commit and its NOTIFY), and a
// handler deciding on such a state to do nothing would not be caught by an
// expected revision. While the watcher does not listen (before it first
// does, after a lost connection) no head is told, and what was known is
// forgotten. It returns the store with KnownNext; call it once, before the
// store is used.
func (s *Store) TrackHeads(ctx context.Context) *Tracking {
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // never fails
	s.track, s.self = &heads{}, hex.EncodeToString(b)
	w := s.watcher()
	w.mu.Lock()
	w.waiters++ // for good: the watcher never goes idle
	if !w.running {
		w.running = true
		go w.run()
	}
	w.mu.Unlock()
	// Others stop trusting their heads before this store appends anything.
	s.pool.Exec(ctx, "SELECT pg_notify($1, $2)", NotifyChannel, s.self) //nolint:errcheck // a failed hello: its appends' NOTIFYs follow
	return &Tracking{s}
}

// Tracking is a Store after TrackHeads: it tells stream heads.
type Tracking struct{ *Store }

var _ eventstore.StreamHeads = (*Tracking)(nil)

// KnownNext implements eventstore.StreamHeads.
func (t *Tracking) KnownNext(stream string) (uint64, bool) { return t.track.known(stream) }

// AnnounceAfter is how long after the commit of the first append of a burst
// the one NOTIFY for the whole burst is sent: what a waiter in another
// process (the relay, a read model) may wait longer for an event.
const AnnounceAfter = 3 * time.Millisecond

// announce sends NOTIFY on NotifyChannel AnnounceAfter from now for every
// append committed until then, unless one is due already. Called once the
// append committed, so the NOTIFY always follows the commit.
func (s *Store) announce() {
	if !s.armed.CompareAndSwap(false, true) {
		return
	}
	time.AfterFunc(AnnounceAfter, func() {
		// Cleared before sending: an append committed while it is on its
		// way arms the next one (a NOTIFY too many at worst, none too few).
		s.armed.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// A failure (a closed pool, a lost connection) costs waiters one
		// poll interval, as a NOTIFY lost to a crash does.
		s.pool.Exec(ctx, "SELECT pg_notify($1, $2)", NotifyChannel, s.self) //nolint:errcheck
	})
}

var (
	_ eventstore.Store    = (*Store)(nil)
	_ eventstore.Notifier = (*Store)(nil)
)

// New applies the event store's migrations (component "eventstore") and
// returns a store on pool. The pool is the caller's to close.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	if pool == nil {
		return nil, errors.New("eventstore/postgres: nil pool")
	}
	sub, err := subFS()
	if err != nil {
		return nil, err
	}
	if err := pg.Migrate(ctx, pool, "eventstore", sub); err != nil {
		return nil, fmt.Errorf("eventstore/postgres: migrate: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Expected-revision kinds as passed to insertSQL.
const (
	expAny = iota
	expNoStream
	expExact
	expStreamExists
)

// drawSQL assigns the transaction its xid and draws the batch's positions,
// inside the critical section; with every drawer holding the lock, the n
// positions are consecutive and end at currval.
const drawSQL = `SELECT pg_current_xact_id(), nextval('events_position_seq') FROM generate_series(1, $1::int)`

// insertSQL appends the batch after the stream's current head, at the
// positions drawSQL drew, in one statement. It inserts nothing if the
// expectation does not hold, or if the head already sits at a higher
// position than ours: positions were drawn before the head was read, and a
// stream's events must appear in $all in revision order.
const insertSQL = `
WITH head AS (
	SELECT coalesce(max(revision), -1) AS rev, coalesce(max(position), 0) AS pos
	FROM (SELECT revision, position FROM events WHERE stream = $1 ORDER BY revision DESC LIMIT 1) last
)
INSERT INTO events (position, stream, revision, id, type, data, metadata)
SELECT currval('events_position_seq') - $8::int + e.ord, $1, head.rev + e.ord, e.id::uuid, e.type, e.data::jsonb, e.metadata::jsonb
FROM head, unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
WHERE head.pos < currval('events_position_seq') - $8::int + 1
  AND CASE $6::int
	WHEN 0 THEN true
	WHEN 1 THEN head.rev = -1
	WHEN 2 THEN head.rev = $7::bigint
	ELSE head.rev >= 0
  END
ORDER BY e.ord
RETURNING position, revision`

type appendArgs struct {
	stream        string
	ids, types    []string
	data, meta    []string
	kind          int
	exactRevision int64
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	a := appendArgs{stream: stream}
	for i, e := range events {
		id, err := eventstore.CanonicalID(e.ID)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if slices.Contains(a.ids, id) {
			return eventstore.AppendResult{}, fmt.Errorf("%w: event id %s appears twice in one append", eventstore.ErrInvalidEvent, id)
		}
		meta, err := json.Marshal(e.Metadata)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("%w: event %d metadata: %v", eventstore.ErrInvalidEvent, i, err)
		}
		data := string(e.Data)
		if len(e.Data) == 0 {
			data = "null"
		}
		a.ids, a.types = append(a.ids, id), append(a.types, e.Type)
		a.data, a.meta = append(a.data, data), append(a.meta, string(meta))
	}
	switch r, exact := expected.Exact(); {
	case exact:
		if r > 1<<62 {
			return eventstore.AppendResult{}, fmt.Errorf("%w: stream %q expected %s", eventstore.ErrConcurrency, stream, expected)
		}
		a.kind, a.exactRevision = expExact, int64(r)
	case expected.IsNoStream():
		a.kind = expNoStream
	case expected.IsStreamExists():
		a.kind = expStreamExists
	default:
		a.kind = expAny
	}

	for attempt := 0; ; attempt++ {
		res, inserted, err := s.appendOnce(ctx, a)
		if err == nil && inserted {
			return res, nil
		}
		// May a fresh attempt, with new positions, succeed?
		var retryable bool
		var pgErr *pgconn.PgError
		switch {
		case err == nil:
			// Nothing inserted: the expectation failed, or a concurrent
			// writer got its later revision in first at a higher position.
			// Only Any and StreamExists can tell those apart by trying again.
			retryable = a.kind == expAny
			if a.kind == expStreamExists {
				if retryable, err = s.streamExists(ctx, stream); err != nil {
					return eventstore.AppendResult{}, err
				}
			}
		case errors.As(err, &pgErr) && pgErr.Code == "23505": // unique violation
			// Another writer took the next revision first, or some of
			// these ids are stored: find out which below.
			retryable = a.kind == expAny || a.kind == expStreamExists
		case errors.As(err, &pgErr) && pgErr.Code[:2] == "22": // data exception
			// E.g. \u0000, valid JSON that jsonb cannot store.
			return eventstore.AppendResult{}, fmt.Errorf("%w: %s", eventstore.ErrInvalidEvent, pgErr.Message)
		default:
			return eventstore.AppendResult{}, fmt.Errorf("eventstore/postgres: append to %q: %w", stream, err)
		}
		stored, err := s.lookupIDs(ctx, a.ids)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if res, retry, err := eventstore.ResolveRetry(stream, expected, stored); retry {
			return res, err
		}
		if retryable && attempt < maxAnyRetries {
			continue
		}
		return eventstore.AppendResult{}, fmt.Errorf("%w: stream %q expected %s", eventstore.ErrConcurrency, stream, expected)
	}
}

func (s *Store) streamExists(ctx context.Context, stream string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE stream = $1)`, stream).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("eventstore/postgres: stream exists: %w", err)
	}
	return ok, nil
}

// appendOnce runs one append transaction. It reports inserted=false, with no
// error, when the expectation did not hold.
func (s *Store) appendOnce(ctx context.Context, a appendArgs) (res eventstore.AppendResult, inserted bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return res, false, fmt.Errorf("eventstore/postgres: acquire: %w", err)
	}
	defer conn.Release()

	// One round trip: open the transaction, take the xid and draw the
	// positions inside the critical section (see the package doc), then
	// insert outside it, so that neither the insert's work nor a wait on
	// a conflicting writer's unique key holds other appends up.
	n := len(a.ids)
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue("SELECT pg_advisory_lock($1)", appendLockKey)
	b.Queue(drawSQL, n)
	b.Queue("SELECT pg_advisory_unlock($1)", appendLockKey)
	if s.track != nil {
		mark, alone := s.track.begin(a.stream) // forgotten until it ends
		defer func() {
			s.track.end(a.stream, mark, alone, inserted && err == nil, res.NextExpected+1)
		}()
	}
	b.Queue(insertSQL, a.stream, a.ids, a.types, a.data, a.meta, a.kind, a.exactRevision, n).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var pos, rev int64
			if err := rows.Scan(&pos, &rev); err != nil {
				return err
			}
			inserted = true
			res = eventstore.AppendResult{NextExpected: uint64(rev), Position: uint64(pos)}
		}
		return rows.Err()
	})
	if s.notifyInTx {
		b.Queue("SELECT pg_notify($1, '')", NotifyChannel)
	}
	// The tests' hold needs the commit in a second round trip; otherwise
	// it rides in the same pipeline. Statements run in the same order
	// either way, so the server sees the same transaction.
	hold := s.holdBeforeCommit
	committed := false
	if hold == nil {
		b.Queue("COMMIT").Exec(func(pgconn.CommandTag) error { committed = true; return nil })
	}
	if err := conn.SendBatch(ctx, b).Close(); err != nil && !committed {
		s.abort(ctx, conn)
		return res, false, err
	}
	if hold == nil {
		// Without a row back the transaction committed nothing.
		if inserted && committed && !s.notifyInTx {
			s.announce()
		}
		return res, inserted, nil
	}
	if !inserted {
		_, err := conn.Exec(ctx, "ROLLBACK")
		return res, false, err
	}
	hold(ctx, a.stream)
	commit := "COMMIT; SELECT pg_notify('" + NotifyChannel + "', '')"
	if s.notifyInTx {
		commit = "COMMIT"
	}
	if _, err := conn.Exec(ctx, commit); err != nil {
		s.abort(ctx, conn)
		return res, false, err
	}
	return res, true, nil
}

// abort cleans a connection after a failed append: rolls back and releases
// the critical-section lock if the failure left it held (a session lock
// survives a rollback). If that fails the connection is closed, which ends
// the transaction and frees the lock too.
func (s *Store) abort(ctx context.Context, conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if conn.Conn().IsClosed() {
		return
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ROLLBACK; SELECT pg_advisory_unlock(%d)", appendLockKey)); err != nil {
		conn.Conn().Close(ctx) //nolint:errcheck // closing is the fallback
	}
}

// lookupIDs finds where each id is stored, if anywhere.
func (s *Store) lookupIDs(ctx context.Context, ids []string) ([]eventstore.StoredID, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT ev.stream, ev.revision, ev.position
		FROM unnest($1::uuid[]) WITH ORDINALITY AS q(id, ord)
		LEFT JOIN events ev ON ev.id = q.id
		ORDER BY q.ord`, ids)
	if err != nil {
		return nil, fmt.Errorf("eventstore/postgres: look up ids: %w", err)
	}
	out := make([]eventstore.StoredID, 0, len(ids))
	for rows.Next() {
		var stream *string
		var rev, pos *int64
		if err := rows.Scan(&stream, &rev, &pos); err != nil {
			return nil, err
		}
		if stream == nil {
			out = append(out, eventstore.StoredID{})
			continue
		}
		out = append(out, eventstore.StoredID{Found: true, Stream: *stream, Revision: uint64(*rev), Position: uint64(*pos)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("eventstore/postgres: look up ids: %w", err)
	}
	return out, nil
}

const columns = `position, id::text, stream, revision, type, data, metadata, time`

// belowMark restricts a query to rows every possibly-racing transaction of
// which has finished (see the package doc). Known limit: transaction ids and
// the snapshot's xmin are cluster-wide, so any older transaction still open
// on the same PostgreSQL — in another database too — holds readers back
// until it ends. Leaving out the transactions seen running in other
// databases (pg_stat_activity) was tried and reverted: that view reads a
// backend's database and its current xid separately, so a backend slot
// reused in between can make an append in flight here look foreign, and a
// reader then skipped it (3 catch-up test runs in 22).
const belowMark = `xid < (SELECT pg_snapshot_xmin(pg_current_snapshot()))`

// Read implements eventstore.Store.
func (s *Store) Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		if from > 1<<62 {
			return
		}
		next := int64(from)
		for {
			page, err := s.page(ctx, `SELECT `+columns+` FROM events
				WHERE stream = $1 AND revision >= $2 ORDER BY revision LIMIT $3`, stream, next, pageSize)
			if err != nil {
				yield(eventstore.RecordedEvent{}, err)
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if len(page) < pageSize {
				return
			}
			next = int64(page[len(page)-1].Revision) + 1
		}
	}
}

// ReadAll implements eventstore.Store. Each page is one query with its own
// snapshot, so events committed during a long read are picked up by later
// pages; it ends at the high-water mark.
func (s *Store) ReadAll(ctx context.Context, after uint64, filter eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		if after > 1<<62 {
			return
		}
		// nil (SQL NULL) disables a filter.
		var prefixes, types []string
		if len(filter.StreamPrefixes) > 0 {
			prefixes = filter.StreamPrefixes
		}
		if len(filter.EventTypes) > 0 {
			types = filter.EventTypes
		}
		next := int64(after)
		for {
			page, err := s.page(ctx, `SELECT `+columns+` FROM events
				WHERE position > $1 AND `+belowMark+`
				  AND ($2::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($2::text[]) p WHERE starts_with(stream, p)))
				  AND ($3::text[] IS NULL OR type = ANY($3::text[]))
				ORDER BY position LIMIT $4`, next, prefixes, types, pageSize)
			if err != nil {
				yield(eventstore.RecordedEvent{}, err)
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if len(page) < pageSize {
				return
			}
			next = int64(page[len(page)-1].Position)
		}
	}
}

// page runs one read query and collects its rows.
func (s *Store) page(ctx context.Context, sql string, args ...any) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("eventstore/postgres: read: %w", err)
	}
	defer rows.Close()
	out := make([]eventstore.RecordedEvent, 0, 16)
	for rows.Next() {
		var (
			e        eventstore.RecordedEvent
			pos, rev int64
			meta     []byte
		)
		if err := rows.Scan(&pos, &e.ID, &e.Stream, &rev, &e.Type, &e.Data, &meta, &e.Time); err != nil {
			return nil, fmt.Errorf("eventstore/postgres: read: %w", err)
		}
		if err := json.Unmarshal(meta, &e.Metadata); err != nil {
			return nil, fmt.Errorf("eventstore/postgres: event %s metadata: %w", e.ID, err)
		}
		e.Position, e.Revision, e.Time = uint64(pos), uint64(rev), e.Time.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("eventstore/postgres: read: %w", err)
	}
	return out, nil
}

const headSQL = `SELECT coalesce((SELECT position FROM events WHERE ` + belowMark + `
		ORDER BY position DESC LIMIT 1), 0)`

// HeadPosition implements eventstore.Store: the newest position ReadAll can
// yield now, which trails the newest committed one while an older append is
// in flight.
func (s *Store) HeadPosition(ctx context.Context) (uint64, error) {
	var head int64
	err := s.pool.QueryRow(ctx, headSQL).Scan(&head)
	if err != nil {
		return 0, fmt.Errorf("eventstore/postgres: head: %w", err)
	}
	return uint64(head), nil
}

// WaitForAppend implements eventstore.Notifier: every waiter of the store
// shares one listening connection (headWatch), which re-checks the head at
// least every PollInterval.
func (s *Store) WaitForAppend(ctx context.Context, after uint64) error {
	_, err := s.WaitForHead(ctx, after)
	return err
}

// WaitForHead is WaitForAppend returning the head the shared watcher saw
// pass after: a position ReadAll yields everything up to, so a follower
// needs no HeadPosition query of its own after waking.
func (s *Store) WaitForHead(ctx context.Context, after uint64) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return s.watcher().wait(ctx, after)
}

func (s *Store) watcher() *headWatch {
	s.watchOnce.Do(func() { s.watch = &headWatch{s: s, changed: make(chan struct{})} })
	return s.watch
}
