// Package testenv gives integration tests a private slice of the real servers
// (a fresh PostgreSQL database, a Redis key prefix, a MongoDB database, an AMQP
// name prefix) and cleans it up afterwards. When a server is unreachable the
// test is skipped, except under CI=true where it fails: CI must never pass by
// skipping.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Env var names and the defaults used on developer machines.
const (
	PostgresURLEnv = "TEST_POSTGRES_URL"
	RedisURLEnv    = "TEST_REDIS_URL"
	AMQPURLEnv     = "TEST_AMQP_URL"
	MongoURLEnv    = "TEST_MONGO_URL"
	SESURLEnv      = "TEST_SES_URL"
	StripeURLEnv   = "TEST_STRIPE_URL"
)

var defaults = map[string]string{
	PostgresURLEnv: "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
	RedisURLEnv:    "redis://127.0.0.1:6379/0",
	AMQPURLEnv:     "amqp://guest:guest@127.0.0.1:5672/",
	MongoURLEnv:    "mongodb://127.0.0.1:27017/",
	SESURLEnv:      "http://127.0.0.1:8005",
	StripeURLEnv:   "http://127.0.0.1:12111",
}

// URL returns the configured URL of a server (env var or default).
func URL(env string) string {
	if v := os.Getenv(env); v != "" {
		return v
	}
	return defaults[env]
}

// Require makes the test fail under CI=true, or skip otherwise, when the
// server behind env cannot be reached over TCP.
func Require(t testing.TB, env string) string {
	t.Helper()
	u := URL(env)
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatalf("testenv: %s=%q is not a URL: %v", env, u, err)
	}
	host := parsed.Host
	if !strings.Contains(host, ":") {
		host += ":" + map[string]string{"postgres": "5432", "redis": "6379", "amqp": "5672", "mongodb": "27017", "http": "80"}[parsed.Scheme]
	}
	conn, err := net.DialTimeout("tcp", host, 2*time.Second)
	if err != nil {
		Unavailable(t, fmt.Sprintf("%s (%s) unreachable: %v", env, host, err))
	}
	conn.Close()
	return u
}

// Unavailable fails under CI=true and skips otherwise.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required server missing under CI=true: %s", why)
	}
	t.Skipf("server missing (set CI=true to fail instead): %s", why)
}

// Name returns a short unique lower-case name with prefix, safe as a database,
// queue or key prefix.
func Name(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	return prefix + "_" + hex.EncodeToString(b)
}

// PostgresURL creates a fresh database, drops it when the test ends, and
// returns its URL.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := Require(t, PostgresURLEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		Unavailable(t, "postgres: "+err.Error())
	}
	defer admin.Close(ctx)
	db := Name("t")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") //nolint:errcheck
	})
	u, _ := url.Parse(base)
	u.Path = "/" + db
	return u.String()
}

// Postgres returns a pool on a fresh database, closed and dropped at cleanup.
// Its 16 connections are enough for the racing tests to contend in the
// database, and `make test` (two packages at a time, two parallel tests each)
// stays well under PostgreSQL's 100 connections with room for the servers.
func Postgres(t testing.TB) *pgxpool.Pool {
	t.Helper()
	u := PostgresURL(t)
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
