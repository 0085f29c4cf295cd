// Package esdbstore opens the event store on EventStoreDB (EVENTSTORE=esdb).
// Only the binaries that open the event store import it, so only they link
// the EventStoreDB client (TestBinariesLinkOnlyWhatTheyRun).
package esdbstore

import (
	"context"

	"github.com/evshop/shop/eventstore/esdb"
	"github.com/evshop/shop/wiring/provider"
)

// Set fills the EventStoreDB adapter of s.
func Set(s *provider.Set) { s.ESDB = Open }

// Open connects to the EventStoreDB at url.
func Open(ctx context.Context, url string) (provider.ESDB, error) {
	st, err := esdb.New(ctx, url)
	if err != nil {
		return nil, err
	}
	return st, nil
}
