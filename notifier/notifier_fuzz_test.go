package notifier_test

import (
	"strings"
	"testing"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/platform/testenv"
)

// FuzzNotifierHandle: whatever an event the notifier subscribes to holds,
// it sends the email, skips it or refuses it with an error; it never panics,
// and nothing it sent carries a raw script tag from the payload into HTML.
func FuzzNotifierHandle(f *testing.F) {
	history := testenv.EventHistory(f, 2, 2)
	extra := []eventstore.RecordedEvent{placed("3f1e2d4c-5b6a-4789-8abc-def012345678")}
	for _, typ := range notifier.EventTypes() {
		extra = append(extra, event(typ, "user-0b8f4c1e-8d2a-4a8e-9a57-3c6f1f1b2a10", 0, map[string]any{
			"userId": "0b8f4c1e-8d2a-4a8e-9a57-3c6f1f1b2a10", "email": "a@example.com", "name": "<script>alert(1)</script>",
			"sealedToken": "x", "orderId": "3f1e2d4c-5b6a-4789-8abc-def012345678"}))
	}
	testenv.FuzzEventHandler(f, history, extra, func(t *testing.T) (testenv.EventHandlerFunc, func(*testing.T)) {
		h := newHarness(t, nil)
		return h.n.Handle, func(t *testing.T) {
			for _, m := range h.outbox.List() {
				if strings.Contains(m.HTML, "<script>") {
					t.Fatalf("email %q carries a script tag into its HTML", m.Subject)
				}
			}
		}
	})
}
