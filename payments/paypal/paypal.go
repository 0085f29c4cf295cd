// Package paypal is the PayPal adapter of the payment gateway port, written
// against the Orders v2 and Payments v2 REST APIs with net/http: an OAuth2
// client-credentials token cached until it expires, orders with intent
// AUTHORIZE, authorize / capture / void / refund, a PayPal-Request-Id on
// every mutating call, and webhook verification through PayPal's
// verify-webhook-signature API.
package paypal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/payments"
)

// Provider names PayPal in notifications and dedupe keys.
const Provider = "paypal"

// SandboxURL and LiveURL are PayPal's API hosts.
const (
	SandboxURL = "https://api-m.sandbox.paypal.com"
	LiveURL    = "https://api-m.paypal.com"
)

// Config configures the adapter.
type Config struct {
	ClientID     string // PAYPAL_CLIENT_ID
	ClientSecret string // PAYPAL_CLIENT_SECRET
	BaseURL      string // default SandboxURL
	WebhookID    string // PAYPAL_WEBHOOK_ID, needed to verify webhooks
	ReturnURL    string // where PayPal sends the buyer after approval
	CancelURL    string
	HTTPClient   *http.Client
	Now          func() time.Time
}

// Gateway implements payments.Gateway against PayPal.
type Gateway struct {
	cfg     Config
	mu      sync.Mutex
	token   string
	expires time.Time
}

// New validates cfg. It does no I/O: the first call fetches a token.
func New(cfg Config) (*Gateway, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("paypal: client id and secret are required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = SandboxURL
	}
	if _, err := url.ParseRequestURI(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("paypal: base url: %w", err)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Gateway{cfg: cfg}, nil
}

// accessToken returns the cached token, fetching a new one shortly before
// the old one expires.
func (g *Gateway) accessToken(ctx context.Context) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.token != "" && g.cfg.Now().Before(g.expires) {
		return g.token, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.BaseURL+"/v1/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(g.cfg.ClientID, g.cfg.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := g.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: paypal token: %w", payments.ErrGateway, err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: paypal token: status %d", payments.ErrGateway, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil || body.AccessToken == "" {
		return "", fmt.Errorf("%w: paypal token: malformed reply", payments.ErrGateway)
	}
	// A minute of margin so a token never expires in flight.
	life := time.Duration(body.ExpiresIn)*time.Second - time.Minute
	if life < 0 {
		life = 0
	}
	g.token, g.expires = body.AccessToken, g.cfg.Now().Add(life)
	return g.token, nil
}

func (g *Gateway) dropToken(tok string) {
	g.mu.Lock()
	if g.token == tok {
		g.token = ""
	}
	g.mu.Unlock()
}

// apiError is PayPal's error body.
type apiError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Details []struct {
		Issue       string `json:"issue"`
		Description string `json:"description"`
	} `json:"details"`
	status int
}

func (e *apiError) Error() string {
	return fmt.Sprintf("paypal %d %s: %s", e.status, e.Name, e.issue())
}

func (e *apiError) issue() string {
	if len(e.Details) > 0 && e.Details[0].Issue != "" {
		return e.Details[0].Issue
	}
	return e.Name
}

// call sends one JSON request; a 401 refreshes the token once.
func (g *Gateway) call(ctx context.Context, method, path, requestID string, in, out any) error {
	var payload []byte
	if in != nil {
		var err error
		if payload, err = json.Marshal(in); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		tok, err := g.accessToken(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, g.cfg.BaseURL+path, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Prefer", "return=representation")
		if requestID != "" {
			req.Header.Set("PayPal-Request-Id", requestID)
		}
		resp, err := g.cfg.HTTPClient.Do(req)
		if err != nil {
			return fmt.Errorf("%w: paypal %s: %w", payments.ErrGateway, path, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%w: paypal %s: %w", payments.ErrGateway, path, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			g.dropToken(tok)
			continue
		}
		if resp.StatusCode >= 300 {
			ae := &apiError{status: resp.StatusCode}
			_ = json.Unmarshal(body, ae) // a non-JSON error body still has its status
			if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusUnauthorized {
				return fmt.Errorf("%w: %w", payments.ErrGateway, ae)
			}
			return fmt.Errorf("%w: %w", payments.ErrRejected, ae)
		}
		if out != nil && len(body) > 0 {
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("%w: paypal %s: malformed reply", payments.ErrGateway, path)
			}
		}
		return nil
	}
}

type amount struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

// zeroDecimal lists the currencies PayPal takes without decimals.
var zeroDecimal = map[string]bool{"JPY": true, "HUF": true, "TWD": true}

// value renders minor units as PayPal's decimal string; no float involved.
func value(m money.Money) amount {
	a := m.Amount()
	if zeroDecimal[m.Currency()] {
		return amount{CurrencyCode: m.Currency(), Value: fmt.Sprintf("%d", a)}
	}
	return amount{CurrencyCode: m.Currency(), Value: fmt.Sprintf("%d.%02d", a/100, a%100)}
}

type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

type order struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Links         []link `json:"links"`
	PurchaseUnits []struct {
		CustomID string `json:"custom_id"`
		Payments struct {
			Authorizations []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"authorizations"`
		} `json:"payments"`
	} `json:"purchase_units"`
}

// Authorize creates an order with intent AUTHORIZE for the buyer to approve,
// or — when Token holds an order id the buyer has approved — authorizes it.
func (g *Gateway) Authorize(ctx context.Context, req payments.AuthorizeRequest) (payments.AuthorizeResult, error) {
	if req.Token == "" {
		return g.createOrder(ctx, req)
	}
	var o order
	err := g.call(ctx, http.MethodPost, "/v2/checkout/orders/"+url.PathEscape(req.Token)+"/authorize", req.IdempotencyKey, struct{}{}, &o)
	var ae *apiError
	if errors.As(err, &ae) && ae.status == http.StatusUnprocessableEntity {
		// INSTRUMENT_DECLINED, ORDER_NOT_APPROVED, …: the buyer's money
		// said no; retrying will not change it.
		return payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Ref: req.Token, Code: strings.ToLower(ae.issue()), Reason: ae.Message}, nil
	}
	if err != nil {
		return payments.AuthorizeResult{}, err
	}
	for _, pu := range o.PurchaseUnits {
		for _, a := range pu.Payments.Authorizations {
			switch a.Status {
			case "CREATED", "PENDING":
				return payments.AuthorizeResult{Outcome: payments.OutcomeAuthorized, Ref: a.ID}, nil
			case "DENIED":
				return payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Ref: a.ID, Code: "denied", Reason: "PayPal denied the authorization."}, nil
			}
		}
	}
	return payments.AuthorizeResult{}, fmt.Errorf("%w: paypal authorize: no authorization in reply", payments.ErrGateway)
}

func (g *Gateway) createOrder(ctx context.Context, req payments.AuthorizeRequest) (payments.AuthorizeResult, error) {
	body := map[string]any{
		"intent": "AUTHORIZE",
		"purchase_units": []map[string]any{{
			"reference_id": req.OrderID,
			"custom_id":    req.PaymentID,
			"amount":       value(req.Amount),
		}},
	}
	if g.cfg.ReturnURL != "" {
		body["payment_source"] = map[string]any{"paypal": map[string]any{"experience_context": map[string]any{
			"return_url": g.cfg.ReturnURL, "cancel_url": g.cfg.CancelURL, "user_action": "CONTINUE"}}}
	}
	var o order
	if err := g.call(ctx, http.MethodPost, "/v2/checkout/orders", req.IdempotencyKey, body, &o); err != nil {
		return payments.AuthorizeResult{}, err
	}
	if o.ID == "" {
		return payments.AuthorizeResult{}, fmt.Errorf("%w: paypal create order: no id", payments.ErrGateway)
	}
	return payments.AuthorizeResult{Outcome: payments.OutcomeActionRequired, Ref: o.ID, ApproveURL: approveLink(o.Links)}, nil
}

// approveLink is the buyer's approval link among an order's HATEOAS links:
// rel "payer-action" when the order was created with a PayPal payment source
// (the shop's case), "approve" otherwise.
func approveLink(links []link) string {
	for _, l := range links {
		if l.Rel == "approve" || l.Rel == "payer-action" {
			return l.Href
		}
	}
	return ""
}

// Order reads an order back (GET /v2/checkout/orders/{id}): its status, the
// payment id the shop set as custom_id, and the approval link while the
// buyer has yet to approve. An unknown id is ErrRejected.
func (g *Gateway) Order(ctx context.Context, id string) (payments.ApprovalOrder, error) {
	if id == "" {
		return payments.ApprovalOrder{}, fmt.Errorf("%w: empty order id", payments.ErrRejected)
	}
	var o order
	if err := g.call(ctx, http.MethodGet, "/v2/checkout/orders/"+url.PathEscape(id), "", nil, &o); err != nil {
		return payments.ApprovalOrder{}, err
	}
	if o.ID == "" {
		return payments.ApprovalOrder{}, fmt.Errorf("%w: paypal get order: no id", payments.ErrGateway)
	}
	out := payments.ApprovalOrder{ID: o.ID, Status: o.Status}
	if len(o.PurchaseUnits) > 0 {
		out.PaymentID = o.PurchaseUnits[0].CustomID
	}
	if o.Status == "CREATED" || o.Status == "PAYER_ACTION_REQUIRED" {
		out.ApproveURL = approveLink(o.Links)
	}
	return out, nil
}

// Capture captures an authorization in full and finally.
func (g *Gateway) Capture(ctx context.Context, req payments.CaptureRequest) (payments.CaptureResult, error) {
	var out struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	in := map[string]any{"amount": value(req.Amount), "final_capture": true}
	if err := g.call(ctx, http.MethodPost, "/v2/payments/authorizations/"+url.PathEscape(req.Ref)+"/capture", req.IdempotencyKey, in, &out); err != nil {
		return payments.CaptureResult{}, err
	}
	if out.ID == "" {
		return payments.CaptureResult{}, fmt.Errorf("%w: paypal capture: no id", payments.ErrGateway)
	}
	return payments.CaptureResult{Ref: out.ID}, nil
}

// Void voids an authorization.
func (g *Gateway) Void(ctx context.Context, req payments.VoidRequest) error {
	return g.call(ctx, http.MethodPost, "/v2/payments/authorizations/"+url.PathEscape(req.Ref)+"/void", req.IdempotencyKey, nil, nil)
}

// Refund refunds part or all of a capture.
func (g *Gateway) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	var out struct {
		ID string `json:"id"`
	}
	in := map[string]any{"amount": value(req.Amount)}
	if err := g.call(ctx, http.MethodPost, "/v2/payments/captures/"+url.PathEscape(req.CaptureRef)+"/refund", req.IdempotencyKey, in, &out); err != nil {
		return payments.RefundResult{}, err
	}
	return payments.RefundResult{Ref: out.ID}, nil
}

// Webhook transmission headers PayPal signs with.
const (
	HeaderAuthAlgo         = "PAYPAL-AUTH-ALGO"
	HeaderCertURL          = "PAYPAL-CERT-URL"
	HeaderTransmissionID   = "PAYPAL-TRANSMISSION-ID"
	HeaderTransmissionSig  = "PAYPAL-TRANSMISSION-SIG"
	HeaderTransmissionTime = "PAYPAL-TRANSMISSION-TIME"
)

// ParseWebhook asks PayPal to verify the transmission (verify-webhook-signature)
// and reduces the event to a notification. header reads a request header.
func (g *Gateway) ParseWebhook(ctx context.Context, payload []byte, header func(string) string) (payments.Notification, error) {
	if g.cfg.WebhookID == "" {
		return payments.Notification{}, fmt.Errorf("%w: no webhook id configured", payments.ErrBadSignature)
	}
	if !json.Valid(payload) {
		return payments.Notification{}, fmt.Errorf("%w: body is not JSON", payments.ErrBadSignature)
	}
	in := map[string]any{
		"auth_algo":         header(HeaderAuthAlgo),
		"cert_url":          header(HeaderCertURL),
		"transmission_id":   header(HeaderTransmissionID),
		"transmission_sig":  header(HeaderTransmissionSig),
		"transmission_time": header(HeaderTransmissionTime),
		"webhook_id":        g.cfg.WebhookID,
		"webhook_event":     json.RawMessage(payload),
	}
	for k, v := range in {
		if s, ok := v.(string); ok && s == "" {
			return payments.Notification{}, fmt.Errorf("%w: %s missing", payments.ErrBadSignature, k)
		}
	}
	var out struct {
		VerificationStatus string `json:"verification_status"`
	}
	if err := g.call(ctx, http.MethodPost, "/v1/notifications/verify-webhook-signature", "", in, &out); err != nil {
		if errors.Is(err, payments.ErrRejected) {
			return payments.Notification{}, fmt.Errorf("%w: %v", payments.ErrBadSignature, err)
		}
		return payments.Notification{}, err
	}
	if out.VerificationStatus != "SUCCESS" {
		return payments.Notification{}, fmt.Errorf("%w: verification %s", payments.ErrBadSignature, out.VerificationStatus)
	}
	var ev struct {
		ID        string `json:"id"`
		EventType string `json:"event_type"`
		Resource  struct {
			ID            string `json:"id"`
			CustomID      string `json:"custom_id"`
			PurchaseUnits []struct {
				CustomID string `json:"custom_id"`
			} `json:"purchase_units"`
			SupplementaryData struct {
				RelatedIDs struct {
					OrderID string `json:"order_id"`
				} `json:"related_ids"`
			} `json:"supplementary_data"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil || ev.ID == "" {
		return payments.Notification{}, fmt.Errorf("%w: malformed event", payments.ErrBadSignature)
	}
	n := payments.Notification{Provider: Provider, EventID: ev.ID, Kind: payments.NotifyIgnored, Ref: ev.Resource.ID,
		RelatedRef: ev.Resource.SupplementaryData.RelatedIDs.OrderID, PaymentID: ev.Resource.CustomID}
	if n.PaymentID == "" && len(ev.Resource.PurchaseUnits) > 0 {
		n.PaymentID = ev.Resource.PurchaseUnits[0].CustomID
	}
	switch ev.EventType {
	case "CHECKOUT.ORDER.APPROVED":
		n.Kind = payments.NotifyApproved
	case "PAYMENT.AUTHORIZATION.CREATED":
		n.Kind = payments.NotifyAuthorized
	case "PAYMENT.AUTHORIZATION.VOIDED":
		n.Kind, n.Reason = payments.NotifyVoided, "voided at PayPal"
	case "CHECKOUT.PAYMENT-APPROVAL.REVERSED", "PAYMENT.AUTHORIZATION.DENIED":
		n.Kind, n.Code, n.Reason = payments.NotifyFailed, "approval_reversed", "PayPal reversed the approval."
	}
	if n.PaymentID == "" {
		n.Kind = payments.NotifyIgnored
	}
	return n, nil
}
