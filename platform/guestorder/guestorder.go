// Package guestorder is what makes an order placed without an account
// reachable: the guest's customer identity, and the signed link to the
// order's status page that the checkout answer and the confirmation email
// carry.
//
// A guest order's customer id is derived from its email address
// (CustomerID). No account ever has that id, so no session can claim the
// order through it; the order is read through its signed link instead. Once
// the address belongs to a verified account (signing in requires a verified
// email, so a session's email is verified), that account's order list and
// order page include the orders of CustomerID(its email): the guest orders
// "appear in the account" without any event, and leave it again if the
// account changes its address.
package guestorder

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// namespace is the UUIDv5 namespace of guest customer ids. Changing it
// would orphan every guest order: never change it.
var namespace = uuid.MustParse("2d6f3c8e-41b7-4a5e-9c0d-7e8f1a2b3c4d")

// CustomerID is the customer id of guest orders placed with email (compared
// case-insensitively and without surrounding space).
func CustomerID(email string) string {
	return uuid.NewSHA1(namespace, []byte(strings.ToLower(strings.TrimSpace(email)))).String()
}

// IsGuest reports whether an order of customerID placed with email is a
// guest order.
func IsGuest(customerID, email string) bool {
	return email != "" && strings.EqualFold(customerID, CustomerID(email))
}

// LinkTTL is how long an order status link works: long enough to follow an
// order to its delivery and a return.
const LinkTTL = 180 * 24 * time.Hour

// ErrBadToken is a token that is malformed, expired, or not signed for that
// order with this shop's key.
var ErrBadToken = errors.New("guestorder: invalid order link token")

const purpose = "evshop:order-status:v1:"

// Signer signs and checks order status link tokens "<expiry>.<mac>", the
// expiry in Unix seconds (base 36), the MAC over the order id and expiry.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner returns a signer with key (at least 32 bytes; derive it from
// MAIL_LINK_KEY, apart from the key's other uses).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("guestorder: the link key needs at least 32 bytes")
	}
	return &Signer{key: key, now: time.Now}, nil
}

func (s *Signer) mac(orderID, exp string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(purpose + strings.ToLower(orderID) + ":" + exp))
	return h.Sum(nil)[:20]
}

// Token returns the token giving access to orderID until LinkTTL from now.
func (s *Signer) Token(orderID string) string {
	exp := strconv.FormatInt(s.now().Add(LinkTTL).Unix(), 36)
	return exp + "." + base64.RawURLEncoding.EncodeToString(s.mac(orderID, exp))
}

// Verify checks that token was signed for orderID and has not expired.
func (s *Signer) Verify(orderID, token string) error {
	if len(token) > 100 {
		return ErrBadToken
	}
	exp, sig, ok := strings.Cut(token, ".")
	if !ok {
		return ErrBadToken
	}
	at, err := strconv.ParseInt(exp, 36, 64)
	if err != nil || strconv.FormatInt(at, 36) != exp {
		return ErrBadToken
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(sig) // one spelling per token
	if err != nil || !hmac.Equal(got, s.mac(orderID, exp)) {
		return ErrBadToken
	}
	if !s.now().Before(time.Unix(at, 0)) {
		return ErrBadToken
	}
	return nil
}

// StatusPath is the storefront page of an order reached by its link.
func StatusPath(orderID, token string) string {
	return "/orders/" + orderID + "?token=" + token
}
