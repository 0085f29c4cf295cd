// Package mailproviders opens the Amazon SES v2 sender from the notifier's
// settings. Only the binaries that send mail import it (cmd/notifier,
// cmd/shop), so only they link the AWS SDK (TestBinariesLinkOnlyWhatTheyRun).
package mailproviders

import (
	"context"

	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/mail/ses"
	"github.com/evshop/shop/wiring/provider"
	"github.com/evshop/shop/wiring/settings"
)

// Set fills the mail adapter of s.
func Set(s *provider.Set) { s.SES = SES }

// SES opens the Amazon SES v2 sender.
func SES(ctx context.Context, o settings.Notifier) (mail.Sender, error) {
	return ses.New(ctx, ses.Config{Endpoint: o.SESEndpoint, Region: o.SESRegion, From: o.SESFrom, ConfigurationSet: o.SESConfigSet})
}
