package checkout_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/evshop/shop/cmd/loadgen/load"
	"github.com/evshop/shop/e2e/harness"
)

// TestCustomersReadTheirOwnWrites (issue 16 item 8) runs the load generator
// with read checks against the server-mode cluster: eight customers at once,
// each adding items with the If-Match of its own preceding read, reading
// every write back, checking out and reading the order straight after the
// 202 (PlaceOrder is still travelling over RabbitMQ to the ordering service
// then). Every read must show the write before it, no write may be refused
// 412, no order may be missing.
func TestCustomersReadTheirOwnWrites(t *testing.T) {
	c := harness.Start(t, harness.Options{})
	const customers, orders = 8, 3
	rep, err := load.Run(context.Background(), load.Config{
		URL: c.GatewayURL, Mail: strings.TrimRight(c.SESURL, "/") + "/store",
		Customers: customers, OrdersPerCustomer: orders, Concurrency: customers, Lines: 2, SKUs: []string{"KIT-001", "KIT-002"},
		CheckReads: true, AdminEmail: c.AdminEmail, AdminPassword: c.AdminPassword, ClientIPs: netip.MustParsePrefix("198.18.4.0/24"),
	})
	if err != nil {
		t.Fatalf("run: %v (report %+v)", err, rep)
	}
	var text strings.Builder
	_ = rep.WriteText(&text)
	t.Logf("load report:\n%s", text.String())
	r := rep.Reads
	switch {
	case r == nil:
		t.Fatal("no read checks in the report")
	case r.BasketReads != customers*orders*rep.Lines || r.OrderReads != customers*orders:
		t.Fatalf("%d basket reads and %d order reads, want %d and %d", r.BasketReads, r.OrderReads, customers*orders*rep.Lines, customers*orders)
	case r.Stale != 0 || r.PreconditionFailed != 0 || r.OrderNotFound != 0:
		t.Fatalf("%d stale basket reads, %d writes refused 412, %d orders not found after checkout; errors %+v",
			r.Stale, r.PreconditionFailed, r.OrderNotFound, rep.Errors)
	}
	if rep.Placed != customers*orders || len(rep.Errors) != 0 {
		t.Fatalf("placed %d of %d; errors %+v", rep.Placed, customers*orders, rep.Errors)
	}
}
