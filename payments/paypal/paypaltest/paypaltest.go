// Package paypaltest is a local stand-in for PayPal, built from PayPal's
// published API description (payments/paypal/testdata: Checkout Orders v2
// and Payments v2, OpenAPI 3). It serves what the shop's adapter calls — the
// OAuth2 client-credentials token, create / get / authorize order, capture
// and void an authorization, refund a capture — and the buyer's approval
// page at the link it hands out (GET /checkoutnow?token=…, with Approve and
// Cancel buttons that send the buyer to the order's return or cancel URL).
//
// Every API request is checked against the description (path, method,
// parameters, body schema) with kin-openapi, and so is every answer the fake
// gives; a mismatch is reported (a test fails) and answered 400
// INVALID_REQUEST as PayPal would. The token endpoint is not part of either
// document; it is checked by hand (Basic credentials, grant_type).
package paypaltest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Default credentials of the fake merchant.
const (
	ClientID     = "fake-paypal-client"
	ClientSecret = "fake-paypal-secret"
)

// Documents are the API descriptions the fake is built from, relative to
// this package.
var Documents = []string{"../testdata/checkout_orders_v2.json", "../testdata/payments_payment_v2.json"}

// Options configure a fake.
type Options struct {
	// Report receives every contract mismatch (a test passes t.Errorf).
	Report func(error)
	// ClientID and ClientSecret are the credentials the token endpoint
	// accepts; default ClientID and ClientSecret.
	ClientID, ClientSecret string
	// DocDir holds the two documents; default this package's ../testdata.
	DocDir string
}

// Server is a running fake PayPal.
type Server struct {
	// URL is the API base (PAYPAL_URL) and the host of approval links.
	URL string

	opts    Options
	routers []routers.Router
	ts      *httptest.Server

	mu       sync.Mutex
	tokens   map[string]bool
	orders   map[string]*order
	auths    map[string]*authorization
	captures map[string]*capture
	replies  map[string]reply // PayPal-Request-Id → first answer
	calls    map[string]int
	declined map[string]bool // orders whose authorization is declined
}

type reply struct {
	status int
	body   []byte
}

type money struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

type order struct {
	id, intent, status string
	units              []json.RawMessage
	amount             money
	customID, refID    string
	returnURL          string
	cancelURL          string
	payerID            string
	authID             string
	created            time.Time
}

type authorization struct {
	id, orderID, status string
	amount              money
	customID            string
	created             time.Time
	captureID           string
}

type capture struct {
	id, authID string
	amount     money
	refunded   int64 // minor units
	created    time.Time
}

// New starts a fake on a loopback port for a test; mismatches fail t and
// the server stops at t.Cleanup.
func New(t interface {
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Cleanup(func())
	Helper()
}) *Server {
	t.Helper()
	s, err := newServer(Options{Report: func(err error) { t.Errorf("paypaltest: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	s.ts = httptest.NewServer(s)
	s.URL = s.ts.URL
	if err := s.route(); err != nil {
		s.ts.Close()
		t.Fatal(err)
	}
	t.Cleanup(s.ts.Close)
	return s
}

// NewHandler builds a fake for a process of its own (cmd/fakepaypal):
// publicURL is its base as the shop and browsers reach it; serve it with any
// http.Server.
func NewHandler(publicURL string, opts Options) (*Server, error) {
	s, err := newServer(opts)
	if err != nil {
		return nil, err
	}
	if _, err := url.ParseRequestURI(publicURL); err != nil {
		return nil, fmt.Errorf("paypaltest: public url: %w", err)
	}
	s.URL = strings.TrimRight(publicURL, "/")
	if err := s.route(); err != nil {
		return nil, err
	}
	return s, nil
}

func newServer(opts Options) (*Server, error) {
	if opts.Report == nil {
		opts.Report = func(error) {}
	}
	if opts.ClientID == "" {
		opts.ClientID, opts.ClientSecret = ClientID, ClientSecret
	}
	if opts.DocDir == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			return nil, errors.New("paypaltest: cannot locate the API documents")
		}
		opts.DocDir = filepath.Join(filepath.Dir(file), "..", "testdata")
	}
	return &Server{opts: opts, tokens: map[string]bool{}, orders: map[string]*order{}, auths: map[string]*authorization{},
		captures: map[string]*capture{}, replies: map[string]reply{}, calls: map[string]int{}, declined: map[string]bool{}}, nil
}

// route loads the documents with the fake's own URL as their server.
func (s *Server) route() error {
	for _, name := range Documents {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(filepath.Join(s.opts.DocDir, filepath.Base(name)))
		if err != nil {
			return fmt.Errorf("paypaltest: load %s: %w", name, err)
		}
		if err := doc.Validate(loader.Context); err != nil {
			return fmt.Errorf("paypaltest: %s: %w", name, err)
		}
		doc.Servers = openapi3.Servers{{URL: s.URL}}
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			return fmt.Errorf("paypaltest: route %s: %w", name, err)
		}
		s.routers = append(s.routers, r)
	}
	return nil
}

// Calls counts the API operations served, by operation id as the documents
// name them (e.g. "orders.create", "authorizations.capture").
func (s *Server) Calls(operationID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[operationID]
}

// OrderStatus is the status of a PayPal order ("" when unknown).
func (s *Server) OrderStatus(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.orders[id]; o != nil {
		return o.status
	}
	return ""
}

// AuthorizationStatus is the status of the authorization of a PayPal order.
func (s *Server) AuthorizationStatus(orderID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.orders[orderID]; o != nil && s.auths[o.authID] != nil {
		return s.auths[o.authID].status
	}
	return ""
}

// Decline makes the authorization of the order fail with INSTRUMENT_DECLINED
// (the buyer's funding source said no after approval).
func (s *Server) Decline(orderID string) {
	s.mu.Lock()
	s.declined[orderID] = true
	s.mu.Unlock()
}

// ServeHTTP dispatches the token endpoint, the approval page and the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v1/oauth2/token":
		s.token(w, r)
	case r.URL.Path == "/checkoutnow" || strings.HasPrefix(r.URL.Path, "/checkoutnow/"):
		s.approval(w, r)
	case strings.HasPrefix(r.URL.Path, "/v2/"):
		s.api(w, r)
	case strings.HasPrefix(r.URL.Path, "/v1/"):
		s.opts.Report(fmt.Errorf("%s %s: no such endpoint in PayPal's API description", r.Method, r.URL.Path))
		writeJSON(w, http.StatusNotFound, apiError("RESOURCE_NOT_FOUND", "The specified resource does not exist.", "INVALID_RESOURCE_ID"))
	default: // not the API: what a browser asks for besides the page (favicon…)
		http.NotFound(w, r)
	}
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	_ = r.ParseForm()
	switch {
	case r.Method != http.MethodPost:
		s.opts.Report(fmt.Errorf("token: method %s, want POST", r.Method))
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.PostForm.Get("grant_type") != "client_credentials":
		s.opts.Report(fmt.Errorf("token: want a form with grant_type=client_credentials, got %q %v", r.Header.Get("Content-Type"), r.PostForm))
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	case !ok || id != s.opts.ClientID || secret != s.opts.ClientSecret:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client Authentication failed"})
		return
	}
	tok := "A21AA" + randomID(40)
	s.mu.Lock()
	s.tokens[tok] = true
	s.calls["oauth2.token"]++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"scope": "https://uri.paypal.com/services/payments/payment", "access_token": tok,
		"token_type": "Bearer", "app_id": "APP-FAKE", "expires_in": 32400, "nonce": randomID(20)})
}

// api validates the request, runs the operation and validates the answer.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.URL.Scheme, r.URL.Host = "http", r.Host
	if u, err := url.Parse(s.URL); err == nil {
		r.URL.Scheme, r.URL.Host = u.Scheme, u.Host // the documents' server
	}
	var route *routers.Route
	var params map[string]string
	for _, rt := range s.routers {
		if route, params, err = rt.FindRoute(r); err == nil {
			break
		}
	}
	if route == nil {
		s.opts.Report(fmt.Errorf("%s %s: not in PayPal's API description: %v", r.Method, r.URL.Path, err))
		writeJSON(w, http.StatusNotFound, apiError("RESOURCE_NOT_FOUND", "The specified resource does not exist.", "INVALID_RESOURCE_ID"))
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		s.opts.Report(fmt.Errorf("%s %s (%s): request does not match PayPal's API description: %v", r.Method, r.URL.Path, route.Operation.OperationID, err))
		writeJSON(w, http.StatusBadRequest, apiError("INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema.", "INVALID_PARAMETER_SYNTAX"))
		return
	}
	if !s.bearer(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"name": "AUTHENTICATION_FAILURE", "message": "Authentication failed due to invalid authentication credentials or a missing Authorization header."})
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := route.Operation.OperationID
	requestID := r.Header.Get("PayPal-Request-Id")
	key := op + " " + r.URL.Path + " " + requestID
	s.mu.Lock()
	s.calls[op]++
	prev, replay := s.replies[key]
	var status int
	var out any
	if !replay {
		status, out = s.operate(op, params, body)
	}
	s.mu.Unlock()
	var raw []byte
	if replay {
		status, raw = prev.status, prev.body
	} else if out != nil {
		raw, _ = json.Marshal(out)
	}
	resp := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: http.Header{"Content-Type": {"application/json"}},
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	resp.SetBodyBytes(raw)
	if err := openapi3filter.ValidateResponse(r.Context(), resp); err != nil {
		s.opts.Report(fmt.Errorf("%s %s (%s): the fake's own %d answer does not match PayPal's API description: %v", r.Method, r.URL.Path, op, status, err))
	}
	if requestID != "" && !replay && status < 300 {
		s.mu.Lock()
		s.replies[key] = reply{status: status, body: raw}
		s.mu.Unlock()
	}
	if raw == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

func (s *Server) bearer(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	return ok && s.tokens[tok]
}

// operate runs one API operation under s.mu.
func (s *Server) operate(op string, params map[string]string, body []byte) (int, any) {
	switch op {
	case "orders.create":
		return s.createOrder(body)
	case "orders.get":
		o := s.orders[params["id"]]
		if o == nil {
			return notFound()
		}
		return http.StatusOK, s.orderJSON(o)
	case "orders.authorize":
		return s.authorize(params["id"])
	case "authorizations.capture":
		return s.capture(params["authorization_id"], body)
	case "authorizations.void":
		return s.void(params["authorization_id"])
	case "captures.refund":
		return s.refund(params["capture_id"], body)
	}
	return http.StatusNotImplemented, apiError("NOT_IMPLEMENTED", "The fake does not implement "+op+".", "NOT_IMPLEMENTED")
}

func (s *Server) createOrder(body []byte) (int, any) {
	var in struct {
		Intent        string            `json:"intent"`
		PurchaseUnits []json.RawMessage `json:"purchase_units"`
		PaymentSource struct {
			PayPal struct {
				ExperienceContext struct {
					ReturnURL string `json:"return_url"`
					CancelURL string `json:"cancel_url"`
				} `json:"experience_context"`
			} `json:"paypal"`
		} `json:"payment_source"`
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in.PurchaseUnits) == 0 {
		return http.StatusBadRequest, apiError("INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema.", "MALFORMED_REQUEST_JSON")
	}
	var pu struct {
		ReferenceID string `json:"reference_id"`
		CustomID    string `json:"custom_id"`
		Amount      money  `json:"amount"`
	}
	_ = json.Unmarshal(in.PurchaseUnits[0], &pu)
	if issue := amountIssue(pu.Amount); issue != "" {
		return unprocessable(issue)
	}
	o := &order{id: randomID(17), intent: in.Intent, status: "CREATED", units: in.PurchaseUnits, amount: pu.Amount,
		customID: pu.CustomID, refID: pu.ReferenceID, created: time.Now().UTC()}
	if ec := in.PaymentSource.PayPal.ExperienceContext; ec.ReturnURL != "" {
		o.status, o.returnURL, o.cancelURL = "PAYER_ACTION_REQUIRED", ec.ReturnURL, ec.CancelURL
	}
	s.orders[o.id] = o
	return http.StatusCreated, s.orderJSON(o)
}

func (s *Server) authorize(id string) (int, any) {
	o := s.orders[id]
	switch {
	case o == nil:
		return notFound()
	case o.intent != "AUTHORIZE":
		return unprocessable("ACTION_DOES_NOT_MATCH_INTENT")
	case o.status == "COMPLETED":
		return unprocessable("ORDER_ALREADY_AUTHORIZED")
	case o.status != "APPROVED":
		return unprocessable("ORDER_NOT_APPROVED")
	case s.declined[id]:
		return unprocessable("TRANSACTION_REFUSED")
	}
	a := &authorization{id: randomID(17), orderID: o.id, status: "CREATED", amount: o.amount, customID: o.customID, created: time.Now().UTC()}
	s.auths[a.id] = a
	o.authID, o.status = a.id, "COMPLETED"
	return http.StatusCreated, s.orderJSON(o)
}

func (s *Server) capture(authID string, body []byte) (int, any) {
	a := s.auths[authID]
	if a == nil {
		return notFound()
	}
	var in struct {
		Amount *money `json:"amount"`
	}
	_ = json.Unmarshal(body, &in)
	switch a.status {
	case "CAPTURED":
		return unprocessable("AUTHORIZATION_ALREADY_CAPTURED")
	case "VOIDED":
		return unprocessable("AUTHORIZATION_VOIDED")
	}
	amount := a.amount
	if in.Amount != nil {
		if issue := amountIssue(*in.Amount); issue != "" {
			return unprocessable(issue)
		}
		if in.Amount.CurrencyCode != a.amount.CurrencyCode {
			return unprocessable("AUTH_CAPTURE_CURRENCY_MISMATCH")
		}
		if minor(*in.Amount) > minor(a.amount) {
			return unprocessable("MAX_CAPTURE_AMOUNT_EXCEEDED")
		}
		amount = *in.Amount
	}
	c := &capture{id: randomID(17), authID: a.id, amount: amount, created: time.Now().UTC()}
	s.captures[c.id] = c
	a.status, a.captureID = "CAPTURED", c.id
	return http.StatusCreated, s.captureJSON(c)
}

func (s *Server) void(authID string) (int, any) {
	a := s.auths[authID]
	switch {
	case a == nil:
		return notFound()
	case a.status == "CAPTURED":
		return unprocessable("PREVIOUSLY_CAPTURED")
	case a.status == "VOIDED":
		return unprocessable("PREVIOUSLY_VOIDED")
	}
	a.status = "VOIDED"
	return http.StatusOK, s.authJSON(a)
}

func (s *Server) refund(captureID string, body []byte) (int, any) {
	c := s.captures[captureID]
	if c == nil {
		return notFound()
	}
	var in struct {
		Amount *money `json:"amount"`
	}
	_ = json.Unmarshal(body, &in)
	left := minor(c.amount) - c.refunded
	want := left
	if in.Amount != nil {
		if issue := amountIssue(*in.Amount); issue != "" {
			return unprocessable(issue)
		}
		if in.Amount.CurrencyCode != c.amount.CurrencyCode {
			return unprocessable("REFUND_CAPTURE_CURRENCY_MISMATCH")
		}
		want = minor(*in.Amount)
	}
	switch {
	case left == 0:
		return unprocessable("CAPTURE_FULLY_REFUNDED")
	case want > left:
		return unprocessable("REFUND_AMOUNT_EXCEEDED")
	}
	c.refunded += want
	id := randomID(17)
	status := "COMPLETED"
	return http.StatusCreated, map[string]any{"id": id, "status": status,
		"amount":      money{CurrencyCode: c.amount.CurrencyCode, Value: decimal(want, c.amount)},
		"create_time": time.Now().UTC().Format(time.RFC3339), "update_time": time.Now().UTC().Format(time.RFC3339),
		"links": []link{{Href: s.URL + "/v2/payments/refunds/" + id, Rel: "self", Method: "GET"},
			{Href: s.URL + "/v2/payments/captures/" + c.id, Rel: "up", Method: "GET"}}}
}

type link struct {
	Href   string `json:"href"`
	Rel    string `json:"rel"`
	Method string `json:"method,omitempty"`
}

// orderJSON renders an order as PayPal does with Prefer: return=representation.
func (s *Server) orderJSON(o *order) map[string]any {
	units := make([]map[string]any, 0, len(o.units))
	for i, raw := range o.units {
		var u map[string]any
		_ = json.Unmarshal(raw, &u)
		if u["reference_id"] == nil {
			u["reference_id"] = "default"
		}
		if i == 0 && o.authID != "" {
			u["payments"] = map[string]any{"authorizations": []any{s.authJSON(s.auths[o.authID])}}
		}
		units = append(units, u)
	}
	self := s.URL + "/v2/checkout/orders/" + o.id
	links := []link{{Href: self, Rel: "self", Method: "GET"}}
	switch o.status {
	case "CREATED":
		links = append(links, link{Href: s.URL + "/checkoutnow?token=" + o.id, Rel: "approve", Method: "GET"},
			link{Href: self, Rel: "update", Method: "PATCH"}, link{Href: self + "/authorize", Rel: "authorize", Method: "POST"})
	case "PAYER_ACTION_REQUIRED":
		links = append(links, link{Href: s.URL + "/checkoutnow?token=" + o.id, Rel: "payer-action", Method: "GET"})
	case "APPROVED":
		links = append(links, link{Href: self, Rel: "update", Method: "PATCH"}, link{Href: self + "/authorize", Rel: "authorize", Method: "POST"})
	}
	out := map[string]any{"id": o.id, "intent": o.intent, "status": o.status, "purchase_units": units, "links": links,
		"create_time": o.created.Format(time.RFC3339)}
	if o.returnURL != "" || o.payerID != "" {
		pp := map[string]any{}
		if o.payerID != "" {
			pp["account_id"] = o.payerID
			pp["email_address"] = "buyer@example.com"
			pp["name"] = map[string]string{"given_name": "Test", "surname": "Buyer"}
			out["payer"] = map[string]any{"payer_id": o.payerID, "email_address": "buyer@example.com"}
		}
		out["payment_source"] = map[string]any{"paypal": pp}
	}
	return out
}

func (s *Server) authJSON(a *authorization) map[string]any {
	self := s.URL + "/v2/payments/authorizations/" + a.id
	links := []link{{Href: self, Rel: "self", Method: "GET"}}
	if a.status == "CREATED" {
		links = append(links, link{Href: self + "/capture", Rel: "capture", Method: "POST"},
			link{Href: self + "/void", Rel: "void", Method: "POST"})
	}
	links = append(links, link{Href: s.URL + "/v2/checkout/orders/" + a.orderID, Rel: "up", Method: "GET"})
	out := map[string]any{"id": a.id, "status": a.status, "amount": a.amount, "links": links,
		"expiration_time": a.created.Add(29 * 24 * time.Hour).Format(time.RFC3339),
		"create_time":     a.created.Format(time.RFC3339), "update_time": a.created.Format(time.RFC3339)}
	if a.customID != "" {
		out["custom_id"] = a.customID
	}
	return out
}

func (s *Server) captureJSON(c *capture) map[string]any {
	self := s.URL + "/v2/payments/captures/" + c.id
	return map[string]any{"id": c.id, "status": "COMPLETED", "amount": c.amount, "final_capture": true,
		"create_time": c.created.Format(time.RFC3339), "update_time": c.created.Format(time.RFC3339),
		"links": []link{{Href: self, Rel: "self", Method: "GET"}, {Href: self + "/refund", Rel: "refund", Method: "POST"},
			{Href: s.URL + "/v2/payments/authorizations/" + c.authID, Rel: "up", Method: "GET"}}}
}

func apiError(name, message, issue string) map[string]any {
	return map[string]any{"name": name, "message": message, "debug_id": randomID(13),
		"details": []map[string]string{{"issue": issue}}}
}

func notFound() (int, any) {
	return http.StatusNotFound, apiError("RESOURCE_NOT_FOUND", "The specified resource does not exist.", "INVALID_RESOURCE_ID")
}

func unprocessable(issue string) (int, any) {
	return http.StatusUnprocessableEntity, apiError("UNPROCESSABLE_ENTITY",
		"The requested action could not be performed, semantically incorrect, or failed business validation.", issue)
}

// amountIssue applies PayPal's business rules on an amount that the
// document's pattern lets through: positive, two decimals at most (none for
// zero-decimal currencies).
func amountIssue(m money) string {
	whole, frac, dotted := strings.Cut(m.Value, ".")
	switch {
	case strings.HasPrefix(m.Value, "-") || minor(m) <= 0:
		return "CANNOT_BE_ZERO_OR_NEGATIVE"
	case dotted && zeroDecimal(m.CurrencyCode):
		return "DECIMALS_NOT_SUPPORTED"
	case len(frac) > 2 || whole == "":
		return "DECIMAL_PRECISION"
	}
	return ""
}

// minor parses a PayPal decimal string into minor units (two decimals, or
// none for zero-decimal currencies); malformed values count as zero, the
// schema check has already refused them.
func minor(m money) int64 {
	whole, frac, _ := strings.Cut(m.Value, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	if len(frac) == 1 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	if !strings.Contains(m.Value, ".") {
		if zeroDecimal(m.CurrencyCode) {
			return w
		}
		return w * 100
	}
	return w*100 + f
}

func decimal(v int64, like money) string {
	if zeroDecimal(like.CurrencyCode) {
		return strconv.FormatInt(v, 10)
	}
	return fmt.Sprintf("%d.%02d", v/100, v%100)
}

func zeroDecimal(currency string) bool {
	return currency == "JPY" || currency == "HUF" || currency == "TWD"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// randomID makes a PayPal-style id (upper-case letters and digits).
func randomID(n int) string { return randomOf("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", n) }

// payerID makes a payer id in PayPal's Base32 variant (no 0, 1, I, O).
func payerID() string { return randomOf("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", 13) }

func randomOf(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

var page = template.Must(template.New("approval").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayPal (local test double)</title><link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>
<h1>Pay with PayPal</h1>
<p>This is a local stand-in for PayPal's approval page; no money moves.</p>
{{if .Order}}
<p data-testid="paypal-amount">Amount: {{.Amount}} {{.Currency}}</p>
<p>PayPal order <code data-testid="paypal-order">{{.Order}}</code> · status {{.Status}}</p>
{{if .Open}}
<form method="post" action="/checkoutnow/approve"><input type="hidden" name="token" value="{{.Order}}">
<button type="submit" data-testid="paypal-approve">Approve</button></form>
<form method="post" action="/checkoutnow/cancel"><input type="hidden" name="token" value="{{.Order}}">
<button type="submit" data-testid="paypal-cancel">Cancel and return to the shop</button></form>
{{else}}<p>This order cannot be approved any more.</p>{{end}}
{{else}}<p role="alert">Unknown order.</p>{{end}}
</main></body></html>`))

// approval serves the buyer: GET /checkoutnow?token= shows the order; POST
// /checkoutnow/approve or /checkoutnow/cancel (form field token) records the
// choice and redirects to the order's return or cancel URL, with token (and
// PayerID after approval) in the query as PayPal does.
func (s *Server) approval(w http.ResponseWriter, r *http.Request) {
	token := r.FormValue("token")
	s.mu.Lock()
	o := s.orders[token]
	var data struct {
		Order, Amount, Currency, Status string
		Open                            bool
	}
	if o != nil {
		data.Order, data.Amount, data.Currency, data.Status = o.id, o.amount.Value, o.amount.CurrencyCode, o.status
		data.Open = o.status == "CREATED" || o.status == "PAYER_ACTION_REQUIRED"
	}
	var target string
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/checkoutnow":
	case r.Method != http.MethodPost:
		s.mu.Unlock()
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	case o == nil || !data.Open:
		// Unknown or settled: show the page, which says so.
	case r.URL.Path == "/checkoutnow/approve":
		o.status, o.payerID = "APPROVED", payerID()
		target = withQuery(o.returnURL, url.Values{"token": {o.id}, "PayerID": {o.payerID}})
	case r.URL.Path == "/checkoutnow/cancel":
		target = withQuery(o.cancelURL, url.Values{"token": {o.id}})
	}
	s.mu.Unlock()
	if target != "" {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if o == nil {
		w.WriteHeader(http.StatusNotFound)
	}
	_ = page.Execute(w, data)
}

func withQuery(base string, q url.Values) string {
	if base == "" {
		return ""
	}
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	v := u.Query()
	for k, vs := range q {
		v[k] = vs
	}
	u.RawQuery = v.Encode()
	return u.String()
}
