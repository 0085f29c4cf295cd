// Package sqlite is the embedded-database adapter of the event store port:
// one eventstore_events table in the shop's SQLite file (platform/sqlite),
// with optimistic concurrency, idempotent retries and $all readers.
//
// # Why $all has no visibility gap here
//
// PostgreSQL hands out positions before commit, so its transactions can
// commit out of position order and its readers must hold back behind a
// high-water mark. SQLite has one writer at a time: every append runs in a
// BEGIN IMMEDIATE transaction on the database's single write connection
// (and, across processes, under SQLite's file write lock), and draws its
// positions inside that transaction as head+1, head+2, ... The next append
// cannot even begin before this one has committed or rolled back, so commits
// happen in position order, a rolled-back append leaves no hole that a later
// one would jump, and a reader (WAL: it sees the last commit, never waits)
// always sees a prefix of the log. ReadAll and HeadPosition therefore read
// straight up to the newest committed event.
//
// The cost is that appends do not overlap at all; they are short (a query
// for the stream's head and the log's, then the inserts; only the inserts
// where the store is its file's only writer and keeps the heads itself,
// OnlyWriter), and with synchronous=NORMAL in WAL mode a commit does not
// wait for an fsync.
// BenchmarkAppend sets them beside raw inserts into the same file.
//
// Times are stored as UTC text in platform/sqlite.TimeLayout (nanoseconds);
// data and metadata as JSON text.
//
// WaitForAppend is woken by appends of this process at once; appends by
// another process on the same file are seen within PollInterval.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/evshop/shop/eventstore"
	sqlitedb "github.com/evshop/shop/platform/sqlite"
)

// PollInterval bounds how long WaitForAppend sleeps before it looks at the
// head again, for appends made by another process on the same file.
const PollInterval = time.Second

// pageSize is how many rows one read query fetches; readers hold at most one
// page in memory.
const pageSize = 500

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite eventstore.Store and eventstore.Notifier.
type Store struct {
	db  *sqlitedb.DB
	now func() time.Time

	mu       sync.Mutex
	appended chan struct{} // closed and replaced after every committed append
	// head is the highest position this store has seen committed by its
	// own appends (after OnlyWriter, the log's head: it read it, and no
	// other process appends): the store's head is at least that, so WaitForAppend
	// needs no query to see an append of this process.
	head atomic.Uint64

	// holdBeforeCommit, when set by this package's tests, runs after an
	// append has inserted its rows and before it commits.
	holdBeforeCommit func(ctx context.Context, stream string)

	// The ledger (OnlyWriter; heads nil before): the next revision of
	// every stream and the highest position drawn, kept by the appends in
	// step with their transactions (advance), so that an append asks the
	// database for no head and KnownNext knows every stream. complete says
	// heads holds every stream of the log (a stream absent is then one
	// never appended to); past maxHeads streams the map starts afresh and
	// appends to the streams it forgot read their head again. Guarded by mu.
	heads    map[string]uint64
	complete bool
	last     uint64

	// recent (OnlyWriter; nil before): the newest committed events,
	// served to readers without a query. It and head move together in
	// the appends' commit hooks (recent.go), and HeadPosition tells head.
	recent    *recent
	recentCap int // the window's size when not recentCap (this package's tests)
	headsCap  int // the ledger's bound when not maxHeads (this package's tests)
}

// maxHeads bounds the streams the ledger remembers (~50 MiB at most: a
// shop of ~130,000 orders; past it, appends to streams not written since
// the start query their head as a store that is not the only writer does).
const maxHeads = 1 << 19

var (
	_ eventstore.Store       = (*Store)(nil)
	_ eventstore.Notifier    = (*Store)(nil)
	_ eventstore.StreamHeads = (*Store)(nil)
)

// OnlyWriter declares this process the database's only writer of events
// (the embedded shop holds its data directory's lock) and reads the head
// of every stream and of the log: from now on the store keeps them itself,
// appends draw revisions and positions without a query, and KnownNext tells
// every stream's end, so that repositories holding a stream's events (or
// knowing it is new) need not read it. Call it before the store is used.
// Never call it where another process may append to the same file.
func (s *Store) OnlyWriter(ctx context.Context) error {
	// One pass over the stream index, stopped past maxHeads streams.
	bound := cmp.Or(s.headsCap, maxHeads)
	heads := map[string]uint64{}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT stream, max(revision) FROM eventstore_events GROUP BY stream LIMIT ?`, bound+1)
	if err != nil {
		return fmt.Errorf("eventstore/sqlite: stream heads: %w", err)
	}
	for rows.Next() {
		var stream string
		var rev int64
		if err := rows.Scan(&stream, &rev); err != nil {
			rows.Close()
			return fmt.Errorf("eventstore/sqlite: stream heads: %w", err)
		}
		heads[stream] = uint64(rev) + 1
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("eventstore/sqlite: stream heads: %w", err)
	}
	complete := len(heads) <= bound
	if !complete {
		clear(heads) // too many to keep: appends to them read their heads
	}
	last, err := s.HeadPosition(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heads, s.complete, s.last = heads, complete, last
	s.head.Store(last)
	s.recent = newRecent(cmp.Or(s.recentCap, recentCap))
	return nil
}

// KnownNext implements eventstore.StreamHeads (after OnlyWriter).
func (s *Store) KnownNext(stream string) (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next, ok := s.heads[stream]
	if !ok && s.complete {
		return 0, true
	}
	return next, ok
}

// recall is what the ledger knows of stream: its last revision (-1: no
// stream) and the log's last position; ok is false without a ledger or
// when the stream was forgotten.
func (s *Store) recall(stream string) (rev, pos int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.heads == nil {
		return 0, 0, false
	}
	next, known := s.heads[stream]
	if !known && !s.complete {
		return 0, 0, false
	}
	return int64(next) - 1, int64(s.last), true
}

// advance records, inside an append's transaction, stream's next revision
// and the log's last position, and has them put back should the
// transaction not keep the append (sqlite.DB.OnUndo): the ledger follows
// what is committed, and a repository told the head early sees one too high
// for a moment at most, which costs it a read (one too low would let it
// decide on a state short of a committed event).
func (s *Store) advance(stream string, next, last uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.heads == nil {
		return
	}
	prev, had := s.heads[stream]
	prevLast, prevComplete := s.last, s.complete
	if !had && len(s.heads) >= cmp.Or(s.headsCap, maxHeads) {
		clear(s.heads)
		s.complete = false
	}
	s.heads[stream], s.last = next, last
	s.db.OnUndo(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if had {
			s.heads[stream] = prev
		} else {
			delete(s.heads, stream)
		}
		// complete may stay false after a clear: the map forgot streams.
		s.last, s.complete = prevLast, prevComplete && s.complete
	})
}

// New applies the event store's migrations (component "eventstore") and
// returns a store on db. The database is the caller's to close.
func New(ctx context.Context, db *sqlitedb.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("eventstore/sqlite: nil database")
	}
	if err := sqlitedb.MigrateEmbedded(ctx, db, "eventstore", migrations, "migrations"); err != nil {
		return nil, fmt.Errorf("eventstore/sqlite: migrate: %w", err)
	}
	return &Store{db: db, now: time.Now, appended: make(chan struct{})}, nil
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	ids := make([]string, len(events))
	data := make([]string, len(events))
	meta := make([]string, len(events))
	for i, e := range events {
		id, err := eventstore.CanonicalID(e.ID)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if slices.Contains(ids[:i], id) {
			return eventstore.AppendResult{}, fmt.Errorf("%w: event id %s appears twice in one append", eventstore.ErrInvalidEvent, id)
		}
		m, err := json.Marshal(e.Metadata)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("%w: event %d metadata: %v", eventstore.ErrInvalidEvent, i, err)
		}
		ids[i], data[i], meta[i] = id, "null", string(m)
		if len(e.Data) > 0 {
			data[i] = string(e.Data)
		}
	}
	if r, exact := expected.Exact(); exact && r > 1<<62 {
		return eventstore.AppendResult{}, fmt.Errorf("%w: stream %q expected %s", eventstore.ErrConcurrency, stream, expected)
	}

	var res eventstore.AppendResult
	// retried reports whether some of the ids are stored already, and then
	// what that means (eventstore.ResolveRetry). It is asked only when the
	// append cannot go ahead as a fresh one (the expectation fails, or an
	// insert does), since a fresh append has no id stored: one query less.
	retried := func(tx *sql.Tx) (bool, error) {
		stored, err := lookupIDs(ctx, tx, ids)
		if err != nil {
			return false, err
		}
		r, retry, err := eventstore.ResolveRetry(stream, expected, stored)
		if retry {
			res = r
		}
		return retry, err
	}
	var recs []eventstore.RecordedEvent
	var recsErr error
	if s.recent != nil {
		recs, recsErr = recorded(stream, ids, events, data, meta)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rev, pos, known := s.recall(stream)
		if !known {
			if err := tx.QueryRowContext(ctx, `SELECT
				coalesce((SELECT max(revision) FROM eventstore_events WHERE stream = ?), -1),
				coalesce((SELECT max(position) FROM eventstore_events), 0)`, stream).Scan(&rev, &pos); err != nil {
				return fmt.Errorf("eventstore/sqlite: head of %q: %w", stream, err)
			}
		}
		if !expected.Check(uint64(max(rev, 0)), rev >= 0) {
			if retry, err := retried(tx); retry || err != nil {
				return err
			}
			return fmt.Errorf("%w: stream %q expected %s, has %s", eventstore.ErrConcurrency, stream, expected, describe(rev))
		}
		now := s.now()
		at := sqlitedb.FormatTime(now)
		first := pos + 1
		for lo := 0; lo < len(events); lo += chunk {
			hi := min(lo+chunk, len(events))
			args := make([]any, 0, 8*(hi-lo))
			for i := lo; i < hi; i++ {
				args = append(args, first+int64(i), stream, rev+1+int64(i), ids[i], events[i].Type, data[i], meta[i], at)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO eventstore_events
				(position, stream, revision, id, type, data, metadata, time) VALUES `+sqlitedb.Placeholders(hi-lo, 8), args...); err != nil {
				// An id stored already (UNIQUE) fails only this statement:
				// the transaction can still tell a retry from a conflict.
				// (After a chunk inserted here it cannot be a retry: the
				// ids of that chunk were new.)
				if retry, rerr := retried(tx); retry && (rerr != nil || lo == 0) {
					return rerr
				}
				return fmt.Errorf("eventstore/sqlite: append to %q: %w", stream, err)
			}
		}
		if s.recent != nil {
			s.remember(recs, recsErr, first, rev+1, len(events), now)
		}
		pos, rev = pos+int64(len(events)), rev+int64(len(events))
		res = eventstore.AppendResult{NextExpected: uint64(rev), Position: uint64(pos)}
		s.advance(stream, uint64(rev)+1, uint64(pos))
		if s.holdBeforeCommit != nil {
			s.holdBeforeCommit(ctx, stream)
		}
		return nil
	})
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if s.recent == nil { // else woken by the commit hook (remember)
		s.wake(res.Position)
	}
	return res, nil
}

// remember has the n events of an append join the recent window once they
// are committed (recent.go), with the positions, revisions and time the
// transaction gave them. Should they not have been rebuilt (recorded, err;
// recs is then empty), the window starts afresh after them (readers of what
// came before then read the file); the store's head moves past all n and
// its waiters wake either way.
func (s *Store) remember(recs []eventstore.RecordedEvent, err error, position, revision int64, n int, now time.Time) {
	last := uint64(position) + uint64(n) - 1
	if err == nil {
		at := now.UTC().Round(0) // as sqlitedb.ParseTime reads it back
		for i := range recs {
			recs[i].Position, recs[i].Revision, recs[i].Time = uint64(position)+uint64(i), uint64(revision)+uint64(i), at
		}
	}
	s.db.OnCommit(func() {
		if err != nil {
			s.recent.reset()
		} else {
			s.recent.add(recs)
		}
		s.wake(last)
	})
}

// recorded is what a reader of the file will get for the events of an
// append, but for their positions, revisions and time (remember sets them
// inside the transaction). It runs before the append queues for the
// writer, which is the durable shop's busiest stage.
func recorded(stream string, ids []string, events []eventstore.EventData, data, meta []string) ([]eventstore.RecordedEvent, error) {
	recs := make([]eventstore.RecordedEvent, len(events))
	for i, e := range events {
		m := e.Metadata
		if !validUTF8(m) {
			// Stored as JSON, which replaced the invalid bytes: read
			// it back as the file holds it.
			m = eventstore.Metadata{}
			if err := json.Unmarshal([]byte(meta[i]), &m); err != nil {
				return nil, err
			}
		}
		recs[i] = eventstore.RecordedEvent{ID: ids[i], Stream: stream, Type: e.Type, Data: json.RawMessage(data[i]), Metadata: m}
	}
	return recs, nil
}

// validUTF8 reports whether every text of m survives JSON unchanged.
func validUTF8(m eventstore.Metadata) bool {
	for _, v := range []string{m.CorrelationID, m.CausationID, m.UserID, m.TraceParent} {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

func describe(rev int64) string {
	if rev < 0 {
		return "no stream"
	}
	return fmt.Sprintf("revision %d", rev)
}

// chunk bounds the rows of one statement, keeping its parameters well below
// SQLite's limit (32,766) however many events one append carries.
const chunk = 500

// lookupIDs finds where each id is stored, if anywhere.
func lookupIDs(ctx context.Context, tx *sql.Tx, ids []string) ([]eventstore.StoredID, error) {
	found := make(map[string]eventstore.StoredID, len(ids))
	for lo := 0; lo < len(ids); lo += chunk {
		part := ids[lo:min(lo+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, stream, revision, position FROM eventstore_events
			WHERE id IN `+sqlitedb.Placeholders(1, len(part)), args...)
		if err != nil {
			return nil, fmt.Errorf("eventstore/sqlite: look up ids: %w", err)
		}
		for rows.Next() {
			var id string
			var rev, pos int64
			st := eventstore.StoredID{Found: true}
			if err := rows.Scan(&id, &st.Stream, &rev, &pos); err != nil {
				rows.Close()
				return nil, fmt.Errorf("eventstore/sqlite: look up ids: %w", err)
			}
			st.Revision, st.Position = uint64(rev), uint64(pos)
			found[id] = st
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("eventstore/sqlite: look up ids: %w", err)
		}
	}
	out := make([]eventstore.StoredID, len(ids))
	for i, id := range ids {
		out[i] = found[id] // the zero StoredID is "not found"
	}
	return out, nil
}

// wake records position as committed and releases every WaitForAppend of
// this process.
func (s *Store) wake(position uint64) {
	s.mu.Lock()
	if position > s.head.Load() {
		s.head.Store(position)
	}
	close(s.appended)
	s.appended = make(chan struct{})
	s.mu.Unlock()
}

const columns = `position, id, stream, revision, type, data, metadata, time`

// Read implements eventstore.Store.
func (s *Store) Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		if from > 1<<62 {
			return
		}
		if s.recent != nil {
			if err := ctx.Err(); err != nil {
				yield(eventstore.RecordedEvent{}, err)
				return
			}
			if events, ok := s.recent.stream(stream, uint64(from)); ok {
				yieldPage(events, nil, yield)
				return
			}
		}
		next := int64(from)
		for {
			page, err := s.page(ctx, `SELECT `+columns+` FROM eventstore_events
				WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`, stream, next, pageSize)
			if !yieldPage(page, err, yield) || len(page) < pageSize {
				return
			}
			next = int64(page[len(page)-1].Revision) + 1
		}
	}
}

// ReadAll implements eventstore.Store. Each page is one query that sees the
// newest commit, so events appended during a long read are picked up by
// later pages.
func (s *Store) ReadAll(ctx context.Context, after uint64, filter eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		if after > 1<<62 {
			return
		}
		where, args := filterSQL(filter)
		next := int64(after)
		for {
			if s.recent != nil {
				if err := ctx.Err(); err != nil {
					yield(eventstore.RecordedEvent{}, err)
					return
				}
				if events, upTo, ok := s.recent.all(uint64(next), filter, pageSize); ok {
					if !yieldPage(events, nil, yield) || upTo == uint64(next) {
						return
					}
					next = int64(upTo)
					continue
				}
			}
			page, err := s.page(ctx, `SELECT `+columns+` FROM eventstore_events
				WHERE position > ?`+where+` ORDER BY position LIMIT ?`, append(append([]any{next}, args...), pageSize)...)
			if !yieldPage(page, err, yield) || len(page) < pageSize {
				return
			}
			next = int64(page[len(page)-1].Position)
		}
	}
}

// filterSQL turns a filter into extra WHERE conditions and their arguments.
func filterSQL(f eventstore.Filter) (string, []any) {
	var b strings.Builder
	var args []any
	if len(f.StreamPrefixes) > 0 {
		b.WriteString(" AND (")
		for i, p := range f.StreamPrefixes {
			if i > 0 {
				b.WriteString(" OR ")
			}
			// substr counts characters, as utf8.RuneCountInString does.
			b.WriteString("substr(stream, 1, ?) = ?")
			args = append(args, utf8.RuneCountInString(p), p)
		}
		b.WriteString(")")
	}
	if len(f.EventTypes) > 0 {
		b.WriteString(" AND type IN " + sqlitedb.Placeholders(1, len(f.EventTypes)))
		for _, t := range f.EventTypes {
			args = append(args, t)
		}
	}
	return b.String(), args
}

// yieldPage hands a page to yield and reports whether to go on.
func yieldPage(page []eventstore.RecordedEvent, err error, yield func(eventstore.RecordedEvent, error) bool) bool {
	if err != nil {
		yield(eventstore.RecordedEvent{}, err)
		return false
	}
	for _, e := range page {
		if !yield(e, nil) {
			return false
		}
	}
	return true
}

// page runs one read query and collects its rows.
func (s *Store) page(ctx context.Context, query string, args ...any) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := s.db.ReadStmt(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("eventstore/sqlite: read: %w", err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("eventstore/sqlite: read: %w", err)
	}
	defer rows.Close()
	out := make([]eventstore.RecordedEvent, 0, 16)
	for rows.Next() {
		var (
			e        eventstore.RecordedEvent
			pos, rev int64
			data     string
			meta, at string
		)
		if err := rows.Scan(&pos, &e.ID, &e.Stream, &rev, &e.Type, &data, &meta, &at); err != nil {
			return nil, fmt.Errorf("eventstore/sqlite: read: %w", err)
		}
		if err := json.Unmarshal([]byte(meta), &e.Metadata); err != nil {
			return nil, fmt.Errorf("eventstore/sqlite: event %s metadata: %w", e.ID, err)
		}
		if e.Time, err = sqlitedb.ParseTime(at); err != nil {
			return nil, fmt.Errorf("eventstore/sqlite: event %s: %w", e.ID, err)
		}
		e.Position, e.Revision, e.Data = uint64(pos), uint64(rev), json.RawMessage(data)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("eventstore/sqlite: read: %w", err)
	}
	return out, nil
}

// HeadPosition implements eventstore.Store: the newest committed position
// (after OnlyWriter the store's own head, in step with its recent window).
func (s *Store) HeadPosition(ctx context.Context) (uint64, error) {
	if s.recent != nil {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		return s.head.Load(), nil // the only writer: no commit it has not seen
	}
	var head int64
	st, err := s.db.ReadStmt(ctx, `SELECT coalesce(max(position), 0) FROM eventstore_events`)
	if err != nil {
		return 0, fmt.Errorf("eventstore/sqlite: head: %w", err)
	}
	if err := st.QueryRowContext(ctx).Scan(&head); err != nil {
		return 0, fmt.Errorf("eventstore/sqlite: head: %w", err)
	}
	return uint64(head), nil
}

// WaitForAppend implements eventstore.Notifier. The database is asked for
// its head when the wait starts and every PollInterval (appends of other
// processes); an append of this store wakes it without a query.
func (s *Store) WaitForAppend(ctx context.Context, after uint64) error {
	_, err := s.WaitForHead(ctx, after)
	return err
}

// WaitForHead is WaitForAppend returning the head it saw pass after (every
// event up to it is committed, so ReadAll yields them): a follower woken by
// an append of this process needs no head query of its own.
func (s *Store) WaitForHead(ctx context.Context, after uint64) (uint64, error) {
	ask := true
	for {
		// Take the channel before reading the head, so that an append
		// committed in between closes the channel we wait on.
		s.mu.Lock()
		ch := s.appended
		s.mu.Unlock()
		if h := s.head.Load(); h > after {
			return h, nil
		}
		if ask {
			head, err := s.HeadPosition(ctx)
			if err != nil || head > after {
				return head, err
			}
		}
		t := time.NewTimer(PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		case <-ch:
			t.Stop()
			ask = false
		case <-t.C:
			ask = true
		}
	}
}
