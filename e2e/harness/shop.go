package harness

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Sandbox test cards (payments/sandbox).
const (
	CardSuccess  = "4242 4242 4242 4242"
	CardDeclined = "4000 0000 0000 0002"
)

// Address is a valid shipping address for checkouts.
var Address = map[string]string{"name": "Test Shopper", "line1": "1 Test Street", "city": "Testville", "postalCode": "12345", "country": "DE"}

// Order is what GET /api/orders/{id} answers (the fields the tests read).
type Order struct {
	OrderID      string `json:"orderId"`
	CustomerID   string `json:"customerId"`
	Email        string `json:"email"`
	Status       string `json:"status"`
	CancelReason string `json:"cancelReason"`
	PaymentID    string `json:"paymentId"`
	Total        struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	} `json:"total"`
	Lines []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"lines"`
	History []struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"history"`
}

// Terminal reports whether the order reached the end of checkout.
func (o Order) Terminal() bool { return o.Status == "Paid" || o.Status == "Cancelled" }

// AddItem puts quantity of sku in the basket.
func (b *Browser) AddItem(ctx context.Context, sku string, quantity int) error {
	_, err := b.Expect(ctx, http.StatusOK, http.MethodPost, "/api/basket/items", map[string]any{"sku": sku, "quantity": quantity}, nil)
	return err
}

// Checkout checks the basket out with the sandbox card (or another payment
// object) under key and returns the order id and the raw answer; a status
// other than 202 is returned as the answer, not as an error, so callers can
// retry with the same key.
func (b *Browser) Checkout(ctx context.Context, key string, payment map[string]string) (string, Response, error) {
	r, err := b.Do(ctx, http.MethodPost, "/api/basket/checkout",
		map[string]any{"shippingAddress": Address, "payment": payment, "shippingMethod": "standard"}, map[string]string{"Idempotency-Key": key})
	if err != nil || r.Status != http.StatusAccepted {
		return "", r, err
	}
	var v struct {
		OrderID string `json:"orderId"`
	}
	if err := r.JSON(&v); err != nil {
		return "", r, err
	}
	if v.OrderID == "" {
		return "", r, fmt.Errorf("checkout: no orderId in %s", r)
	}
	return v.OrderID, r, nil
}

// SandboxCard is the payment object of a sandbox checkout.
func SandboxCard(number string) map[string]string {
	return map[string]string{"method": "sandbox", "cardNumber": number}
}

// Order reads one order; found is false on 404 (not projected yet).
func (b *Browser) Order(ctx context.Context, id string) (o Order, found bool, err error) {
	r, err := b.Do(ctx, http.MethodGet, "/api/orders/"+id, nil, nil)
	if err != nil {
		return Order{}, false, err
	}
	switch r.Status {
	case http.StatusOK:
		return o, true, r.JSON(&o)
	case http.StatusNotFound:
		return Order{}, false, nil
	}
	return Order{}, false, fmt.Errorf("GET order %s: %s", id, r)
}

// WaitOrder polls the order until its status is one of statuses.
func (b *Browser) WaitOrder(ctx context.Context, id string, statuses ...string) (Order, error) {
	var last Order
	for {
		o, found, err := b.Order(ctx, id)
		if err == nil && found {
			last = o
			if slices.Contains(statuses, o.Status) {
				return o, nil
			}
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("order %s stayed %q (want %v): %w", id, last.Status, statuses, ctx.Err())
		case <-time.After(150 * time.Millisecond):
		}
	}
}
