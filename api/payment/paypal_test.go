package payment_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/evshop/shop/api/apitest"
	api "github.com/evshop/shop/api/payment"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/paypal"
	"github.com/evshop/shop/payments/paypal/paypaltest"
	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/guestorder"
	"github.com/evshop/shop/platform/httpx"
	projection "github.com/evshop/shop/projections/payments"
)

type paypalEnv struct {
	app   *fiber.App
	h     *cmdpay.Handlers
	fake  *paypaltest.Server
	links *guestorder.Signer
}

// newPayPalEnv serves the payments API with the sandbox and the PayPal
// adapter on the fake PayPal.
func newPayPalEnv(t *testing.T) *paypalEnv {
	t.Helper()
	e := &paypalEnv{fake: paypaltest.New(t)}
	pp, err := paypal.New(paypal.Config{ClientID: paypaltest.ClientID, ClientSecret: paypaltest.ClientSecret, BaseURL: e.fake.URL,
		ReturnURL: "http://shop.test/checkout/paypal/return", CancelURL: "http://shop.test/checkout/paypal/cancel"})
	if err != nil {
		t.Fatal(err)
	}
	if e.h, err = cmdpay.NewHandlers(cmdpay.Config{Store: memory.New(), Gateways: payments.Router{"sandbox": sandbox.New(), "paypal": pp}}); err != nil {
		t.Fatal(err)
	}
	if e.links, err = guestorder.NewSigner([]byte("a test key of at least thirty-two bytes")); err != nil {
		t.Fatal(err)
	}
	a, err := api.New(api.Deps{Reader: projection.NewMemory(), Commands: e.h, PayPal: pp, Dedupe: messaging.NewMemoryDeduper(), OrderLinks: e.links})
	if err != nil {
		t.Fatal(err)
	}
	e.app = fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	e.app.Use(func(c *fiber.Ctx) error {
		if who := c.Get("X-Test-User"); who != "" {
			authn.WithPrincipal(c, authn.Principal{UserID: who, Roles: []authn.Role{authn.RoleCustomer}})
		}
		return c.Next()
	})
	a.Mount(e.app.Group("/api/payments"))
	return e
}

// call sends a request, checks the answer against the contract, and returns
// the status and the decoded body.
func (e *paypalEnv) call(t *testing.T, method, path, user, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	apitest.CheckJSON(t, method, path, body, resp.StatusCode, resp.Header, raw)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// open starts a payment of customer for a new order with method and
// returns its id and (PayPal) order id.
func (e *paypalEnv) open(t *testing.T, customer, method string) (paymentID, ref string) {
	t.Helper()
	orderID := uuid.NewString()
	paymentID = domain.IDForOrder(orderID)
	token := ""
	if method == "sandbox" {
		token = sandbox.TokenSuccess
	}
	if err := e.h.AuthorizePayment(context.Background(), &cmdpay.AuthorizePayment{PaymentID: paymentID, OrderID: orderID, CustomerID: customer,
		Amount: money.DTO{Amount: 2599, Currency: "EUR"}, Method: method, Token: token}); err != nil {
		t.Fatal(err)
	}
	p, err := e.h.Load(context.Background(), paymentID)
	if err != nil {
		t.Fatal(err)
	}
	return paymentID, p.GatewayRef()
}

// press has the buyer press "approve" or "cancel" on the fake's approval page.
func press(t *testing.T, approveURL, button string) {
	t.Helper()
	u, err := url.Parse(approveURL)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(u.Scheme+"://"+u.Host+"/checkoutnow/"+button, url.Values{"token": {u.Query().Get("token")}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s at PayPal: %d", button, res.StatusCode)
	}
}

type step struct {
	name, method, path, user, body string
	want                           int
	wantStatus                     string // the payment's status in a 200 answer
}

func run(t *testing.T, e *paypalEnv, steps []step) {
	t.Helper()
	for _, s := range steps {
		code, out := e.call(t, s.method, s.path, s.user, s.body)
		if code != s.want || (s.wantStatus != "" && out["status"] != s.wantStatus) {
			t.Fatalf("%s: %d %v, want %d %s", s.name, code, out, s.want, s.wantStatus)
		}
	}
}

// TestPayPalApproveFlow: the owner gets the approval link while the payment
// waits; the return before approval is refused; after the buyer approves at
// PayPal the return authorizes the payment, once, and is idempotent.
func TestPayPalApproveFlow(t *testing.T) {
	t.Parallel()
	e := newPayPalEnv(t)
	pid, ref := e.open(t, "ann", "paypal")
	sandboxPid, _ := e.open(t, "ann", "sandbox")
	tok := func(s string) string { return `{"token":"` + s + `"}` }
	approval := "/api/payments/" + pid + "/approval"
	run(t, e, []step{
		{"approval: anonymous", "GET", approval, "", "", 401, ""},
		{"approval: someone else", "GET", approval, "bob", "", 404, ""},
		{"approval: bad id", "GET", "/api/payments/x/approval", "ann", "", 422, ""},
		{"approval: unknown payment", "GET", "/api/payments/" + uuid.NewString() + "/approval", "ann", "", 404, ""},
		{"approval: a sandbox payment", "GET", "/api/payments/" + sandboxPid + "/approval", "ann", "", 409, ""},
	})
	code, out := e.call(t, "GET", approval, "ann", "")
	link, _ := out["approveUrl"].(string)
	if code != 200 || !strings.HasPrefix(link, e.fake.URL+"/checkoutnow?token="+ref) {
		t.Fatalf("approval link: %d %v", code, out)
	}
	run(t, e, []step{
		{"return before approval", "POST", "/api/payments/paypal/return", "ann", tok(ref), 409, ""},
	})
	press(t, link, "approve")
	run(t, e, []step{
		{"return: malformed token", "POST", "/api/payments/paypal/return", "ann", tok("<script>"), 422, ""},
		{"return: no token", "POST", "/api/payments/paypal/return", "ann", `{}`, 422, ""},
		{"return: unknown field", "POST", "/api/payments/paypal/return", "ann", `{"token":"` + ref + `","paymentId":"x"}`, 422, ""},
		{"return: unknown order", "POST", "/api/payments/paypal/return", "ann", tok("NOSUCHORDER1234"), 404, ""},
		{"return: someone else's order", "POST", "/api/payments/paypal/return", "bob", tok(ref), 404, ""},
		{"return: anonymous", "POST", "/api/payments/paypal/return", "", tok(ref), 401, ""},
		{"return", "POST", "/api/payments/paypal/return", "ann", tok(ref), 200, "authorized"},
		{"return again", "POST", "/api/payments/paypal/return", "ann", tok(ref), 200, "authorized"},
		{"cancel after approval", "POST", "/api/payments/paypal/cancel", "ann", tok(ref), 409, ""},
		{"approval after authorization", "GET", approval, "ann", "", 409, ""},
	})
	if n := e.fake.Calls("orders.authorize"); n != 1 {
		t.Fatalf("PayPal authorized %d times, want 1", n)
	}
	if st := e.fake.AuthorizationStatus(ref); st != "CREATED" {
		t.Fatalf("authorization at PayPal: %q", st)
	}
}

// TestPayPalGuestFlow: a guest buyer has no session; the signed token of
// the order's status link opens the approval link, the return and the
// cancel of that order's payment, and of no other.
func TestPayPalGuestFlow(t *testing.T) {
	t.Parallel()
	e := newPayPalEnv(t)
	guest := "guest-" + uuid.NewString()
	pid, ref := e.open(t, guest, "paypal")
	other, otherRef := e.open(t, guest, "paypal")
	load := func(id string) string {
		p, err := e.h.Load(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return p.OrderID()
	}
	orderID, otherOrder := load(pid), load(other)
	token, otherToken := e.links.Token(orderID), e.links.Token(otherOrder)
	body := func(ref, orderToken string) string {
		return `{"token":"` + ref + `","orderToken":"` + orderToken + `"}`
	}
	approval := "/api/payments/" + pid + "/approval"
	run(t, e, []step{
		{"approval: no session, no token", "GET", approval, "", "", 401, ""},
		{"approval: another order's token", "GET", approval + "?orderToken=" + otherToken, "", "", 404, ""},
		{"approval: a forged token", "GET", approval + "?orderToken=" + token[:len(token)-2] + "xx", "", "", 404, ""},
		{"list: another order's token", "GET", "/api/payments?orderId=" + orderID + "&orderToken=" + otherToken, "", "", 404, ""},
		{"list: the order's token", "GET", "/api/payments?orderId=" + orderID + "&orderToken=" + token, "", "", 200, ""},
		{"cancel: another order's token", "POST", "/api/payments/paypal/cancel", "", body(ref, otherToken), 404, ""},
	})
	code, out := e.call(t, "GET", approval+"?orderToken="+token, "", "")
	if code != 200 {
		t.Fatalf("approval with the order's token: %d %v", code, out)
	}
	press(t, out["approveUrl"].(string), "approve")
	run(t, e, []step{
		{"return: another order's token", "POST", "/api/payments/paypal/return", "", body(ref, otherToken), 404, ""},
		{"return: no token", "POST", "/api/payments/paypal/return", "", `{"token":"` + ref + `"}`, 401, ""},
		{"return", "POST", "/api/payments/paypal/return", "", body(ref, token), 200, "authorized"},
		{"cancel the other order's payment with its own token", "POST", "/api/payments/paypal/cancel", "", body(otherRef, otherToken), 200, "failed"},
	})
}

// TestPayPalCancelFlow: the buyer cancels at PayPal; the payment fails with
// buyer_cancelled, once; a later return or approval link is refused.
func TestPayPalCancelFlow(t *testing.T) {
	t.Parallel()
	e := newPayPalEnv(t)
	pid, ref := e.open(t, "ann", "paypal")
	code, out := e.call(t, "GET", "/api/payments/"+pid+"/approval", "ann", "")
	if code != 200 {
		t.Fatalf("approval: %d %v", code, out)
	}
	press(t, out["approveUrl"].(string), "cancel")
	tok := `{"token":"` + ref + `"}`
	run(t, e, []step{
		{"cancel: someone else", "POST", "/api/payments/paypal/cancel", "bob", tok, 404, ""},
		{"cancel", "POST", "/api/payments/paypal/cancel", "ann", tok, 200, "failed"},
		{"cancel again", "POST", "/api/payments/paypal/cancel", "ann", tok, 200, "failed"},
		{"return after cancel", "POST", "/api/payments/paypal/return", "ann", tok, 409, ""},
		{"approval after cancel", "GET", "/api/payments/" + pid + "/approval", "ann", "", 409, ""},
	})
	p, err := e.h.Load(context.Background(), pid)
	if err != nil || p.Status() != domain.StatusFailed || p.FailCode() != api.BuyerCancelledCode {
		t.Fatalf("payment %v %q %v", p.Status(), p.FailCode(), err)
	}
}
