// Package ses is the Amazon SES v2 adapter of the mail port. It sends simple
// (HTML + text) emails with SendEmail, optionally through a configuration set,
// and classifies SES errors into mail.ErrTransient (throttling, 5xx, network)
// and mail.ErrPermanent (rejections, paused or suspended sending, bad input) so
// the retry decorator and the delivery log can act on them. The SDK's own
// retries are switched off: mail.Retry is the single retry policy, so attempts
// are counted and logged in one place.
package ses

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/evshop/shop/mail"
)

// Config configures the adapter.
type Config struct {
	// Endpoint overrides the SES endpoint (AWS_ENDPOINT_URL_SES), e.g. the
	// local emulator http://127.0.0.1:8005. Empty uses AWS's endpoint.
	Endpoint string
	// Region defaults to us-east-1.
	Region string
	// From is the verified sender, e.g. "Shop <no-reply@shop.example>".
	From string
	// ConfigurationSet, when set, routes sends through that SES configuration
	// set (event publishing of bounces and complaints).
	ConfigurationSet string
	// AccessKeyID and SecretAccessKey, when both set, are used as static
	// credentials; otherwise the default AWS chain is used, except with a
	// custom Endpoint where dummy static credentials keep emulators working.
	AccessKeyID, SecretAccessKey string
}

// Sender sends through SES v2.
type Sender struct {
	client *sesv2.Client
	cfg    Config
}

// idleConnTimeout is how long an idle connection to SES is kept.
const idleConnTimeout = 4 * time.Second

// New builds the SES client. It does no network I/O.
func New(ctx context.Context, cfg Config) (*Sender, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if _, err := mailAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("ses: from address %q: %w", cfg.From, err)
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("ses: endpoint %q must be an http(s) URL", cfg.Endpoint)
		}
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(cfg.Region),
		awsconfig.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
		// An idle connection is dropped before a server would close it
		// (Node's keep-alive timeout, which the local SES emulator has, is
		// 5 s): a request sent on a connection the server is closing fails
		// with "connection reset", and the SDK does not retry here.
		awsconfig.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.IdleConnTimeout = idleConnTimeout
		})),
	}
	switch {
	case cfg.AccessKeyID != "" && cfg.SecretAccessKey != "":
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	case cfg.Endpoint != "":
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("ses: aws config: %w", err)
	}
	client := sesv2.NewFromConfig(awsCfg, func(o *sesv2.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &Sender{client: client, cfg: cfg}, nil
}

func mailAddress(s string) (string, error) {
	m := mail.Message{To: s, Subject: "x", Text: "x"}
	if err := m.Validate(); err != nil {
		return "", errors.New("not a single email address")
	}
	return s, nil
}

// Send sends m and returns the SES message id.
func (s *Sender) Send(ctx context.Context, m mail.Message) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	utf8 := aws.String("UTF-8")
	body := &types.Body{}
	if m.Text != "" {
		body.Text = &types.Content{Data: aws.String(m.Text), Charset: utf8}
	}
	if m.HTML != "" {
		body.Html = &types.Content{Data: aws.String(m.HTML), Charset: utf8}
	}
	msg := &types.Message{Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8}, Body: body}
	for _, h := range m.Headers {
		msg.Headers = append(msg.Headers, types.MessageHeader{Name: aws.String(h.Name), Value: aws.String(h.Value)})
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.cfg.From),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content:          &types.EmailContent{Simple: msg},
	}
	if s.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.cfg.ConfigurationSet)
	}
	for k, v := range m.Tags {
		in.EmailTags = append(in.EmailTags, types.MessageTag{Name: aws.String(tagSafe(k)), Value: aws.String(tagSafe(v))})
	}
	out, err := s.client.SendEmail(ctx, in)
	if err != nil {
		return "", Classify(err)
	}
	return aws.ToString(out.MessageId), nil
}

// tagSafe keeps only the characters SES allows in tag names and values.
func tagSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
}

// Classify wraps an SES error in mail.ErrTransient or mail.ErrPermanent.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", mail.ErrTransient, err)
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "TooManyRequestsException", "LimitExceededException", "Throttling", "ThrottlingException",
			"InternalServiceErrorException", "ServiceUnavailable", "ConcurrentModificationException":
			return fmt.Errorf("%w: ses %s", mail.ErrTransient, apiErr.ErrorCode())
		case "MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException",
			"SendingPausedException", "BadRequestException", "NotFoundException":
			return fmt.Errorf("%w: ses %s: %s", mail.ErrPermanent, apiErr.ErrorCode(), apiErr.ErrorMessage())
		}
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) {
		code := respErr.HTTPStatusCode()
		switch {
		case code == 429 || code >= 500:
			return fmt.Errorf("%w: ses http %d", mail.ErrTransient, code)
		case code >= 400:
			return fmt.Errorf("%w: ses http %d: %w", mail.ErrPermanent, code, err)
		}
	}
	// Network errors (connection refused, reset, DNS) and anything unknown:
	// retry, since the message may well go out on the next attempt.
	return fmt.Errorf("%w: %w", mail.ErrTransient, err)
}
