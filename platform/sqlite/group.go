package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Group commit. SQLite has one writer, so every Tx of the shop waits for the
// one before it, and each pays for its own BEGIN, its own WAL frames (the
// same b-tree pages written again by the next) and its own COMMIT. Tx calls
// that arrive while a transaction runs are therefore queued and run, the
// next time round, in one transaction: each inside its own savepoint, so a
// call that fails is rolled back alone and the others still commit. A call
// returns only once its writes are committed (nil) or undone (its error, or
// the group's when the group could not commit); what a caller sees is what
// it saw before, one transaction after another, in the order they queued.

// maxGroup bounds the calls one transaction carries.
const maxGroup = 64

// pending is one Tx call waiting for its group.
type pending struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error // buffered: the committer never waits for the caller
}

// committer queues Tx calls and runs them, a group at a time, on the
// write pool's one connection. The caller that finds no group running runs
// the next one itself (no hand-over to another goroutine when the shop is
// quiet); if more calls queued meanwhile, it leaves them to a goroutine
// that runs groups while there are any.
type committer struct {
	mu      sync.Mutex
	queue   []*pending
	running bool

	// What the writer did since Open (WriterStats).
	calls, groups atomic.Uint64
	busy          atomic.Int64 // nanoseconds running groups

	// hooks are what the calls of the running group asked to be run once
	// their writes are committed (OnCommit) or undone (OnUndo), oldest
	// first. Only the goroutine running the group touches them.
	hooks []hook
}

// hook is one OnUndo or OnCommit of a call: one of the two is set.
type hook struct{ undo, commit func() }

// OnUndo asks for undo to be run if the writes of the Tx call running now
// are undone: its savepoint rolled back (the call failed) or the group's
// transaction lost or not committed. It runs on the writer, before the
// next call of the group begins, the undos of later calls first; so memory
// a call changes beside its writes (the event store's stream heads) follows
// the transaction exactly. Call it only from inside a Tx function.
func (db *DB) OnUndo(undo func()) {
	db.group.hooks = append(db.group.hooks, hook{undo: undo})
}

// OnCommit asks for commit to be run once the writes of the Tx call running
// now are committed: on the writer, right after the group's COMMIT and
// before any call of it is answered or the next group begins, in the order
// the calls registered them (which is the order they wrote in). Nothing is
// run for a call whose writes are undone. Call it only from inside a Tx
// function.
func (db *DB) OnCommit(commit func()) {
	db.group.hooks = append(db.group.hooks, hook{commit: commit})
}

// undoFrom runs, newest first, the undos registered since mark and forgets
// every hook registered since.
func (c *committer) undoFrom(mark int) {
	for i := len(c.hooks) - 1; i >= mark; i-- {
		if c.hooks[i].undo != nil {
			c.hooks[i].undo()
		}
		c.hooks[i] = hook{}
	}
	c.hooks = c.hooks[:mark]
}

// committed runs the commit hooks, oldest first.
func (c *committer) committed() {
	for _, h := range c.hooks {
		if h.commit != nil {
			h.commit()
		}
	}
}

// do runs fn in a group transaction and reports its outcome.
func (db *DB) do(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pending{ctx: ctx, fn: fn, done: make(chan error, 1)}
	c := &db.group
	c.mu.Lock()
	c.queue = append(c.queue, p)
	lead := !c.running
	c.running = true
	c.mu.Unlock()
	if lead {
		for db.commitNext() {
			if len(p.done) > 0 { // answered: what queued meanwhile is another's to run
				c.mu.Lock()
				if len(c.queue) == 0 {
					c.running = false
				} else {
					go db.commitLoop()
				}
				c.mu.Unlock()
				break
			}
		}
	}
	// Waited for even when ctx ends: the caller must learn whether its
	// writes were committed. A call whose ctx has ended before its turn
	// is not run (commitGroup), so the wait is one group at most.
	err := <-p.done
	if p, ok := err.(panicked); ok {
		panic(p.value)
	}
	return err
}

func (db *DB) commitLoop() {
	for db.commitNext() {
	}
}

// commitNext runs the next group, if any, and reports whether more may be
// queued; when none is, it stops the running state and reports false.
func (db *DB) commitNext() bool {
	c := &db.group
	c.mu.Lock()
	n := min(len(c.queue), maxGroup)
	if n == 0 {
		c.running = false
		c.mu.Unlock()
		return false
	}
	batch := c.queue[:n:n]
	c.queue = c.queue[n:]
	if len(c.queue) == 0 {
		c.queue = nil // let the backing array go
	}
	c.mu.Unlock()
	start := time.Now()
	db.commitGroup(batch)
	c.busy.Add(int64(time.Since(start)))
	c.calls.Add(uint64(n))
	return true
}

// commitGroup runs batch, in one transaction as long as SQLite keeps it,
// and answers every call in it.
func (db *DB) commitGroup(batch []*pending) {
	for len(batch) > 0 {
		batch = db.commitSome(batch)
	}
}

// commitSome runs the calls of batch in one transaction and answers them.
// Should SQLite roll the whole transaction back under a call (an I/O error,
// a full disk; a caller's context cannot, since the write connection's
// statements run detached from it, see cachingConn), the calls it had run
// so far are answered with that loss (nothing of theirs is stored) and those
// not run yet are returned, for a fresh transaction.
func (db *DB) commitSome(batch []*pending) (rest []*pending) {
	c := &db.group
	c.groups.Add(1)
	errs := make([]error, len(batch))
	answered := len(batch)
	defer func() {
		clear(c.hooks) // committed or undone: let the closures go
		c.hooks = c.hooks[:0]
		for i, p := range batch[:answered] {
			p.done <- errs[i]
		}
	}()
	fail := func(err error) {
		c.undoFrom(0) // whatever fails here, nothing of the group is stored
		for i := range errs[:answered] {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	// The group's transaction is not bound to any one caller's context:
	// one caller going away must not roll back the others' writes.
	tx, err := db.Write.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("sqlite: begin: %w", err))
		return nil
	}
	alone := len(batch) == 1
	for i, p := range batch {
		if err := p.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if alone {
			if errs[i] = call(p.fn, tx); errs[i] != nil {
				c.undoFrom(0)
			}
			break
		}
		if _, err := tx.Exec(`SAVEPOINT tx`); err != nil {
			tx.Rollback()        //nolint:errcheck
			answered = max(i, 1) // the first call fails with it: no endless retry
			fail(fmt.Errorf("sqlite: group transaction lost: %w", err))
			return batch[answered:]
		}
		var undo error
		mark := len(c.hooks)
		if errs[i] = call(p.fn, tx); errs[i] != nil {
			c.undoFrom(mark)
			_, undo = tx.Exec(`ROLLBACK TO tx`)
		}
		if undo == nil {
			_, undo = tx.Exec(`RELEASE tx`)
		}
		if undo != nil {
			tx.Rollback() //nolint:errcheck
			answered = i + 1
			fail(fmt.Errorf("sqlite: group transaction lost: %w", undo))
			return batch[i+1:]
		}
	}
	if allFailed(errs) {
		tx.Rollback() //nolint:errcheck
		return nil
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("sqlite: commit: %w", err))
		return nil
	}
	c.committed()
	return nil
}

// call runs fn. A panic is caught, so that the group's other calls are
// still answered, and raised again in the caller's goroutine (do).
func call(fn func(tx *sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicked{r}
		}
	}()
	return fn(tx)
}

// panicked carries a transaction function's panic to its caller.
type panicked struct{ value any }

func (p panicked) Error() string {
	return fmt.Sprintf("sqlite: transaction function panicked: %v", p.value)
}

func allFailed(errs []error) bool {
	for _, err := range errs {
		if err == nil {
			return false
		}
	}
	return true
}

// Queued is how many Tx calls wait for their group now.
func (db *DB) Queued() int {
	db.group.mu.Lock()
	defer db.group.mu.Unlock()
	return len(db.group.queue)
}

// WriterStats is what the database's one writer did since Open: the Tx
// calls it ran, the transactions (groups) that carried them, and the time
// it spent running them. Busy near the wall time means the writer is the
// shop's limit: every write waits for it.
type WriterStats struct {
	Calls, Groups uint64
	Busy          time.Duration
}

// WriterStats reports the writer's counts.
func (db *DB) WriterStats() WriterStats {
	c := &db.group
	return WriterStats{Calls: c.calls.Load(), Groups: c.groups.Load(), Busy: time.Duration(c.busy.Load())}
}

// Metrics are the writer's counts as Prometheus counters:
// sqlite_write_calls_total, sqlite_write_transactions_total and
// sqlite_writer_busy_seconds_total.
func (db *DB) Metrics() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "sqlite_write_calls_total",
			Help: "Write calls (Tx) the embedded database's writer ran."},
			func() float64 { return float64(db.WriterStats().Calls) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "sqlite_write_transactions_total",
			Help: "Transactions (group commits) that carried the write calls."},
			func() float64 { return float64(db.WriterStats().Groups) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "sqlite_writer_busy_seconds_total",
			Help: "Time the embedded database's writer spent running write calls; its rate near 1 means the writer is the shop's limit."},
			func() float64 { return db.WriterStats().Busy.Seconds() }),
	}
}
