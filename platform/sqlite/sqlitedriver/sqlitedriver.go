// Package sqlitedriver opens the embedded database on modernc.org/sqlite
// (pure Go, no cgo). It is the one package of the shop that imports the
// driver: a binary links it only by importing this package, which
// cmd/shop (through wiring/providers/sqlitestores), cmd/shopctl and the
// tests do; the service binaries do not (wiring/provider's link test).
package sqlitedriver

import (
	"context"

	msqlite "modernc.org/sqlite"

	"github.com/evshop/shop/platform/sqlite"
)

// Open opens (creating if missing) the embedded database at path; see
// sqlite.OpenWith.
func Open(ctx context.Context, path string) (*sqlite.DB, error) {
	return sqlite.OpenWith(ctx, path, msqlite.NewConnector)
}
