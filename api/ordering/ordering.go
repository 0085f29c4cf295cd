// Package ordering is the orders HTTP API: customers list their orders and
// read one with its status history (mounted at /api/orders); support and
// admin list and filter every order and ship, deliver, cancel or refund one
// (mounted at /api/admin/orders). Lists come from the orders read model;
// writes are ordering commands. The owner and staff read an order's invoice
// and credit notes as printable JSON documents (invoice.go).
//
// Consistency: GET /{id} takes the order from the read model and folds in
// whatever its stream holds past that version, so the detail (status and
// history included) is the order as the event store holds it when the read
// runs, however far the projector is behind. An order whose stream does not
// exist yet — in server mode the basket service sends PlaceOrder over the
// bus and answers 202 before the ordering service has appended it — is
// waited for, briefly and bounded (Deps.PlacementWait), so the customer who
// just checked out does not get a 404.
//
// Following an order: GET /{id} answers with a weak ETag of the order's
// version (W/"<version>"). A read with that tag in If-None-Match answers 304
// while the order has not changed; adding `Prefer: wait=<seconds>` (RFC
// 7240, at most maxWait) holds the read until the order changes or the
// wait ends, so a client following a checkout to Paid sends one request per
// change instead of polling (changed.go).
package ordering

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/evshop/shop/commands/esrepo"
	ordercmd "github.com/evshop/shop/commands/ordering"
	paycmd "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/guestorder"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/poll"
	"github.com/evshop/shop/projections/orders"
)

// Reader is the orders read model (projections/orders Store).
type Reader interface {
	Get(ctx context.Context, orderID string) (orders.Order, error)
	List(ctx context.Context, q orders.Query) (orders.Page, error)
}

// Commands is the staff write side (commands/ordering.Handlers).
type Commands interface {
	ShipOrder(ctx context.Context, cmd *ordercmd.ShipOrder) error
	DeliverOrder(ctx context.Context, cmd *ordercmd.DeliverOrder) error
	CancelOrder(ctx context.Context, cmd *ordercmd.CancelOrder) error
	Load(ctx context.Context, orderID string) (*domain.Order, error)
}

// Sender sends a command over the bus (messaging.Bus).
type Sender interface {
	Send(ctx context.Context, cmd any) error
}

// Deps are the API's collaborators.
type Deps struct {
	Reader   Reader
	Commands Commands
	// Payments carries the staff refund to the payment service, which gives
	// the money back and then reports it (the order follows, see
	// commands/ordering.RefundEvents). Without it refunds answer 503.
	Payments Sender
	// Events is the event store: GET /{id} folds the events the read model
	// has not applied yet from it, and the staff timeline lists them.
	Events eventstore.Store
	// PlacementWait bounds how long GET /{id} waits for an order whose
	// stream does not exist yet (default 2s; see the package comment).
	PlacementWait time.Duration
	// Stopping, closed when the shop begins to stop, ends every read held
	// (Prefer: wait, a placement awaited) with the order as it is, so that
	// the server's shutdown does not wait them out. nil: never.
	Stopping <-chan struct{}
	Log      *slog.Logger
	// Verifier, when set, makes the mounts verify the access token themselves.
	Verifier authn.Verifier
	// Seller is printed on invoices and credit notes (invoice.go).
	Seller Seller
	// Returns serves the customers' and staff's return routes
	// (returns.go); without it they answer 503.
	Returns Returns
	// ReturnsList is the staff's returns read model (projections/returns);
	// without it the list folds the returns streams.
	ReturnsList ReturnsList
	// OrderLinks checks the signed links of guest orders (GET /{id}?token=);
	// without it every token is refused.
	OrderLinks *guestorder.Signer
}

// defaultPlacementWait covers PlaceOrder's trip over the bus with room for a
// backlog; a stream that does not appear within it is answered 404.
const defaultPlacementWait = 2 * time.Second

// API serves the customer and staff order routes.
type API struct {
	d      Deps
	events *esrepo.Codec // ordering events, for the support timeline
	// heads is Events when it tells where a stream ends
	// (eventstore.StreamHeads), nil otherwise; seen keeps the orders
	// current served.
	heads eventstore.StreamHeads
	seen  *seenOrders
}

// New validates deps.
func New(d Deps) (*API, error) {
	if d.Reader == nil || d.Commands == nil || d.Events == nil {
		return nil, errors.New("ordering api: Reader, Commands and Events are required")
	}
	if d.PlacementWait <= 0 {
		d.PlacementWait = defaultPlacementWait
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	a := &API{d: d, events: ordercmd.Codec(), seen: &seenOrders{m: map[string]orders.Order{}}}
	a.heads, _ = d.Events.(eventstore.StreamHeads)
	return a, nil
}

// Mount registers the customer routes (the gateway mounts it at /api/orders).
// Staff may read any order through GET /{id}.
func (a *API) Mount(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	r.Get("/", authn.Required(), a.listMine)
	r.Get("/:id", a.byLink, authn.Required(), func(c *fiber.Ctx) error { return a.get(c, true) })
	// The documents check the session or the guest link themselves.
	r.Get("/:id/invoice", a.invoice)
	r.Get("/:id/credit-notes/:number", a.creditNote)
	a.mountReturns(r)
}

// byLink serves GET /{id}?token=: the order of a guest checkout through its
// signed link, with or without a session. A token that is not valid for
// this order (malformed, expired, tampered with, another order's) is the
// same 404 as a missing order. Without a token the route needs a session.
func (a *API) byLink(c *fiber.Ctx) error {
	if !c.Request().URI().QueryArgs().Has("token") {
		return c.Next()
	}
	id, err := pathOrderID(c)
	if err != nil {
		return err
	}
	if a.d.OrderLinks == nil || a.d.OrderLinks.Verify(id, c.Query("token")) != nil {
		return httpx.NotFound("no such order")
	}
	o, err := a.current(c.UserContext(), id)
	if err != nil {
		return err
	}
	if o.Version == 0 {
		if o, err = a.awaitPlaced(c.UserContext(), id); err != nil {
			return err
		}
	}
	if o.Version == 0 {
		return httpx.NotFound("no such order")
	}
	return a.respond(c, id, o)
}

// MountAdmin registers the staff routes (mounted at /api/admin/orders).
func (a *API) MountAdmin(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	staff := authn.Required(authn.RoleSupport, authn.RoleAdmin)
	r.Get("/", staff, a.listAll)
	r.Get("/:id", staff, func(c *fiber.Ctx) error { return a.get(c, false) })
	r.Get("/:id/timeline", staff, a.timeline)
	r.Post("/:id/ship", staff, a.ship)
	r.Post("/:id/deliver", staff, a.deliver)
	r.Post("/:id/cancel", staff, a.cancel)
	// Refunds move money out of the shop: admins only, as on the payments
	// route (api/payment), so both doors have the same lock.
	r.Post("/:id/refund", authn.Required(authn.RoleAdmin), a.refund)
}

func pageQuery(c *fiber.Ctx) (orders.Query, error) {
	var q orders.Query
	for name, dst := range map[string]*int{"page": &q.Page, "pageSize": &q.PageSize} {
		if s := c.Query(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || (name == "pageSize" && n > 100) || n > 1_000_000 {
				return q, httpx.Invalid(httpx.FieldError{Field: name, Reason: "must be a positive integer (pageSize ≤ 100)"})
			}
			*dst = n
		}
	}
	return q.Normalize(), nil
}

func (a *API) listMine(c *fiber.Ctx) error {
	p, _ := authn.FromCtx(c)
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	q.CustomerID = strings.ToLower(p.UserID)
	if p.Email != "" {
		// Signing in needs a verified address, so the guest orders placed
		// with it are this customer's (platform/guestorder).
		q.AlsoCustomerID = guestorder.CustomerID(p.Email)
	}
	page, err := a.d.Reader.List(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// listAll filters by status, by customerId (the back office's customer
// page) and by q: an order id, a customer id or an email.
func (a *API) listAll(c *fiber.Ctx) error {
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	if s := c.Query("status"); s != "" {
		st, err := domain.ParseStatus(s)
		if err != nil {
			return httpx.Invalid(httpx.FieldError{Field: "status", Reason: "is not an order status"})
		}
		q.Status = string(st)
	}
	if id := c.Query("customerId"); id != "" {
		if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
			return httpx.Invalid(httpx.FieldError{Field: "customerId", Reason: "must be a user id (UUID)"})
		}
		if strings.TrimSpace(c.Query("q")) != "" {
			return httpx.Invalid(httpx.FieldError{Field: "customerId", Reason: "cannot be combined with q"})
		}
		q.CustomerID = strings.ToLower(id)
		page, err := a.d.Reader.List(c.UserContext(), q)
		if err != nil {
			return err
		}
		return c.JSON(page)
	}
	if term := strings.TrimSpace(c.Query("q")); term != "" {
		if len(term) > 254 {
			return httpx.Invalid(httpx.FieldError{Field: "q", Reason: "is too long"})
		}
		if _, err := uuid.Parse(term); err == nil && len(term) == 36 {
			// An id may be an order's or a customer's: try the order first.
			if o, err := a.d.Reader.Get(c.UserContext(), strings.ToLower(term)); err == nil {
				return c.JSON(orders.Page{Items: []orders.Summary{o.Summary}, Page: 1, PageSize: q.PageSize, Total: 1})
			}
			q.CustomerID = strings.ToLower(term)
		} else {
			q.Email = term
		}
	}
	page, err := a.d.Reader.List(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func pathOrderID(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return "", httpx.NotFound("no such order")
	}
	return strings.ToLower(id), nil
}

// get serves the owner or staff; anyone else gets the same 404 as for a
// missing order, so order ids cannot be probed. awaitPlacement (the
// customer route) waits for an order not in the event store yet.
func (a *API) get(c *fiber.Ctx, awaitPlacement bool) error {
	p, _ := authn.FromCtx(c)
	id, err := pathOrderID(c)
	if err != nil {
		return err
	}
	o, err := a.current(c.UserContext(), id)
	if err != nil {
		return err
	}
	if o.Version == 0 && awaitPlacement {
		if o, err = a.awaitPlaced(c.UserContext(), id); err != nil {
			return err
		}
	}
	if o.Version == 0 {
		return httpx.NotFound("no such order")
	}
	if !mayRead(p, o) {
		return httpx.NotFound("no such order")
	}
	return a.respond(c, id, o)
}

// mayRead: staff read every order, a customer their own and the guest
// orders placed with their account's (verified) email address.
func mayRead(p authn.Principal, o orders.Order) bool {
	return p.IsStaff() || strings.EqualFold(o.CustomerID, p.UserID) || guestorder.IsGuest(o.CustomerID, p.Email)
}

func sendOrder(c *fiber.Ctx, o orders.Order) error {
	if o.Lines == nil {
		o.Lines = []orders.Line{}
	}
	if o.History == nil {
		o.History = []orders.HistoryEntry{}
	}
	return c.JSON(o)
}

// current is the order as its stream holds it now: the read model's order
// with the events it has not applied yet folded in (Version 0: no such
// order). A read model that fails is worked around by folding the whole
// stream (an order's stream is a dozen events).
//
// An order is a function of its stream alone, so the order served last
// (seen) is as good a start as the read model's: the storefront polls an
// order until it is paid, and each poll then costs one read of the events
// after it (usually none) instead of the read model's row as well. With a
// store that tells where a stream ends (eventstore.StreamHeads: the
// embedded shop's; in server mode the streams this process appended to) it
// is served again without any read while its version is still the
// stream's end.
func (a *API) current(ctx context.Context, id string) (orders.Order, error) {
	stream := domain.Stream(id)
	var end uint64
	known := false
	if a.heads != nil {
		end, known = a.heads.KnownNext(stream)
	}
	o, seen := a.seen.get(id)
	if seen && known && o.Version == end {
		return o, nil
	}
	if !seen {
		var err error
		o, err = a.d.Reader.Get(ctx, id)
		switch {
		case errors.Is(err, orders.ErrNotFound):
			o = orders.Order{}
		case err != nil:
			a.d.Log.WarnContext(ctx, "orders read model failed; reading the stream", "err", err)
			o = orders.Order{}
		}
	}
	if !known || o.Version != end {
		for ev, err := range a.d.Events.Read(ctx, stream, o.Version) {
			if err != nil {
				return orders.Order{}, fmt.Errorf("ordering api: read order %s: %w", id, err)
			}
			if o, err = orders.CatchUp(o, ev); err != nil {
				return orders.Order{}, fmt.Errorf("ordering api: fold order %s: %w", id, err)
			}
		}
	}
	if o.Version > 0 {
		a.seen.put(id, o)
	}
	return o, nil
}

// seenOrders is the orders current served last, a few thousand at most:
// when full it starts afresh. Callers only read what it hands out.
type seenOrders struct {
	mu sync.Mutex
	m  map[string]orders.Order
}

const maxSeenOrders = 4096

func (s *seenOrders) get(id string) (orders.Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.m[id]
	return o, ok
}

func (s *seenOrders) put(id string, o orders.Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxSeenOrders {
		clear(s.m)
	}
	s.m[id] = o
}

// awaitPlaced polls for an order that is not in the event store yet, backing
// off from 5 ms to 100 ms, until it appears or PlacementWait has passed
// (then the zero Order).
func (a *API) awaitPlaced(ctx context.Context, id string) (orders.Order, error) {
	return a.await(ctx, id, a.d.PlacementWait, 5*time.Millisecond, 100*time.Millisecond,
		func(o orders.Order) bool { return o.Version > 0 })
}

// await reads the order again and again, pausing first, doubled each time
// up to most, until done holds, within has passed or the shop is stopping;
// it returns the last read (the zero Order when it never read).
func (a *API) await(ctx context.Context, id string, within, first, most time.Duration, done func(orders.Order) bool) (orders.Order, error) {
	var o orders.Order
	var readErr error
	err := poll.Until(ctx, a.d.Stopping, within, first, most, func() (bool, error) {
		o, readErr = a.current(ctx, id)
		return readErr == nil && done(o), readErr
	})
	if err != nil && readErr == nil { // ctx ended during a pause
		return orders.Order{}, err
	}
	return o, err
}

type timelineEntry struct {
	Type     string          `json:"type"`
	At       time.Time       `json:"at"`
	Position uint64          `json:"position"`
	Revision uint64          `json:"revision"`
	Stream   string          `json:"stream"`
	Data     json.RawMessage `json:"data"`
}

// timeline lists the raw events of the order's stream for support. The
// payment token is blanked: staff never need it.
func (a *API) timeline(c *fiber.Ctx) error {
	id, err := pathOrderID(c)
	if err != nil {
		return err
	}
	out := []timelineEntry{}
	for ev, err := range a.d.Events.Read(c.UserContext(), domain.Stream(id), 0) {
		if err != nil {
			return err
		}
		data := ev.Data
		if ev.Type == domain.EventOrderPlaced {
			if e, err := a.events.Decode(ev.Type, ev.Data); err == nil {
				placed := e.(domain.OrderPlaced)
				placed.Payment.Token = ""
				data, _ = json.Marshal(placed)
			}
		}
		out = append(out, timelineEntry{Type: ev.Type, At: ev.Time, Position: ev.Position, Revision: ev.Revision, Stream: ev.Stream, Data: data})
	}
	if len(out) == 0 {
		return httpx.NotFound("no such order")
	}
	// The order's returns (returns-<orderId>) belong to its history too.
	for ev, err := range a.d.Events.Read(c.UserContext(), returns.Stream(id), 0) {
		if err != nil {
			return err
		}
		out = append(out, timelineEntry{Type: ev.Type, At: ev.Time, Position: ev.Position, Revision: ev.Revision, Stream: ev.Stream, Data: ev.Data})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Position < out[j].Position })
	return c.JSON(fiber.Map{"items": out})
}

type statusResp struct {
	OrderID string `json:"orderId"`
	Status  string `json:"status"`
}

// run sends cmd for the order in the path and answers with the status the
// aggregate now has (the read model may not have caught up yet).
func (a *API) run(c *fiber.Ctx, body any, send func(ctx context.Context, id string) error) error {
	id, err := pathOrderID(c)
	if err != nil {
		return err
	}
	if body != nil {
		if err := httpx.DecodeJSON(c, body); err != nil {
			return err
		}
	}
	p, _ := authn.FromCtx(c)
	ctx := esrepo.WithMetadata(c.UserContext(), eventstore.Metadata{UserID: p.UserID, CorrelationID: c.GetRespHeader("X-Request-ID")})
	if _, err := a.d.Commands.Load(ctx, id); err != nil {
		return problem(err)
	}
	if err := send(ctx, id); err != nil {
		return problem(err)
	}
	o, err := a.d.Commands.Load(ctx, id)
	if err != nil {
		return problem(err)
	}
	a.d.Log.InfoContext(ctx, "order changed by staff", "order_id", id, "status", o.Status(), "user_id", p.UserID)
	return c.JSON(statusResp{OrderID: id, Status: string(o.Status())})
}

func problem(err error) error {
	switch {
	case ordercmd.IsNotFound(err):
		return httpx.NotFound("no such order")
	case errors.Is(err, domain.ErrIllegalTransition):
		return httpx.Conflict("the order's status does not allow this")
	case errors.Is(err, domain.ErrInvalid):
		msg := err.Error()
		if i := strings.LastIndex(msg, "invalid input: "); i >= 0 {
			msg = msg[i+len("invalid input: "):]
		}
		return httpx.NewProblem(fiber.StatusUnprocessableEntity, msg)
	case errors.Is(err, eventstore.ErrConcurrency):
		return httpx.Conflict("the order is being changed; try again")
	}
	return err
}

type shipReq struct {
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"trackingNumber"`
}

func (a *API) ship(c *fiber.Ctx) error {
	var req shipReq
	return a.run(c, &req, func(ctx context.Context, id string) error {
		return a.d.Commands.ShipOrder(ctx, &ordercmd.ShipOrder{OrderID: id, Carrier: req.Carrier, TrackingNumber: req.TrackingNumber})
	})
}

func (a *API) deliver(c *fiber.Ctx) error {
	var body = optionalBody(c)
	return a.run(c, body, func(ctx context.Context, id string) error {
		return a.d.Commands.DeliverOrder(ctx, &ordercmd.DeliverOrder{OrderID: id})
	})
}

// optionalBody accepts an empty body or "{}" for action endpoints that take
// no fields.
func optionalBody(c *fiber.Ctx) any {
	if len(strings.TrimSpace(string(c.Body()))) == 0 {
		return nil
	}
	return &struct{}{}
}

type cancelReq struct {
	Reason string `json:"reason"`
}

func (a *API) cancel(c *fiber.Ctx) error {
	var req cancelReq
	return a.run(c, &req, func(ctx context.Context, id string) error {
		return a.d.Commands.CancelOrder(ctx, &ordercmd.CancelOrder{OrderID: id, Reason: req.Reason})
	})
}

type refundReq struct {
	Amount money.DTO `json:"amount"`
	Reason string    `json:"reason"`
}

// refund asks the payment service to give money back: 202 Accepted once the
// command is on its way. The order turns PartiallyRefunded or Refunded when
// the payment reports the refund (commands/ordering.RefundEvents). The
// required Idempotency-Key header names the refund, so a retried request
// refunds once; the payment never gives back more than was captured.
func (a *API) refund(c *fiber.Ctx) error {
	id, err := pathOrderID(c)
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.Get("Idempotency-Key"))
	if key == "" || len(key) > 64 || strings.ContainsAny(key, "\x00\r\n") {
		return httpx.BadRequest("an Idempotency-Key header (1–64 characters) is required")
	}
	var req refundReq
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	amount, err := money.FromDTO(req.Amount)
	if err != nil {
		return httpx.Invalid(httpx.FieldError{Field: "amount", Reason: "must be a positive amount in minor units with an ISO currency"})
	}
	if a.d.Payments == nil {
		return httpx.NewProblem(fiber.StatusServiceUnavailable, "refunds are not available: no payment service is connected")
	}
	p, _ := authn.FromCtx(c)
	ctx := esrepo.WithMetadata(c.UserContext(), eventstore.Metadata{UserID: p.UserID, CorrelationID: c.GetRespHeader("X-Request-ID")})
	o, err := a.d.Commands.Load(ctx, id)
	if err != nil {
		return problem(err)
	}
	if o.PaymentID() == "" {
		return httpx.Conflict("the order has no payment to refund")
	}
	// Tried on this loaded copy only (never saved): refuses what the order
	// could not record — the wrong status, currency, more than is left, no
	// reason. A refund already recorded under this key passes, and the
	// payment recognises it too.
	if err := o.Refund(amount, strings.TrimSpace(req.Reason), key); err != nil {
		return problem(err)
	}
	cmd := &paycmd.RefundPayment{PaymentID: o.PaymentID(), Amount: req.Amount, Reason: strings.TrimSpace(req.Reason), RefundID: key}
	sendCtx := messaging.WithUserID(messaging.WithCorrelation(ctx, c.GetRespHeader("X-Request-ID")), p.UserID)
	if err := a.d.Payments.Send(sendCtx, cmd); err != nil {
		return err
	}
	a.d.Log.InfoContext(ctx, "refund requested by staff", "order_id", id, "payment_id", o.PaymentID(), "refund_id", key, "user_id", p.UserID)
	return c.Status(fiber.StatusAccepted).JSON(refundResp{OrderID: id, PaymentID: o.PaymentID(), RefundID: key, Status: "requested"})
}

type refundResp struct {
	OrderID   string `json:"orderId"`
	PaymentID string `json:"paymentId"`
	RefundID  string `json:"refundId"`
	Status    string `json:"status"`
}
