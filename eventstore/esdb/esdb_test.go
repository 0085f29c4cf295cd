package esdb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/esdb"
	"github.com/evshop/shop/eventstore/eventstoretest"
)

// ESDBURLEnv names the connection string of a test EventStoreDB, e.g.
// esdb://127.0.0.1:2113?tls=false. No such server is installed here, so the
// contract runs only where one is provided.
const ESDBURLEnv = "ESDB_URL"

func TestContract(t *testing.T) {
	url := os.Getenv(ESDBURLEnv)
	if url == "" {
		t.Skip("esdb contract: ESDB_URL not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := esdb.New(ctx, url)
	if err != nil {
		t.Fatalf("connect to %s: %v", ESDBURLEnv, err)
	}
	t.Cleanup(func() { s.Close() }) //nolint:errcheck
	// One shared server: the suite isolates its cases by stream prefix.
	eventstoretest.Run(t, func(*testing.T) eventstore.Store { return s },
		eventstoretest.WithoutGlobalIDUniqueness(),
		eventstoretest.WithoutStrictRetryConflicts(),
		eventstoretest.WithoutStreamReadPositions(),
	)
}

func TestNewRejectsBadConnectionString(t *testing.T) {
	t.Parallel()
	for _, cs := range []string{"", "http://nope", "esdb://"} {
		if _, err := esdb.New(context.Background(), cs); err == nil {
			t.Errorf("New(%q) succeeded", cs)
		}
	}
}
