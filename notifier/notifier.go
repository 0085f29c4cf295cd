// Package notifier owns the shop's customer emails and ops alerts: it turns
// identity, ordering, payment and basket events into localised emails
// (templates), sends each exactly once per triggering event through a delivery
// log, retries transient provider failures with backoff, records permanent ones
// for support, sends abandoned-basket reminders to customers who opted in to
// marketing, and verifies the signed unsubscribe links in those reminders.
// Ops alerting lives in notifier/alerts; store adapters in notifier/memstore
// and notifier/pgstore.
package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/notifier/templates"
	"github.com/evshop/shop/platform/guestorder"
	"github.com/evshop/shop/platform/poll"
	"github.com/evshop/shop/platform/promx"
	"github.com/evshop/shop/platform/sealed"
)

// Stable names of the notifier's two event consumers. HandlerName names a
// durable queue taking EmailEventTypes, many at once (Concurrent), so
// renaming it re-consumes from an empty queue. BasketHandlerName is the
// BasketTracker: a catch-up runner over the event store by default (its
// lease, metrics and checkpoint row), or with PROJECTIONS_SOURCE=bus a
// queue taking BasketEventTypes one at a time, in order.
const (
	HandlerName       = "notifier.send-emails"
	BasketHandlerName = "notifier.track-baskets"
)

// ErrConfig is wrapped by New for missing or invalid settings.
var ErrConfig = errors.New("notifier: invalid config")

// Config wires a Notifier.
type Config struct {
	Sender     mail.Sender // wrapped by New with mail.Retry(Retry)
	Templates  *templates.Set
	Deliveries DeliveryLog
	Baskets    BasketStore
	// BackInStock is optional: without it restocks send nothing.
	BackInStock BackInStock
	// Recipients is optional: without it, emails use the event's name and English.
	Recipients Recipients
	// Marketing and OptOut are optional: without Marketing no reminder is
	// sent; without OptOut the unsubscribe link cannot be honoured, so
	// reminders are not sent either.
	Marketing MarketingPreferences
	OptOut    MarketingOptOut
	// LinkBox opens the sealed verification/reset tokens (MAIL_LINK_KEY).
	LinkBox *sealed.Box
	// UnsubscribeKey signs unsubscribe links (at least 32 bytes).
	UnsubscribeKey []byte
	// PublicURL is the storefront origin the links point to, e.g. https://shop.example.
	PublicURL string
	// OrderLinks signs the order status links that guest orders' emails
	// carry (platform/guestorder); without it they carry none.
	OrderLinks *guestorder.Signer
	// Events is where the order emails read their order: the first event of
	// its stream, OrderPlaced. The notifier therefore takes no OrderPlaced
	// from the bus and keeps no copy of orders (one delivery and one write
	// fewer per checkout than the copy it used to keep, for one short read
	// per order email), and an order email never arrives before its order.
	Events StreamReader
	// ReminderIdle is how long a basket must sit untouched (default 24h);
	// ReminderMaxAge skips baskets idle for longer (default 7 days), so a
	// replay of old history does not remind anyone about ancient baskets.
	ReminderIdle, ReminderMaxAge time.Duration
	// Lease bounds how long a crashed worker's claim blocks a retry (default 2m).
	Lease time.Duration
	// InFlightWait is how long a delivery waits out another worker's claim
	// on its email before the event goes back to the bus as failed (default
	// Lease + 10s; negative: not at all). The claim's holder is either still
	// sending (it marks the email sent within moments) or died with its
	// lease running; the bus's retries give up after seconds, so without
	// the wait a replica killed mid-send left its emails to the dead letters.
	InFlightWait time.Duration
	// Stopping, closed when the process begins to stop, ends such waits at
	// once: the event goes back to its queue for another replica, rather
	// than holding the shutdown's drain.
	Stopping <-chan struct{}
	Retry    mail.RetryConfig
	Now      func() time.Time
	Log      *slog.Logger
	// Registerer receives the notifier's metrics when set.
	Registerer prometheus.Registerer
}

// Notifier sends the shop's customer emails.
type Notifier struct {
	cfg     Config
	sender  mail.Sender
	public  string
	signer  linkSigner
	log     *slog.Logger
	emails  *prometheus.CounterVec
	retries prometheus.Counter
	latency *prometheus.HistogramVec
}

// New validates cfg and returns a Notifier.
func New(cfg Config) (*Notifier, error) {
	var missing []string
	if cfg.Sender == nil {
		missing = append(missing, "Sender")
	}
	if cfg.Templates == nil {
		missing = append(missing, "Templates")
	}
	if cfg.Deliveries == nil {
		missing = append(missing, "Deliveries")
	}
	if cfg.Events == nil {
		missing = append(missing, "Events")
	}
	if cfg.Baskets == nil {
		missing = append(missing, "Baskets")
	}
	if cfg.LinkBox == nil {
		missing = append(missing, "LinkBox")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: missing %s", ErrConfig, strings.Join(missing, ", "))
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("%w: PublicURL %q must be an http(s) origin", ErrConfig, cfg.PublicURL)
	}
	if len(cfg.UnsubscribeKey) < 32 {
		return nil, fmt.Errorf("%w: UnsubscribeKey must be at least 32 bytes", ErrConfig)
	}
	if cfg.ReminderIdle <= 0 {
		cfg.ReminderIdle = 24 * time.Hour
	}
	if cfg.ReminderMaxAge <= 0 {
		cfg.ReminderMaxAge = 7 * 24 * time.Hour
	}
	if cfg.ReminderMaxAge < cfg.ReminderIdle {
		return nil, fmt.Errorf("%w: ReminderMaxAge %v is shorter than ReminderIdle %v", ErrConfig, cfg.ReminderMaxAge, cfg.ReminderIdle)
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.InFlightWait == 0 {
		cfg.InFlightWait = cfg.Lease + 10*time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	n := &Notifier{cfg: cfg, public: strings.TrimRight(cfg.PublicURL, "/"), signer: linkSigner{key: cfg.UnsubscribeKey}, log: cfg.Log}
	n.emails = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifier_emails_total",
		Help: "Emails by kind and outcome (sent, duplicate, failed, transient, skipped)."}, []string{"kind", "outcome"})
	n.retries = prometheus.NewCounter(prometheus.CounterOpts{Name: "notifier_send_retries_total", Help: "Provider sends retried after a transient failure."})
	n.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "notifier_email_latency_seconds",
		Help:    "Time from the triggering event (e.g. InvoiceIssued) being recorded to its email being accepted by the provider, by kind.",
		Buckets: []float64{.025, .05, .1, .25, .5, .75, 1, 1.5, 2, 3, 5, 10, 30, 60, 120, 300, 600}}, []string{"kind"})
	if cfg.Registerer != nil {
		n.emails = promx.RegisterOrExisting(cfg.Registerer, n.emails)
		n.retries = promx.RegisterOrExisting(cfg.Registerer, n.retries)
		n.latency = promx.RegisterOrExisting(cfg.Registerer, n.latency)
	}
	retry := cfg.Retry
	onRetry := retry.OnRetry
	retry.OnRetry = func(attempt int, err error, wait time.Duration) {
		n.retries.Inc()
		n.log.Warn("mail send failed, retrying", "attempt", attempt, "wait", wait, "err", err)
		if onRetry != nil {
			onRetry(attempt, err, wait)
		}
	}
	n.sender = mail.Retry(cfg.Sender, retry)
	return n, nil
}

// Handle consumes one event. It is idempotent: a redelivered or replayed
// event never sends a second email. A nil error means the event is done
// (sent, already sent, not for us, or failed permanently and recorded); an
// error means "retry later" (transient provider failure, claim held by
// another worker, order not known yet).
func (n *Notifier) Handle(ctx context.Context, ev eventstore.RecordedEvent) error {
	switch ev.Type {
	case EventUserRegistered, EventVerificationRequested:
		return n.onIdentity(ctx, ev, templates.KindVerifyEmail, "/verify")
	case EventPasswordResetRequested:
		return n.onIdentity(ctx, ev, templates.KindPasswordReset, "/reset-password")
	case EventPasswordChanged:
		return n.onPasswordChanged(ctx, ev)
	case EventStaffInvited:
		return n.onStaffInvited(ctx, ev)
	case EventRoleGranted:
		return n.onRoleChanged(ctx, ev, templates.KindRoleGranted)
	case EventRoleRevoked:
		return n.onRoleChanged(ctx, ev, templates.KindRoleRevoked)
	case EventInvoiceIssued:
		return n.onOrderEvent(ctx, ev, templates.KindOrderConfirmation)
	case EventPaymentFailed:
		return n.onOrderEvent(ctx, ev, templates.KindPaymentFailed)
	case EventOrderShipped:
		return n.onOrderEvent(ctx, ev, templates.KindOrderShipped)
	case EventOrderCancelled:
		return n.onOrderEvent(ctx, ev, templates.KindOrderCancelled)
	case EventOrderRefunded, EventPaymentRefunded:
		return n.onOrderEvent(ctx, ev, templates.KindRefundIssued)
	case EventItemAdded, EventItemQuantityChanged, EventItemRemoved, EventBasketCleared, EventBasketCheckedOut:
		return n.onBasket(ctx, ev)
	case EventStockRestocked:
		return n.onRestocked(ctx, ev)
	case EventReturnRequested, EventReturnApproved, EventReturnRejected, EventReturnRefunded:
		return n.onReturnEvent(ctx, ev)
	}
	return nil
}

func (n *Notifier) onIdentity(ctx context.Context, ev eventstore.RecordedEvent, kind templates.Kind, path string) error {
	var e identityEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil || e.UserID == "" {
		return n.recordPermanent(ctx, ev.ID, kind, "", fmt.Sprintf("malformed %s event", ev.Type))
	}
	if e.SealedToken == "" {
		// An account created already verified (admin bootstrap) has nothing to confirm.
		n.emails.WithLabelValues(string(kind), "skipped").Inc()
		return nil
	}
	token, err := n.cfg.LinkBox.Open(e.SealedToken, e.UserID)
	if err != nil {
		// Never log the sealed value: it is as good as the token to anyone
		// holding the key.
		return n.recordPermanent(ctx, ev.ID, kind, e.Email, "cannot open the sealed link token (MAIL_LINK_KEY mismatch?)")
	}
	r := n.recipient(ctx, e.UserID, e.Email, e.Name, e.Lang)
	d := n.baseData(r)
	d.Link = n.public + path + "?token=" + url.QueryEscape(token)
	return n.deliver(ctx, ev.ID, kind, r, d, nil, ev.Time)
}

// onPasswordChanged tells the account's address that its password changed
// (by the user, a reset link or the admin bootstrap), so an owner who did
// not do it learns at once and can take the account back.
func (n *Notifier) onPasswordChanged(ctx context.Context, ev eventstore.RecordedEvent) error {
	kind := templates.KindPasswordChanged
	var e identityEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil || e.UserID == "" || e.Email == "" {
		return n.recordPermanent(ctx, ev.ID, kind, "", fmt.Sprintf("malformed %s event", ev.Type))
	}
	if e.Reason == "invitation" {
		// The invitee just chose their first password from the invitation
		// mail; telling them it changed would only confuse.
		n.emails.WithLabelValues(string(kind), "skipped").Inc()
		return nil
	}
	r := n.recipient(ctx, e.UserID, e.Email, e.Name, e.Lang)
	d := n.baseData(r)
	d.Link = n.public + "/forgot-password"
	return n.deliver(ctx, ev.ID, kind, r, d, nil, ev.Time)
}

// onStaffInvited mails the invitation with its link to choose a password.
func (n *Notifier) onStaffInvited(ctx context.Context, ev eventstore.RecordedEvent) error {
	kind := templates.KindStaffInvitation
	var e identityEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil || e.UserID == "" || e.Email == "" || e.SealedToken == "" {
		return n.recordPermanent(ctx, ev.ID, kind, "", fmt.Sprintf("malformed %s event", ev.Type))
	}
	token, err := n.cfg.LinkBox.Open(e.SealedToken, e.UserID)
	if err != nil {
		return n.recordPermanent(ctx, ev.ID, kind, e.Email, "cannot open the sealed link token (MAIL_LINK_KEY mismatch?)")
	}
	r := n.recipient(ctx, e.UserID, e.Email, e.Name, e.Lang)
	d := n.baseData(r)
	d.Link = n.public + "/accept-invite?token=" + url.QueryEscape(token)
	d.Role = e.Role
	return n.deliver(ctx, ev.ID, kind, r, d, nil, ev.Time)
}

// onRoleChanged tells the person an admin granted or revoked a staff role.
// Grants of an invitation (its mail says it), of the operator's bootstrap
// and grants recorded before grants named their admin send nothing.
func (n *Notifier) onRoleChanged(ctx context.Context, ev eventstore.RecordedEvent, kind templates.Kind) error {
	var e identityEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil || e.UserID == "" || e.Email == "" || e.Role == "" {
		return n.recordPermanent(ctx, ev.ID, kind, "", fmt.Sprintf("malformed %s event", ev.Type))
	}
	if kind == templates.KindRoleGranted && (e.ViaInvitation || e.GrantedBy == "" || e.GrantedBy == "bootstrap") {
		n.emails.WithLabelValues(string(kind), "skipped").Inc()
		return nil
	}
	if e.Role != "support" && e.Role != "admin" {
		n.emails.WithLabelValues(string(kind), "skipped").Inc()
		return nil
	}
	r := n.recipient(ctx, e.UserID, e.Email, e.Name, e.Lang)
	d := n.baseData(r)
	d.Role = e.Role
	if kind == templates.KindRoleGranted {
		d.Link = n.public + "/admin"
	}
	return n.deliver(ctx, ev.ID, kind, r, d, nil, ev.Time)
}

// placedOrder is what the emails need of an OrderPlaced; false when ev is
// not a well-formed one.
func placedOrder(ev eventstore.RecordedEvent) (Order, bool) {
	var e orderPlaced
	if ev.Type != EventOrderPlaced || json.Unmarshal(ev.Data, &e) != nil || e.OrderID == "" {
		return Order{}, false
	}
	o := Order{OrderID: e.OrderID, CustomerID: e.CustomerID, Email: e.Email, Total: e.Total, PlacedAt: e.PlacedAt,
		Address: templates.Address{Name: e.ShippingAddress.Name, Line1: e.ShippingAddress.Line1, Line2: e.ShippingAddress.Line2,
			City: e.ShippingAddress.City, PostalCode: e.ShippingAddress.PostalCode, Country: e.ShippingAddress.Country}}
	for _, l := range e.Lines {
		o.Lines = append(o.Lines, templates.Line{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, UnitPrice: l.UnitPrice})
	}
	o.Breakdown = breakdown(e.Breakdown)
	return o, true
}

// order returns the order an email is about, from the first event of its
// stream (OrderPlaced). ErrNotFound when there is none (yet, or a malformed
// one): the bus retries, then dead-letters.
func (n *Notifier) order(ctx context.Context, orderID string) (Order, error) {
	for ev, err := range n.cfg.Events.Read(ctx, "order-"+orderID, 0) {
		if err != nil {
			return Order{}, fmt.Errorf("notifier: read order %s: %w", orderID, err)
		}
		if o, ok := placedOrder(ev); ok {
			return o, nil
		}
		break
	}
	return Order{}, fmt.Errorf("%w: order %s has no OrderPlaced", ErrNotFound, orderID)
}

func (n *Notifier) onOrderEvent(ctx context.Context, ev eventstore.RecordedEvent, kind templates.Kind) error {
	var e orderEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil || e.OrderID == "" {
		return n.recordPermanent(ctx, ev.ID, kind, "", fmt.Sprintf("malformed %s event", ev.Type))
	}
	if kind == templates.KindOrderConfirmation && e.AfterRefund {
		// Paid before invoices existed: confirmed on its OrderPaid then.
		n.emails.WithLabelValues(string(kind), "skipped").Inc()
		return nil
	}
	o, err := n.order(ctx, e.OrderID)
	if errors.Is(err, ErrNotFound) {
		// An order's events follow its OrderPlaced in its stream, so this
		// is a malformed or foreign event: let the bus retry, then
		// dead-letter it for staff to see.
		return fmt.Errorf("notifier: %s for order %s before its OrderPlaced: %w", ev.Type, e.OrderID, err)
	}
	if err != nil {
		return fmt.Errorf("notifier: load order %s: %w", e.OrderID, err)
	}
	r := n.recipient(ctx, o.CustomerID, o.Email, o.Address.Name, "")
	d := n.baseData(r)
	d.OrderID, d.Lines, d.Total, d.Address, d.Breakdown = o.OrderID, o.Lines, o.Total, o.Address, o.Breakdown
	if n.cfg.OrderLinks != nil && guestorder.IsGuest(o.CustomerID, o.Email) {
		// A guest has no account to see the order in: the email carries
		// the signed link to its status page.
		d.Link = n.public + guestorder.StatusPath(o.OrderID, n.cfg.OrderLinks.Token(o.OrderID))
	}
	d.Amount, d.Reason, d.Carrier, d.TrackingNumber = e.Amount, e.Reason, e.Carrier, e.TrackingNumber
	if kind == templates.KindOrderConfirmation {
		d.InvoiceNumber = e.Number
	}
	key := ev.ID
	if kind == templates.KindRefundIssued {
		if isReturnRefund(e.RefundID) {
			return nil // the return's own email (ReturnRefunded) tells the customer
		}
		key = refundKey(e)
	}
	return n.deliver(ctx, key, kind, r, d, nil, ev.Time)
}

// breakdown is what the emails show of an order's price breakdown.
func breakdown(b *pricing.BreakdownDTO) *templates.Breakdown {
	if b == nil {
		return nil
	}
	out := &templates.Breakdown{PricesIncludeTax: b.PricesIncludeTax, Discount: b.Discount, Net: b.Net, Tax: b.Tax}
	if b.Shipping != nil {
		out.Shipping = &templates.Shipping{Name: b.Shipping.Name, Gross: b.Shipping.Gross}
	}
	for _, r := range b.TaxRates {
		out.Rates = append(out.Rates, templates.TaxRate{RateBP: r.RateBP, Net: r.Net, Tax: r.Tax})
	}
	return out
}

// refundKey makes the two events announcing one refund (ordering's
// OrderRefunded and payment's PaymentRefunded) share one delivery: the
// customer hears about a refund once. Two separate refunds of the same amount
// on one order are rare enough to accept one email for both.
func refundKey(e orderEvent) string {
	return fmt.Sprintf("refund:%s:%d:%s", e.OrderID, e.Amount.Amount, e.Amount.Currency)
}

func (n *Notifier) baseData(r Recipient) templates.Data {
	return templates.Data{Name: r.Name, ShopURL: n.public}
}

// recipient combines the event's fields with the profile, falling back to
// English. A profile lookup failure degrades the email rather than blocking it.
func (n *Notifier) recipient(ctx context.Context, customerID, email, name, lang string) Recipient {
	r := Recipient{Email: email, Name: name, Lang: lang}
	if n.cfg.Recipients != nil && customerID != "" {
		p, err := n.cfg.Recipients.Recipient(ctx, customerID)
		if err != nil {
			n.log.WarnContext(ctx, "recipient lookup failed; using the event's fields", "customer_id", customerID, "err", err)
		} else {
			if p.Name != "" {
				r.Name = p.Name
			}
			if p.Lang != "" {
				r.Lang = p.Lang
			}
			if r.Email == "" {
				r.Email = p.Email
			}
		}
	}
	if r.Lang == "" {
		r.Lang = templates.DefaultLanguage
	}
	return r
}

// recordPermanent logs a delivery that can never succeed so support sees it.
func (n *Notifier) recordPermanent(ctx context.Context, key string, kind templates.Kind, to, reason string) error {
	now, err := n.claim(ctx, Claim{Key: key, Kind: string(kind), To: to, Lease: n.cfg.Lease})
	switch {
	case errors.Is(err, ErrAlreadySent), errors.Is(err, ErrAlreadyFailed):
		return nil
	case err != nil:
		return err
	}
	n.emails.WithLabelValues(string(kind), "failed").Inc()
	n.log.ErrorContext(ctx, "email failed permanently", "key", key, "kind", kind, "reason", reason)
	return n.cfg.Deliveries.MarkFailed(ctx, key, reason, now)
}

// claim asks the delivery log for c.Key, waiting out another worker's claim
// for at most InFlightWait: it asks again at growing intervals (50 ms to
// 5 s) until the holder has marked the email sent or failed, or its lease
// has run out and the claim is ours. It returns the time the claim was
// asked at (c.Now).
func (n *Notifier) claim(ctx context.Context, c Claim) (time.Time, error) {
	c.Now = n.cfg.Now()
	err := n.cfg.Deliveries.Claim(ctx, c)
	if errors.Is(err, ErrInFlight) {
		// Ending with ctx or at the bound leaves err as the last answer.
		poll.Until(ctx, n.cfg.Stopping, n.cfg.InFlightWait, 50*time.Millisecond, 5*time.Second, func() (bool, error) { //nolint:errcheck
			c.Now = n.cfg.Now()
			err = n.cfg.Deliveries.Claim(ctx, c)
			return !errors.Is(err, ErrInFlight), nil
		})
	}
	return c.Now, err
}

// deliver sends one email at most once for key. since is when the event
// that asked for it was recorded (zero: not event-driven, not measured).
func (n *Notifier) deliver(ctx context.Context, key string, kind templates.Kind, r Recipient, d templates.Data, headers []mail.Header, since time.Time) error {
	now, err := n.claim(ctx, Claim{Key: key, Kind: string(kind), To: r.Email, Lease: n.cfg.Lease})
	switch {
	case errors.Is(err, ErrAlreadySent), errors.Is(err, ErrAlreadyFailed):
		n.emails.WithLabelValues(string(kind), "duplicate").Inc()
		return nil
	case err != nil:
		return fmt.Errorf("notifier: claim %s: %w", key, err)
	}
	rendered, err := n.cfg.Templates.Render(kind, r.Lang, d)
	if err != nil {
		n.emails.WithLabelValues(string(kind), "failed").Inc()
		n.log.ErrorContext(ctx, "email template failed", "key", key, "kind", kind, "err", err)
		return n.cfg.Deliveries.MarkFailed(ctx, key, err.Error(), now)
	}
	msg := mail.Message{To: r.Email, Subject: rendered.Subject, Text: rendered.Text, HTML: rendered.HTML,
		Headers: headers, Tags: map[string]string{"kind": string(kind)}, IdempotencyKey: key}
	id, err := n.sender.Send(ctx, msg)
	// Bookkeeping must happen even when the caller's context just ended:
	// otherwise a sent email stays "pending" and is sent again after the lease.
	bg := context.WithoutCancel(ctx)
	if err != nil {
		if mail.IsPermanent(err) {
			n.emails.WithLabelValues(string(kind), "failed").Inc()
			n.log.ErrorContext(ctx, "email failed permanently", "key", key, "kind", kind, "err", err)
			return n.cfg.Deliveries.MarkFailed(bg, key, err.Error(), n.cfg.Now())
		}
		n.emails.WithLabelValues(string(kind), "transient").Inc()
		if rerr := n.cfg.Deliveries.Release(bg, key, err.Error(), n.cfg.Now()); rerr != nil {
			n.log.ErrorContext(ctx, "release delivery claim", "key", key, "err", rerr)
		}
		return fmt.Errorf("notifier: send %s %s: %w", kind, key, err)
	}
	for attempt := range 3 {
		if err = n.cfg.Deliveries.MarkSent(bg, key, id, n.cfg.Now()); err == nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	if err != nil {
		// The email went out; asking for a redelivery would send it twice once
		// the lease expires. Leave the row pending and say so loudly.
		n.log.ErrorContext(ctx, "email sent but not recorded", "key", key, "message_id", id, "err", err)
	}
	n.emails.WithLabelValues(string(kind), "sent").Inc()
	if !since.IsZero() {
		n.latency.WithLabelValues(string(kind)).Observe(max(n.cfg.Now().Sub(since), 0).Seconds())
	}
	n.log.InfoContext(ctx, "email sent", "key", key, "kind", kind, "lang", rendered.Lang, "message_id", id)
	return nil
}

// FailedDeliveries lists permanent failures for support, newest first.
func (n *Notifier) FailedDeliveries(ctx context.Context, limit int) ([]Delivery, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return n.cfg.Deliveries.Failed(ctx, limit)
}
