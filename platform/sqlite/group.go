package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
)

// Group commit.
//
// Every write of the embedded shop goes through the one write connection,
// and under load most of a write's time was spent waiting for it rather
// than using it: a loadgen run showed about 1,400 write transactions a
// second holding the connection 0.3 ms each and waiting 2–3 ms each for it
// (docs/benchmarks-durable.md). The connection sat idle between two holders
// while the next waiter was being woken and scheduled, and each transaction
// paid its own BEGIN and COMMIT (a WAL write each).
//
// Tx therefore hands its work to one goroutine, the committer, which owns
// the write connection. The committer takes every caller queued at that
// moment (at most maxGroup), opens one BEGIN IMMEDIATE transaction, runs
// their functions one after the other, each inside a SAVEPOINT of its own,
// and commits once; only then is each caller answered. So:
//
//   - a caller whose function fails (returns an error, or panics) is rolled
//     back to its savepoint: its writes are undone and the others' kept;
//   - callers run one at a time in queue order, each seeing the writes of
//     those before it, exactly as if their transactions had run in a row;
//   - a caller is answered only after the shared COMMIT, so a read after Tx
//     returns nil sees its writes;
//   - if the shared transaction is lost (COMMIT fails, or a failing caller
//     took the whole transaction down, as SQLite does when a write statement
//     is interrupted by its context's cancellation), every caller whose work
//     was in it gets an error and nothing of it is stored: to them it is a
//     failed commit, safe to retry. Callers not yet run go on in a fresh
//     transaction.
//
// A queue of one runs without a savepoint, as a plain transaction.

// maxGroup bounds the callers of one shared transaction, so that the first
// of a long queue is not answered only after very many others.
const maxGroup = 64

// errClosed answers Tx after Close.
var errClosed = errors.New("sqlite: database is closed")

// errLost answers the callers whose work was in a shared transaction that
// another caller's failure rolled back.
var errLost = errors.New("sqlite: the shared write transaction was rolled back by another writer's failure; nothing of this one was stored")

type txRequest struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan txResult // buffered: the committer never waits for the caller
}

type txResult struct {
	err error
	// panicked: fn panicked with panicVal, re-raised in the caller's
	// goroutine; exited: fn called runtime.Goexit (t.FailNow in a test),
	// repeated there too.
	panicked bool
	panicVal any
	exited   bool
}

// startCommitter starts the goroutine that owns the write connection.
func (db *DB) startCommitter() {
	db.queue = make(chan *txRequest)
	db.stop = make(chan struct{})
	db.stopped = make(chan struct{})
	go db.commitLoop()
}

// Tx runs fn in a write transaction (BEGIN IMMEDIATE): fn's writes are
// committed when it returns nil and undone otherwise. fn may share the
// transaction with other callers' functions (group commit, above), so it
// must do all its work through tx, must not call Tx itself (that waits
// forever, as it always did on the one write connection) and must not
// commit or roll back tx. It runs on another goroutine than the caller's;
// a panic in fn, or t.FailNow, is repeated in the caller's.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan txResult, 1)}
	select {
	case db.queue <- r:
	case <-db.stop:
		return fmt.Errorf("sqlite: begin: %w", errClosed)
	case <-ctx.Done():
		return ctx.Err()
	}
	res := <-r.done
	switch {
	case res.exited:
		runtime.Goexit()
	case res.panicked:
		panic(res.panicVal)
	}
	return res.err
}

// commitLoop serves the queue until Close.
func (db *DB) commitLoop() {
	clean := false
	defer func() {
		if clean {
			close(db.stopped)
			return
		}
		// A caller's function ended this goroutine (runtime.Goexit); the
		// group was answered by runGroup's deferred cleanup. Go on in a
		// new one.
		go db.commitLoop()
	}()
	group := make([]*txRequest, 0, maxGroup)
	for {
		select {
		case r := <-db.queue:
			group = append(group[:0], r)
		case <-db.stop:
			clean = true
			return
		}
	gather:
		for len(group) < maxGroup {
			select {
			case r := <-db.queue:
				group = append(group, r)
			default:
				break gather
			}
		}
		for pending := group; len(pending) > 0; {
			pending = db.runGroup(pending)
		}
		clear(group)
	}
}

// runGroup runs group in one transaction and answers its callers. When the
// transaction is lost half-way, the callers not yet run are returned
// unanswered, for a fresh transaction.
func (db *DB) runGroup(group []*txRequest) (rest []*txRequest) {
	results := make([]txResult, len(group))
	answered := 0 // group[:answered] get results[:answered]
	current := -1 // the member running
	defer func() {
		if answered < len(group) && rest == nil {
			// Only a Goexit in a caller's function leaves runGroup this
			// way (panics are recovered); the transaction is rolled back
			// (below): nobody's work is stored.
			for i := range group {
				if results[i].ok() {
					results[i] = txResult{err: errLost}
				}
			}
			results[current] = txResult{exited: true}
			answered = len(group)
		}
		for i := range answered {
			group[i].done <- results[i]
		}
	}()

	tx, err := db.Write.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range results {
			results[i].err = fmt.Errorf("sqlite: begin: %w", err)
		}
		answered = len(group)
		return nil
	}
	finished := false
	defer func() {
		if !finished {
			tx.Rollback() //nolint:errcheck // Goexit in a caller's function
		}
	}()

	if len(group) == 1 {
		current = 0
		results[0] = runOne(group[0], tx)
		if !results[0].ok() {
			tx.Rollback() //nolint:errcheck
		} else if err := tx.Commit(); err != nil {
			results[0].err = fmt.Errorf("sqlite: commit: %w", err)
		}
		finished, answered = true, 1
		return nil
	}

	bg := context.Background()
	var in []int // members whose writes are in tx
	lost := func(i int, err error) []*txRequest {
		tx.Rollback() //nolint:errcheck
		finished = true
		for _, j := range in {
			results[j].err = fmt.Errorf("%w (%v)", errLost, err)
		}
		// group[i] itself has its result; the rest go again.
		answered = i + 1
		return group[i+1:]
	}
	for i, r := range group {
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if _, err := tx.ExecContext(bg, `SAVEPOINT member`); err != nil {
			results[i].err = fmt.Errorf("sqlite: savepoint: %w", err)
			return lost(i, err)
		}
		current = i
		results[i] = runOne(r, tx)
		if !results[i].ok() {
			if _, err := tx.ExecContext(bg, `ROLLBACK TO member`); err != nil {
				return lost(i, err)
			}
		}
		if _, err := tx.ExecContext(bg, `RELEASE member`); err != nil {
			if results[i].ok() {
				results[i].err = fmt.Errorf("sqlite: release savepoint: %w", err)
			}
			return lost(i, err)
		}
		if results[i].ok() {
			in = append(in, i)
		}
	}
	err = tx.Commit()
	finished = true
	if err != nil {
		for _, j := range in {
			results[j].err = fmt.Errorf("sqlite: commit: %w", err)
		}
	}
	answered = len(group)
	return nil
}

func (r txResult) ok() bool { return r.err == nil && !r.panicked && !r.exited }

// runOne runs r's function with tx, turning a panic into a result. A
// runtime.Goexit cannot be stopped: it is recorded in the result, and the
// committer goroutine ends (commitLoop starts another).
func runOne(r *txRequest, tx *sql.Tx) (res txResult) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if v := recover(); v != nil {
			res = txResult{panicked: true, panicVal: v}
			return
		}
		res = txResult{exited: true}
	}()
	err := r.fn(tx)
	returned = true
	return txResult{err: err}
}
