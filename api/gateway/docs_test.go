package gateway

import (
	"strings"
	"testing"
)

// The reference page shows the webhooks integrators receive (by event type,
// with their signature headers) beside the API's paths, and resolves the
// parameters the document shares.
func TestDocsPageShowsWebhooks(t *testing.T) {
	t.Parallel()
	d, err := loadDocs()
	if err != nil {
		t.Fatal(err)
	}
	page := string(d.html)
	for _, want := range []string{`id="webhooks"`, "<code>order.paid.v1</code>", "<code>return.received.v1</code>",
		"<code>Evshop-Signature</code>", "<code>Evshop-Event-Id</code>", "<code>X-CSRF-Token</code>", "WebhookOrderPaid"} {
		if !strings.Contains(page, want) {
			t.Errorf("the docs page lacks %s", want)
		}
	}
}
