package wiring_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/mail/memory"
)

// TestEmbeddedShopReturn goes through the one-process shop's HTTP API: a
// customer (the bootstrap admin, who shops too) buys two kits, staff ship and
// deliver them, the customer asks to return one, staff approve and receive
// it as restockable; the unit is back on hand, the payment refunds its share
// under the return's refund id, the return and the order say so, and each
// step mailed the customer once.
func TestEmbeddedShopReturn(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the embedded shop")
	}
	const email, password = "admin@returns.test", "returns admin passphrase"
	_, base := startEmbeddedShop(t, map[string]string{"AUTH_BOOTSTRAP_ADMIN_EMAIL": email, "AUTH_BOOTSTRAP_ADMIN_PASSWORD": password,
		"OPS_EMAIL": "", "METRICS_ADDR": "", "RATE_LIMIT": "100000", "ADDR": "127.0.0.1:8080",
		"DATA_DIR": t.TempDir()}) // not the developer's shop
	c := serverShop{gatewayURL: base}.caller(t, "")
	if status := c.login(email, password); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	const sku = "KIT-001"
	onHand := func() int {
		var p struct{ OnHand int }
		if status := c.do(http.MethodGet, "/api/catalog/products/"+sku, nil, &p); status != http.StatusOK {
			t.Fatalf("product: %d", status)
		}
		return p.OnHand
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	type order struct {
		Status   string
		Total    struct{ Amount int64 }
		Refunded *struct{ Amount int64 }
	}
	var o order
	waitOrder := func(id, status string) {
		t.Helper()
		waitFor("order "+id+" to be "+status, func() bool {
			return c.do(http.MethodGet, "/api/orders/"+id, nil, &o) == http.StatusOK && o.Status == status
		})
	}
	if status := c.do(http.MethodPost, "/api/basket/items", map[string]any{"sku": sku, "quantity": 2}, nil); status != http.StatusOK {
		t.Fatalf("add to basket: %d", status)
	}
	var placed struct{ OrderID string }
	body := map[string]any{"payment": map[string]string{"method": "sandbox", "cardNumber": "4242424242424242"}, "shippingMethod": "standard",
		"shippingAddress": map[string]string{"name": "Re Turner", "line1": "1 Test Street", "city": "Berlin", "postalCode": "10115", "country": "DE"}}
	if status := c.doWith(http.MethodPost, "/api/basket/checkout", body, &placed, "Idempotency-Key", "return-checkout-1"); status != http.StatusAccepted {
		t.Fatalf("checkout: %d", status)
	}
	id := placed.OrderID
	waitOrder(id, "Paid")
	if status := c.do(http.MethodPost, "/api/admin/orders/"+id+"/ship", map[string]string{"carrier": "DHL", "trackingNumber": "RT1"}, nil); status != http.StatusOK {
		t.Fatalf("ship: %d", status)
	}
	if status := c.do(http.MethodPost, "/api/admin/orders/"+id+"/deliver", nil, nil); status != http.StatusOK {
		t.Fatalf("deliver: %d", status)
	}
	before := onHand()

	type ret struct {
		ID, Status string
		Refund     *struct{ Amount int64 }
	}
	var r ret
	req := map[string]any{"lines": []map[string]any{{"sku": sku, "quantity": 1}}, "reason": "no_longer_needed"}
	if status := c.doWith(http.MethodPost, "/api/orders/"+id+"/returns", req, &r, "Idempotency-Key", "return-1"); status != http.StatusCreated || r.ID != id+"-r1" {
		t.Fatalf("request: %d %+v", status, r)
	}
	if status := c.do(http.MethodPost, "/api/admin/returns/"+r.ID+"/approve", nil, &r); status != http.StatusOK || r.Status != "Approved" {
		t.Fatalf("approve: %d %+v", status, r)
	}
	recv := map[string]any{"lines": []map[string]any{{"sku": sku, "restock": 1, "damaged": 0}}}
	if status := c.do(http.MethodPost, "/api/admin/returns/"+r.ID+"/receive", recv, &r); status != http.StatusOK || r.Refund == nil {
		t.Fatalf("receive: %d %+v", status, r)
	}
	// Half the lines' gross: the order has one line of two units and ships
	// for a charge the partial return keeps.
	share := r.Refund.Amount
	waitFor("the return to be refunded", func() bool {
		return c.do(http.MethodGet, "/api/admin/returns/"+r.ID, nil, &r) == http.StatusOK && r.Status == "Refunded"
	})
	waitOrder(id, "PartiallyRefunded")
	if o.Refunded == nil || o.Refunded.Amount != share || share <= 0 || 2*share > o.Total.Amount {
		t.Fatalf("order after the return: %+v (refund %d)", o, share)
	}
	waitFor("the unit back on hand", func() bool { return onHand() == before+1 })

	// The payments list is a read model of its own: it follows within moments.
	waitFor("the payment to show the partial refund", func() bool {
		var payments struct {
			Payments []struct{ Status string }
		}
		return c.do(http.MethodGet, "/api/payments?orderId="+id, nil, &payments) == http.StatusOK &&
			len(payments.Payments) == 1 && payments.Payments[0].Status == "partially_refunded"
	})
	// The staff list is a read model: it follows within moments.
	waitFor("the staff list to show the refunded return", func() bool {
		var list struct{ Items []ret }
		return c.do(http.MethodGet, "/api/admin/returns?status=Refunded", nil, &list) == http.StatusOK && len(list.Items) == 1 && list.Items[0].ID == r.ID
	})
	waitFor("one mail per return step", func() bool {
		var sent []memory.Sent
		if c.do(http.MethodGet, "/dev/mail.json", nil, &sent) != http.StatusOK {
			return false
		}
		seen := map[string]int{}
		for _, m := range sent {
			if m.To != email {
				continue
			}
			for _, s := range []string{"received your return request", "is approved", "for your return", "We refunded"} {
				if strings.Contains(m.Subject, s) {
					seen[s]++
				}
			}
		}
		// "We refunded" matches only the return's refund mail: the
		// payment's own refund mail is not sent for a return.
		return seen["received your return request"] == 1 && seen["is approved"] == 1 && seen["for your return"] == 1 && seen["We refunded"] == 1
	})
}
