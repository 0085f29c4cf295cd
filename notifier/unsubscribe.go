package notifier

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// ErrBadToken is returned for an unsubscribe token that is malformed or
// was not signed with this shop's key.
var ErrBadToken = errors.New("notifier: invalid unsubscribe token")

// ErrOptOutUnavailable is returned when no MarketingOptOut port is wired.
var ErrOptOutUnavailable = errors.New("notifier: unsubscribe is not available")

// UnsubscribePath is where the unsubscribe links point (served by api/notifier).
const UnsubscribePath = "/api/notifications/unsubscribe"

// linkSigner signs "<customerId>.<mac>" tokens. They do not expire: an
// unsubscribe link must keep working as long as the email can be read, and
// all it can do is turn marketing email off.
type linkSigner struct{ key []byte }

const unsubscribePurpose = "evshop:unsubscribe:v1:"

func (s linkSigner) mac(customerID string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(unsubscribePurpose + customerID))
	return h.Sum(nil)[:20]
}

func (s linkSigner) token(customerID string) string {
	return customerID + "." + base64.RawURLEncoding.EncodeToString(s.mac(customerID))
}

func (s linkSigner) verify(token string) (string, error) {
	id, sig, ok := strings.Cut(strings.TrimSpace(token), ".")
	if !ok || len(token) > 200 {
		return "", ErrBadToken
	}
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return "", ErrBadToken
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(id)) {
		return "", ErrBadToken
	}
	return id, nil
}

// UnsubscribeToken returns the signed token for customerID.
func (n *Notifier) UnsubscribeToken(customerID string) string { return n.signer.token(customerID) }

// UnsubscribeURL is the link put in marketing emails.
func (n *Notifier) UnsubscribeURL(customerID string) string {
	return n.public + UnsubscribePath + "?token=" + n.signer.token(customerID)
}

// CheckUnsubscribeToken validates a token without acting on it (the
// confirmation page: link scanners fetch GET links, so GET must not unsubscribe).
func (n *Notifier) CheckUnsubscribeToken(token string) error {
	_, err := n.signer.verify(token)
	return err
}

// Unsubscribe turns off the marketing opt-in of the token's customer. It is
// idempotent.
func (n *Notifier) Unsubscribe(ctx context.Context, token string) error {
	id, err := n.signer.verify(token)
	if err != nil {
		return err
	}
	if n.cfg.OptOut == nil {
		return ErrOptOutUnavailable
	}
	if err := n.cfg.OptOut.OptOut(ctx, id); err != nil {
		return fmt.Errorf("notifier: opt out %s: %w", id, err)
	}
	n.log.InfoContext(ctx, "customer unsubscribed from marketing email", "customer_id", id)
	return nil
}
