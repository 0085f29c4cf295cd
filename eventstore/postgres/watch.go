package postgres

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// watchIdle is how long the head watcher keeps its connection after the
// last waiter left; a relay or catch-up runner waits again within
// milliseconds, so in a running shop it never closes.
const watchIdle = 5 * time.Second

// watchAppName is the listening connection's application_name.
const watchAppName = "eventstore-head-watch"

// headWatch follows the store's head for every WaitForAppend of the
// process on one listening connection, taken out of the pool while anyone
// waits (and for watchIdle after). Listening once, rather than LISTEN,
// wait, UNLISTEN and back to the pool for every wait, takes the round
// trips and the pool's queue off the way of each event to the relay: a
// notification that arrives while the waiter reads is kept by the
// connection, so the next wait returns at once, and the head is queried on
// the listening connection itself.
type headWatch struct {
	s *Store

	mu      sync.Mutex
	head    uint64
	changed chan struct{} // closed and replaced when head grows
	waiters int
	running bool
	idle    time.Time // when waiters last dropped to 0
}

func (w *headWatch) wait(ctx context.Context, after uint64) (uint64, error) {
	w.mu.Lock()
	w.waiters++
	if !w.running {
		w.running = true
		go w.run()
	}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		if w.waiters--; w.waiters == 0 {
			w.idle = time.Now()
		}
		w.mu.Unlock()
	}()
	for {
		w.mu.Lock()
		head, ch := w.head, w.changed
		w.mu.Unlock()
		if head > after {
			return head, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (w *headWatch) publish(head uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if head > w.head {
		w.head = head
		close(w.changed)
		w.changed = make(chan struct{})
	}
}

// errIdle ends listen when nobody has waited for watchIdle.
var errIdle = errors.New("eventstore/postgres: head watch idle")

func (w *headWatch) idleLocked() bool { return w.waiters == 0 && time.Since(w.idle) >= watchIdle }

func (w *headWatch) isIdle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.idleLocked()
}

// stop records that the watcher ends if it is still idle; a waiter that
// comes later starts a new one.
func (w *headWatch) stop() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.idleLocked() {
		w.running = false
		return true
	}
	return false
}

// run listens until idle; a failed connection is replaced after a pause.
func (w *headWatch) run() {
	ctx := context.Background()
	for {
		err := w.listen(ctx)
		if w.stop() {
			return
		}
		if err != nil && !errors.Is(err, errIdle) {
			time.Sleep(PollInterval) // the pool or the server is down: waiters time out meanwhile
		}
	}
}

// listen takes a connection, LISTENs and publishes the head after every
// notification (and at least every PollInterval: a lost notification, or a
// transaction that held the high-water mark back has finished) until idle.
func (w *headWatch) listen(ctx context.Context) error {
	pc, err := w.s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	// Named so that it can be told apart in pg_stat_activity.
	if _, err := conn.Exec(ctx, "SET application_name = '"+watchAppName+"'; LISTEN "+NotifyChannel); err != nil {
		return err
	}
	// From here on other processes' appends are heard (and turn the heads
	// off); what happened before is not known.
	heard := func(*pgconn.Notification) {}
	if t := w.s.track; t != nil {
		t.reset(true)
		defer t.reset(false)
		heard = func(n *pgconn.Notification) { t.heard(n.Payload, w.s.self) }
	}
	for {
		head, err := headOn(ctx, conn)
		if err != nil {
			return err
		}
		w.publish(head)
		if w.isIdle() {
			return errIdle
		}
		wctx, cancel := context.WithTimeout(ctx, PollInterval)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) && !pgconn.Timeout(err) {
			return err
		}
		if n != nil {
			heard(n)
		}
		drainReceived(conn, heard)
	}
}

// done is an ended context: WaitForNotification with it hands out the
// notifications the connection has already read and never touches the
// socket.
var done = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// drainReceived takes the notifications that arrived while the head was
// being queried (each to heard: who sent it): one head query
// after them covers them all. Under load every append notified, and
// querying the head once per notification made the watcher the busiest
// client of the events table.
func drainReceived(conn *pgx.Conn, heard func(*pgconn.Notification)) {
	for {
		n, _ := conn.WaitForNotification(done)
		if n == nil {
			return
		}
		heard(n)
	}
}

func headOn(ctx context.Context, conn *pgx.Conn) (uint64, error) {
	var head int64
	err := conn.QueryRow(ctx, headSQL).Scan(&head)
	return uint64(head), err
}
