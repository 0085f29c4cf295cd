// Package sqlitestores opens the durable embedded shop's database
// (SHOP_MODE=embedded, STORAGE=sqlite) on the SQLite driver. Only cmd/shop
// imports it, so only it (and cmd/shopctl, which reads data directories)
// links the driver (TestBinariesLinkOnlyWhatTheyRun). The stores' SQLite
// adapters (the sqlitestore packages the wiring opens on the *sqlite.DB) do
// not import the driver: a new one needs no line here.
package sqlitestores

import (
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
	"github.com/evshop/shop/wiring/provider"
)

// Set fills the embedded database's adapter of s.
func Set(s *provider.Set) { s.SQLite = sqlitedriver.Open }
