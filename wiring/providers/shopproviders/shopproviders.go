// Package shopproviders sets every provider: what the one-process shop
// (cmd/shop) links, since it runs every service on any storage; tests that
// build that shop take the same.
package shopproviders

import (
	"github.com/evshop/shop/wiring/provider"
	"github.com/evshop/shop/wiring/providers/esdbstore"
	"github.com/evshop/shop/wiring/providers/mailproviders"
	"github.com/evshop/shop/wiring/providers/mongostores"
	"github.com/evshop/shop/wiring/providers/paymentproviders"
	"github.com/evshop/shop/wiring/providers/sqlitestores"
)

// Set fills every adapter of s.
func Set(s *provider.Set) {
	paymentproviders.Set(s)
	mailproviders.Set(s)
	mongostores.Set(s)
	esdbstore.Set(s)
	sqlitestores.Set(s)
}
