package identity_test

import (
	"context"
	"testing"
	"time"

	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/commands/identity/identitytest"
	"github.com/evshop/shop/commands/identity/memstore"
	"github.com/evshop/shop/commands/identity/pgstore"
	"github.com/evshop/shop/commands/identity/redisstore"
	"github.com/evshop/shop/commands/identity/sqlitestore"
	"github.com/evshop/shop/platform/testenv"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	identitytest.RunStore(t, func(t *testing.T) (ident.Store, identitytest.OutboxReader) {
		s := memstore.New()
		return s, s.Outbox()
	})
}

func TestPostgresStore(t *testing.T) {
	t.Parallel()
	identitytest.RunStore(t, func(t *testing.T) (ident.Store, identitytest.OutboxReader) {
		s, err := pgstore.New(context.Background(), testenv.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		return s, s.Outbox()
	})
}

func TestMemorySessions(t *testing.T) {
	t.Parallel()
	identitytest.RunSessions(t, func(t *testing.T) (ident.Sessions, identitytest.Clock) {
		c := testenv.NewClock(time.Now())
		return memstore.NewSessions(c.Now), identitytest.Clock{Now: c.Now, Wait: c.Advance}
	})
}

func TestRedisSessions(t *testing.T) {
	t.Parallel()
	identitytest.RunSessions(t, func(t *testing.T) (ident.Sessions, identitytest.Clock) {
		client, prefix := testenv.Redis(t)
		return redisstore.New(client, prefix), identitytest.Clock{Now: time.Now, Wait: time.Sleep}
	})
}

func TestSQLiteStore(t *testing.T) {
	t.Parallel()
	identitytest.RunStore(t, func(t *testing.T) (ident.Store, identitytest.OutboxReader) {
		s, err := sqlitestore.New(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s, s.Outbox()
	})
}

func TestSQLiteSessions(t *testing.T) {
	t.Parallel()
	identitytest.RunSessions(t, func(t *testing.T) (ident.Sessions, identitytest.Clock) {
		c := testenv.NewClock(time.Now())
		s, err := sqlitestore.NewSessions(context.Background(), testenv.SQLite(t), c.Now)
		if err != nil {
			t.Fatal(err)
		}
		return s, identitytest.Clock{Now: c.Now, Wait: c.Advance}
	})
}
