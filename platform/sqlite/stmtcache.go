package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
)

// Every store runs its SQL through database/sql's ExecContext and
// QueryContext, which hand the driver the query text each time: SQLite then
// parses and plans the statement again (under load, a sixth of the durable
// shop's CPU went to the parser, most of it on the write connection). The
// connections DB opens therefore keep the statements they ran, prepared,
// by query text: the stores stay plain database/sql, on the write
// connection inside a transaction too (preparing there would need a second
// connection, and the write pool has one).

// maxCachedStmts bounds the statements one connection keeps; queries past
// it run unprepared as before (the shop has a few hundred distinct ones).
const maxCachedStmts = 512

// conn is what every connection modernc.org/sqlite opens implements
// (see its NewConnector).
type conn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type stmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// openDB opens dsn through connections that keep their statements. With
// detached, their statements run detached from their callers' contexts
// (the write connection, see cachingConn.detached).
func openDB(connect Connector, dsn string, detached bool) (*sql.DB, error) {
	base, err := connect(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{base, detached}), nil
}

type cachingConnector struct {
	driver.Connector
	detached bool
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	full, ok := dc.(conn)
	if !ok {
		dc.Close()
		return nil, errors.New("sqlite: the driver's connection lacks a context method (modernc.org/sqlite changed?)")
	}
	return &cachingConn{conn: full, stmts: map[string]*cached{}, detached: c.detached}, nil
}

// cachingConn is one connection with its prepared statements. database/sql
// uses a connection from one goroutine at a time; the mutex guards rows
// closed later from another.
type cachingConn struct {
	conn

	mu    sync.Mutex
	stmts map[string]*cached

	// detached: statements run under context.WithoutCancel of their
	// caller's context. On the write connection a statement belongs to a
	// group transaction shared by many callers (group.go): one caller going
	// away must not interrupt it (SQLite would end the whole transaction),
	// and with a context that cannot end, the driver skips what watching one
	// costs on every statement (a goroutine, a progress handler). A call
	// whose context ended before its turn is not run (commitSome).
	detached bool
}

// stmtCtx is the context a statement runs under (see detached).
func (c *cachingConn) stmtCtx(ctx context.Context) context.Context {
	if c.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// cached is a prepared statement; busy while rows of it are open (a second
// query of the same text meanwhile runs unprepared).
type cached struct {
	st   stmt
	busy bool
}

// Unwrap returns the driver's connection (modernc.org/sqlite's Limit needs it).
func (c *cachingConn) Unwrap() driver.Conn { return c.conn }

// take returns the statement for query, prepared on first use and marked
// busy, or nil when it cannot be kept (in use, or the cache is full).
func (c *cachingConn) take(ctx context.Context, query string) (*cached, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		s.busy = true
		return s, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil, nil
	}
	ds, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(stmt)
	if !ok {
		ds.Close()
		return nil, nil
	}
	s := &cached{st: st, busy: true}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) release(s *cached) {
	c.mu.Lock()
	s.busy = false
	c.mu.Unlock()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctx = c.stmtCtx(ctx)
	s, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.conn.ExecContext(ctx, query, args)
	}
	defer c.release(s)
	return s.st.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	ctx = c.stmtCtx(ctx)
	s, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.conn.QueryContext(ctx, query, args)
	}
	r, err := s.st.QueryContext(ctx, args)
	if err != nil {
		c.release(s)
		return nil, err
	}
	if full, ok := r.(rows); ok {
		return &cachedRows{rows: full, done: func() { c.release(s) }}, nil
	}
	return &plainRows{Rows: r, done: func() { c.release(s) }}, nil
}

// PrepareContext hands out the kept statement for query (database/sql's
// Prepare: the read models prepare their batch writes on the transaction,
// and ReadStmt its hot reads on the pool), which Close gives back instead of
// finalizing. A statement in use elsewhere, or one past the bound, is
// prepared afresh as before.
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		ds, err := c.conn.PrepareContext(ctx, query)
		if st, ok := ds.(stmt); ok && err == nil && c.detached {
			return detachedStmt{st}, nil
		}
		return ds, err
	}
	return &keptStmt{c: c, s: s}, nil
}

// detachedStmt is a statement prepared afresh on a detached connection: it
// runs detached too.
type detachedStmt struct{ stmt }

func (d detachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return d.stmt.ExecContext(context.WithoutCancel(ctx), args)
}

func (d detachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return d.stmt.QueryContext(context.WithoutCancel(ctx), args)
}

// keptStmt lends a kept statement to one database/sql statement. It is
// given back once that is closed and its last rows are (database/sql may
// close a transaction's statement before the rows of it).
type keptStmt struct {
	c *cachingConn
	s *cached

	mu       sync.Mutex
	open     int // rows not closed yet
	closed   bool
	returned bool
}

func (k *keptStmt) NumInput() int { return k.s.st.NumInput() }

func (k *keptStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return k.s.st.ExecContext(k.c.stmtCtx(ctx), args)
}

func (k *keptStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	r, err := k.s.st.QueryContext(k.c.stmtCtx(ctx), args)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.open++
	k.mu.Unlock()
	done := func() { k.giveBack(func() { k.open-- }) }
	if full, ok := r.(rows); ok {
		return &cachedRows{rows: full, done: done}, nil
	}
	return &plainRows{Rows: r, done: done}, nil
}

// Exec and Query are driver.Stmt's context-free forms, which database/sql
// does not call when the context ones exist.
func (k *keptStmt) Exec(args []driver.Value) (driver.Result, error) {
	return k.ExecContext(context.Background(), named(args))
}

func (k *keptStmt) Query(args []driver.Value) (driver.Rows, error) {
	return k.QueryContext(context.Background(), named(args))
}

func (k *keptStmt) Close() error {
	k.giveBack(func() { k.closed = true })
	return nil
}

// giveBack applies change, then returns the statement to its connection
// once it is closed with no rows open, exactly once.
func (k *keptStmt) giveBack(change func()) {
	k.mu.Lock()
	change()
	ret := k.closed && k.open == 0 && !k.returned
	k.returned = k.returned || ret
	k.mu.Unlock()
	if ret {
		k.c.release(k.s)
	}
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// Close finalizes the kept statements, then closes the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.st.Close())
		delete(c.stmts, q)
	}
	c.mu.Unlock()
	return errors.Join(append(errs, c.conn.Close())...)
}

// rows is what the driver's rows implement.
type rows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// cachedRows gives its statement back when closed (the driver resets it).
type cachedRows struct {
	rows
	done func()
	once sync.Once
}

func (r *cachedRows) Close() error {
	err := r.rows.Close()
	r.once.Do(r.done)
	return err
}

// plainRows is cachedRows for rows without the column-type methods.
type plainRows struct {
	driver.Rows
	done func()
	once sync.Once
}

func (r *plainRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.done)
	return err
}

// BeginTx implements driver.ConnBeginTx. On the write connection (the
// detached one, opened with _txlock=immediate) BEGIN IMMEDIATE, COMMIT and
// ROLLBACK run as kept statements too: the driver prepares each afresh
// (its BEGIN and COMMIT took a third of their time in the parser, a tenth of
// the writer's, with the durable shop's ~6 transactions per checkout). Other
// connections begin through the driver.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if !c.detached || opts.ReadOnly || opts.Isolation != driver.IsolationLevel(sql.LevelDefault) {
		return c.conn.BeginTx(ctx, opts)
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE", nil); err != nil {
		return nil, err
	}
	return keptTx{c}, nil
}

// keptTx is a transaction begun with a kept statement (BeginTx).
type keptTx struct{ c *cachingConn }

func (t keptTx) Commit() error {
	_, err := t.c.ExecContext(context.Background(), "COMMIT", nil)
	if err != nil {
		// A failed COMMIT may leave the transaction open; database/sql
		// expects none after Commit, so roll back (an error here only says
		// there was none left).
		t.c.ExecContext(context.Background(), "ROLLBACK", nil) //nolint:errcheck
	}
	return err
}

func (t keptTx) Rollback() error {
	_, err := t.c.ExecContext(context.Background(), "ROLLBACK", nil)
	return err
}
