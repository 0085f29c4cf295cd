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

// Gateway decides by token and keeps what a provider keeps — each
// authorization, its capture, void and refunds, keyed so a retried call
// returns the first answer — in a Store: memory for the embedded shop,
// PostgreSQL in server mode, where a restarted payment process must still
// capture what it authorized before. It also counts the calls it carried out
// (not replays), so tests can prove "at most one capture".
type Gateway struct {
	store Store
	mu    sync.Mutex
	calls map[payments.Operation]int
}

// New returns a sandbox gateway with its own memory store.
func New() *Gateway { return NewWithStore(NewMemoryStore()) }

// NewWithStore returns a sandbox gateway keeping its state in store.
func NewWithStore(store Store) *Gateway {
	return &Gateway{store: store, calls: map[payments.Operation]int{}}
}

// Calls returns how many distinct (non-replayed) calls of op this gateway
// carried out.
func (g *Gateway) Calls(op payments.Operation) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[op]
}

func (g *Gateway) count(op payments.Operation) {
	g.mu.Lock()
	g.calls[op]++
	g.mu.Unlock()
}

func ref(prefix, key string) string {
	s := sha256.Sum256([]byte(key))
	return prefix + hex.EncodeToString(s[:8])
}

// Authorize implements payments.Gateway. The answer follows from the token
// and the idempotency key alone, so a replay gives the first answer.
func (g *Gateway) Authorize(ctx context.Context, req payments.AuthorizeRequest) (payments.AuthorizeResult, error) {
	if err := ctx.Err(); err != nil {
		return payments.AuthorizeResult{}, err
	}
	var res payments.AuthorizeResult
	switch req.Token {
	case TokenSuccess:
		res = payments.AuthorizeResult{Outcome: payments.OutcomeAuthorized, Ref: ref("sbx_auth_", req.IdempotencyKey)}
	case TokenDeclined:
		res = payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Code: "card_declined", Reason: "Your card was declined."}
	case TokenInsufficientFunds:
		res = payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Code: "insufficient_funds", Reason: "Your card has insufficient funds."}
	default:
		res = payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Code: "invalid_token", Reason: "The payment token is not valid."}
	}
	key := res.Ref
	if key == "" {
		key = ref("sbx_decline_", req.IdempotencyKey) // remembered only to count calls
	}
	created, err := g.store.Create(ctx, key, Auth{Amount: req.Amount.Amount(), Declined: res.Outcome != payments.OutcomeAuthorized})
	if err != nil {
		return payments.AuthorizeResult{}, err
	}
	if created {
		g.count(payments.OpAuthorize)
	}
	return res, nil
}

// Capture implements payments.Gateway.
func (g *Gateway) Capture(ctx context.Context, req payments.CaptureRequest) (payments.CaptureResult, error) {
	if err := ctx.Err(); err != nil {
		return payments.CaptureResult{}, err
	}
	res := payments.CaptureResult{Ref: ref("sbx_cap_", req.IdempotencyKey)}
	replay := false
	err := g.store.Update(ctx, req.Ref, func(a *Auth) (bool, error) {
		switch {
		case a.CapturedBy == req.IdempotencyKey:
			replay = true
			return false, nil
		case a.CapturedBy != "" || a.Voided:
			return false, fmt.Errorf("%w: authorization already captured or voided", payments.ErrRejected)
		case req.Amount.Amount() > a.Amount:
			return false, fmt.Errorf("%w: capture above the authorized amount", payments.ErrRejected)
		}
		a.CapturedBy, a.Captured = req.IdempotencyKey, req.Amount.Amount()
		return true, nil
	})
	if err != nil {
		return payments.CaptureResult{}, err
	}
	if !replay {
		g.count(payments.OpCapture)
	}
	return res, nil
}

// Void implements payments.Gateway.
func (g *Gateway) Void(ctx context.Context, req payments.VoidRequest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	replay := false
	err := g.store.Update(ctx, req.Ref, func(a *Auth) (bool, error) {
		switch {
		case a.CapturedBy != "":
			return false, fmt.Errorf("%w: authorization already captured", payments.ErrRejected)
		case a.Voided:
			replay = true
			return false, nil
		}
		a.Voided = true
		return true, nil
	})
	if err == nil && !replay {
		g.count(payments.OpVoid)
	}
	return err
}

// Refund implements payments.Gateway.
func (g *Gateway) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	if err := ctx.Err(); err != nil {
		return payments.RefundResult{}, err
	}
	res := payments.RefundResult{Ref: ref("sbx_re_", req.IdempotencyKey)}
	replay := false
	err := g.store.Update(ctx, req.AuthorizeRef, func(a *Auth) (bool, error) {
		if _, ok := a.Refunds[req.IdempotencyKey]; ok {
			replay = true
			return false, nil
		}
		var refunded int64
		for _, r := range a.Refunds {
			refunded += r
		}
		switch {
		case a.CapturedBy == "":
			return false, fmt.Errorf("%w: nothing captured to refund", payments.ErrRejected)
		case refunded+req.Amount.Amount() > a.Captured:
			return false, fmt.Errorf("%w: refund above the captured amount", payments.ErrRejected)
		}
		if a.Refunds == nil {
			a.Refunds = map[string]int64{}
		}
		a.Refunds[req.IdempotencyKey] = req.Amount.Amount()
		return true, nil
	})
	if err != nil {
		return payments.RefundResult{}, err
	}
	if !replay {
		g.count(payments.OpRefund)
	}
	return res, nil
}
