// Package sandbox is the payment gateway of the embedded shop and demos. Its
// card numbers behave like Stripe's test cards; any other number is refused.
// The tokenizer turns a card number into an opaque token plus the last four
// digits, so the rest of the shop never holds a card number.
package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/evshop/shop/payments"
)

// ErrInvalidCard is returned by Tokenize for anything but a known test card.
var ErrInvalidCard = errors.New("sandbox: not a valid test card number")

// Test cards. Tokens name the behaviour, never the number.
const (
	CardSuccess           = "4242424242424242"
	CardDeclined          = "4000000000000002"
	CardInsufficientFunds = "4000000000009995"

	TokenSuccess           = "tok_sandbox_success"
	TokenDeclined          = "tok_sandbox_declined"
	TokenInsufficientFunds = "tok_sandbox_insufficient_funds"
)

var cards = map[string]string{
	CardSuccess:           TokenSuccess,
	CardDeclined:          TokenDeclined,
	CardInsufficientFunds: TokenInsufficientFunds,
}

// Card is a tokenized card: what may be stored.
type Card struct {
	Token string `json:"token"`
	Last4 string `json:"last4"`
}

// Tokenize validates a card number (spaces and dashes allowed, Luhn checked)
// and returns its token and last four digits. The error never echoes the
// number.
func Tokenize(cardNumber string) (Card, error) {
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, cardNumber)
	if len(digits) < 12 || len(digits) > 19 || !luhn(digits) {
		return Card{}, ErrInvalidCard
	}
	tok, ok := cards[digits]
	if !ok {
		return Card{}, fmt.Errorf("%w: only the documented test cards work in sandbox mode", ErrInvalidCard)
	}
	return Card{Token: tok, Last4: digits[len(digits)-4:]}, nil
}

// Tokenizer adapts Tokenize to the basket's PaymentTokenizer interface.
type Tokenizer struct{}

// Tokenize implements the basket's tokenizer port.
func (Tokenizer) Tokenize(_ context.Context, cardNumber string) (Card, error) {
	return Tokenize(cardNumber)
}

func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// Gateway decides by token and remembers idempotency keys like a real
// provider, so a retried call returns the first answer. It also counts calls
// so tests can prove "at most one capture".
type Gateway struct {
	mu      sync.Mutex
	answers map[string]any
	auths   map[string]authState
	calls   map[payments.Operation]int
}

type authState struct {
	amount   int64
	captured bool
	voided   bool
	refunded int64
}

// New returns an empty sandbox gateway.
func New() *Gateway {
	return &Gateway{answers: map[string]any{}, auths: map[string]authState{}, calls: map[payments.Operation]int{}}
}

// Calls returns how many distinct (non-replayed) calls of op were made.
func (g *Gateway) Calls(op payments.Operation) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[op]
}

func ref(prefix, key string) string {
	s := sha256.Sum256([]byte(key))
	return prefix + hex.EncodeToString(s[:8])
}

// Authorize implements payments.Gateway.
func (g *Gateway) Authorize(ctx context.Context, req payments.AuthorizeRequest) (payments.AuthorizeResult, error) {
	if err := ctx.Err(); err != nil {
		return payments.AuthorizeResult{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if a, ok := g.answers[req.IdempotencyKey].(payments.AuthorizeResult); ok {
		return a, nil
	}
	g.calls[payments.OpAuthorize]++
	var res payments.AuthorizeResult
	switch req.Token {
	case TokenSuccess:
		res = payments.AuthorizeResult{Outcome: payments.OutcomeAuthorized, Ref: ref("sbx_auth_", req.IdempotencyKey)}
		g.auths[res.Ref] = authState{amount: req.Amount.Amount()}
	case TokenDeclined:
		res = payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Code: "card_declined", Reason: "Your card was declined."}
	case TokenInsufficientFunds:
		res = payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Code: "insufficient_funds", Reason: "Your card has insufficient funds."}
	default:
		res = payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Code: "invalid_token", Reason: "The payment token is not valid."}
	}
	g.answers[req.IdempotencyKey] = res
	return res, nil
}

// Capture implements payments.Gateway.
func (g *Gateway) Capture(ctx context.Context, req payments.CaptureRequest) (payments.CaptureResult, error) {
	if err := ctx.Err(); err != nil {
		return payments.CaptureResult{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if a, ok := g.answers[req.IdempotencyKey].(payments.CaptureResult); ok {
		return a, nil
	}
	st, ok := g.auths[req.Ref]
	switch {
	case !ok:
		return payments.CaptureResult{}, fmt.Errorf("%w: unknown authorization", payments.ErrRejected)
	case st.captured || st.voided:
		return payments.CaptureResult{}, fmt.Errorf("%w: authorization already captured or voided", payments.ErrRejected)
	case req.Amount.Amount() > st.amount:
		return payments.CaptureResult{}, fmt.Errorf("%w: capture above the authorized amount", payments.ErrRejected)
	}
	g.calls[payments.OpCapture]++
	st.captured = true
	st.amount = req.Amount.Amount()
	g.auths[req.Ref] = st
	res := payments.CaptureResult{Ref: ref("sbx_cap_", req.IdempotencyKey)}
	g.answers[req.IdempotencyKey] = res
	return res, nil
}

// Void implements payments.Gateway.
func (g *Gateway) Void(ctx context.Context, req payments.VoidRequest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.answers[req.IdempotencyKey]; ok {
		return nil
	}
	st, ok := g.auths[req.Ref]
	switch {
	case !ok:
		return fmt.Errorf("%w: unknown authorization", payments.ErrRejected)
	case st.captured:
		return fmt.Errorf("%w: authorization already captured", payments.ErrRejected)
	}
	g.calls[payments.OpVoid]++
	st.voided = true
	g.auths[req.Ref] = st
	g.answers[req.IdempotencyKey] = struct{}{}
	return nil
}

// Refund implements payments.Gateway.
func (g *Gateway) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	if err := ctx.Err(); err != nil {
		return payments.RefundResult{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if a, ok := g.answers[req.IdempotencyKey].(payments.RefundResult); ok {
		return a, nil
	}
	st, ok := g.auths[req.AuthorizeRef]
	switch {
	case !ok || !st.captured:
		return payments.RefundResult{}, fmt.Errorf("%w: nothing captured to refund", payments.ErrRejected)
	case st.refunded+req.Amount.Amount() > st.amount:
		return payments.RefundResult{}, fmt.Errorf("%w: refund above the captured amount", payments.ErrRejected)
	}
	g.calls[payments.OpRefund]++
	st.refunded += req.Amount.Amount()
	g.auths[req.AuthorizeRef] = st
	res := payments.RefundResult{Ref: ref("sbx_re_", req.IdempotencyKey)}
	g.answers[req.IdempotencyKey] = res
	return res, nil
}
