package ordering

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/evshop/shop/commands/esrepo"
	"github.com/evshop/shop/domain/money"
	returns "github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/guestorder"
	"github.com/evshop/shop/platform/httpx"
)

// Returns is the returns write side and its staff list
// (commands/returns.Handlers).
type Returns interface {
	Facts(ctx context.Context, orderID string) (returns.OrderFacts, error)
	Load(ctx context.Context, orderID string) (*returns.OrderReturns, error)
	Get(ctx context.Context, returnID string) (returns.Return, error)
	List(ctx context.Context, status returns.Status) ([]returns.Return, error)
	Request(ctx context.Context, orderID string, in returns.RequestInput) (returns.Return, error)
	Approve(ctx context.Context, returnID, by string) (returns.Return, error)
	Reject(ctx context.Context, returnID, reason, by string) (returns.Return, error)
	Receive(ctx context.Context, returnID string, lines []returns.ReceivedLine, by string) (returns.Return, error)
	Window() time.Duration
}

// ReturnsList lists returns by status, newest first (projections/returns).
type ReturnsList interface {
	List(ctx context.Context, status returns.Status) ([]returns.Return, error)
}

// mountReturns adds the customer's return routes under /api/orders.
func (a *API) mountReturns(r fiber.Router) {
	r.Get("/:id/returns", authn.Required(), a.listOrderReturns)
	r.Post("/:id/returns", authn.Required(), a.requestReturn)
}

// MountAdminReturns registers the staff return routes (mounted at
// /api/admin/returns). Support and admin both decide and receive returns:
// the refund a receipt triggers is computed by the shop from the order's
// prices, never entered, so it moves no more than the goods came back for.
func (a *API) MountAdminReturns(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	staff := authn.Required(authn.RoleSupport, authn.RoleAdmin)
	r.Get("/", staff, a.listReturns)
	r.Get("/:id", staff, a.getReturn)
	r.Post("/:id/approve", staff, a.approveReturn)
	r.Post("/:id/reject", staff, a.rejectReturn)
	// Receiving refunds the money: admins only, as every refund (the
	// security rules); support approves, rejects and reads.
	r.Post("/:id/receive", authn.Required(authn.RoleAdmin), a.receiveReturn)
}

type returnLineView struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

type receivedLineView struct {
	SKU     string    `json:"sku"`
	Restock int       `json:"restock"`
	Damaged int       `json:"damaged"`
	Refund  money.DTO `json:"refund"`
}

type returnView struct {
	ID           string             `json:"id"`
	OrderID      string             `json:"orderId"`
	CustomerID   string             `json:"customerId"`
	Email        string             `json:"email,omitempty"`
	Status       string             `json:"status"`
	Lines        []returnLineView   `json:"lines"`
	Reason       string             `json:"reason"`
	Note         string             `json:"note,omitempty"`
	RequestedAt  time.Time          `json:"requestedAt"`
	DecidedAt    *time.Time         `json:"decidedAt,omitempty"`
	RejectReason string             `json:"rejectReason,omitempty"`
	Received     []receivedLineView `json:"received"`
	Refund       *money.DTO         `json:"refund,omitempty"`
	Shipping     *money.DTO         `json:"shippingRefund,omitempty"`
	RefundID     string             `json:"refundId,omitempty"`
}

func viewOf(r returns.Return, staff bool) returnView {
	v := returnView{ID: r.ID, OrderID: r.OrderID, CustomerID: r.CustomerID, Status: string(r.Status), Reason: string(r.Reason),
		Note: r.Note, RequestedAt: r.RequestedAt, RejectReason: r.RejectReason, RefundID: r.RefundID,
		Lines: []returnLineView{}, Received: []receivedLineView{}}
	if staff {
		v.Email = r.Email
	}
	if !r.DecidedAt.IsZero() {
		t := r.DecidedAt
		v.DecidedAt = &t
	}
	for _, l := range r.Lines {
		v.Lines = append(v.Lines, returnLineView(l))
	}
	for _, l := range r.Received {
		v.Received = append(v.Received, receivedLineView(l))
	}
	if r.Status == returns.StatusReceived || r.Status == returns.StatusRefunded {
		refund, shipping := money.DTO{Amount: r.Refund, Currency: r.Currency}, money.DTO{Amount: r.Shipping, Currency: r.Currency}
		v.Refund, v.Shipping = &refund, &shipping
	}
	return v
}

type returnableLine struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Ordered    int    `json:"ordered"`
	Returnable int    `json:"returnable"`
}

type orderReturnsView struct {
	Items       []returnView     `json:"items"`
	Lines       []returnableLine `json:"lines"`
	DeliveredAt *time.Time       `json:"deliveredAt,omitempty"`
	ClosesAt    *time.Time       `json:"closesAt,omitempty"`
	Open        bool             `json:"open"`
}

// ownedFacts loads the order for its owner (or, when staffToo, staff);
// anyone else gets the 404 of a missing order.
func (a *API) ownedFacts(c *fiber.Ctx, staffToo bool) (returns.OrderFacts, error) {
	if a.d.Returns == nil {
		return returns.OrderFacts{}, httpx.NewProblem(fiber.StatusServiceUnavailable, "returns are not available")
	}
	id, err := pathOrderID(c)
	if err != nil {
		return returns.OrderFacts{}, err
	}
	f, err := a.d.Returns.Facts(c.UserContext(), id)
	if err != nil {
		return f, returnProblem(err)
	}
	p, _ := authn.FromCtx(c)
	owner := strings.EqualFold(f.CustomerID, p.UserID) || guestorder.IsGuest(f.CustomerID, p.Email)
	if !f.Placed() || !(owner || staffToo && p.IsStaff()) {
		return f, httpx.NotFound("no such order")
	}
	return f, nil
}

// listOrderReturns answers the order's returns and what is left to return.
func (a *API) listOrderReturns(c *fiber.Ctx) error {
	f, err := a.ownedFacts(c, true)
	if err != nil {
		return err
	}
	agg, err := a.d.Returns.Load(c.UserContext(), f.OrderID)
	if err != nil {
		return returnProblem(err)
	}
	out := orderReturnsView{Items: []returnView{}, Lines: []returnableLine{}}
	asked := map[string]int{}
	for _, r := range agg.All() {
		out.Items = append(out.Items, viewOf(r, false))
		if r.Status != returns.StatusRejected {
			for _, l := range r.Lines {
				asked[l.SKU] += l.Quantity
			}
		}
	}
	for _, l := range f.Lines {
		out.Lines = append(out.Lines, returnableLine{SKU: l.SKU, Name: l.Name, Ordered: l.Quantity, Returnable: max(l.Quantity-asked[l.SKU], 0)})
	}
	if f.Delivered() {
		d, closes := f.DeliveredAt, f.DeliveredAt.Add(a.d.Returns.Window())
		out.DeliveredAt, out.ClosesAt, out.Open = &d, &closes, time.Now().Before(closes)
	}
	return c.JSON(out)
}

type returnRequestReq struct {
	Lines []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"lines"`
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// requestReturn records a return request: 201 with the return, or 200 with
// the same return for a repeated Idempotency-Key.
func (a *API) requestReturn(c *fiber.Ctx) error {
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	// Only the order's customer asks for a return (staff read them).
	f, err := a.ownedFacts(c, false)
	if err != nil {
		return err
	}
	var req returnRequestReq
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	in := returns.RequestInput{CustomerID: f.CustomerID, Key: key, Reason: req.Reason, Note: req.Note}
	for _, l := range req.Lines {
		in.Lines = append(in.Lines, returns.LineDTO{SKU: l.SKU, Quantity: l.Quantity})
	}
	p, _ := authn.FromCtx(c)
	ctx := esrepo.WithMetadata(c.UserContext(), eventstore.Metadata{UserID: p.UserID, CorrelationID: c.GetRespHeader("X-Request-ID")})
	existed := false
	if agg, err := a.d.Returns.Load(ctx, f.OrderID); err == nil && agg.ByKey(key) != "" {
		existed = true
	}
	r, err := a.d.Returns.Request(ctx, f.OrderID, in)
	if err != nil {
		return returnProblem(err)
	}
	a.d.Log.InfoContext(ctx, "return requested", "order_id", f.OrderID, "return_id", r.ID, "user_id", p.UserID)
	status := fiber.StatusCreated
	if existed {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(viewOf(r, false))
}

func idempotencyKey(c *fiber.Ctx) (string, error) {
	key := strings.TrimSpace(c.Get("Idempotency-Key"))
	if key == "" || len(key) > 64 || strings.ContainsAny(key, "\x00\r\n") {
		return "", httpx.BadRequest("an Idempotency-Key header (1–64 characters) is required")
	}
	return key, nil
}

func (a *API) listReturns(c *fiber.Ctx) error {
	if a.d.Returns == nil {
		return httpx.NewProblem(fiber.StatusServiceUnavailable, "returns are not available")
	}
	var status returns.Status
	if s := c.Query("status"); s != "" {
		st, err := returns.ParseStatus(s)
		if err != nil {
			return httpx.Invalid(httpx.FieldError{Field: "status", Reason: "is not a return status"})
		}
		status = st
	}
	var lister ReturnsList = a.d.Returns
	if a.d.ReturnsList != nil {
		lister = a.d.ReturnsList
	}
	list, err := lister.List(c.UserContext(), status)
	if err != nil {
		return err
	}
	items := make([]returnView, 0, len(list))
	for _, r := range list {
		items = append(items, viewOf(r, true))
	}
	return c.JSON(fiber.Map{"items": items})
}

func pathReturnID(c *fiber.Ctx) (string, error) {
	id := strings.ToLower(c.Params("id"))
	orderID, _, err := returns.ParseID(id)
	if err != nil {
		return "", httpx.NotFound("no such return")
	}
	if u, err := uuid.Parse(orderID); err != nil || u.String() != orderID {
		return "", httpx.NotFound("no such return")
	}
	return id, nil
}

func (a *API) getReturn(c *fiber.Ctx) error {
	if a.d.Returns == nil {
		return httpx.NewProblem(fiber.StatusServiceUnavailable, "returns are not available")
	}
	id, err := pathReturnID(c)
	if err != nil {
		return err
	}
	r, err := a.d.Returns.Get(c.UserContext(), id)
	if err != nil {
		return returnProblem(err)
	}
	return c.JSON(viewOf(r, true))
}

// staffStep runs one staff decision on the return in the path.
func (a *API) staffStep(c *fiber.Ctx, body any, step func(ctx context.Context, id, by string) (returns.Return, error)) error {
	if a.d.Returns == nil {
		return httpx.NewProblem(fiber.StatusServiceUnavailable, "returns are not available")
	}
	id, err := pathReturnID(c)
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
	r, err := step(ctx, id, p.UserID)
	if err != nil {
		return returnProblem(err)
	}
	a.d.Log.InfoContext(ctx, "return changed by staff", "return_id", id, "status", r.Status, "user_id", p.UserID)
	return c.JSON(viewOf(r, true))
}

func (a *API) approveReturn(c *fiber.Ctx) error {
	return a.staffStep(c, optionalBody(c), a.d.Returns.Approve)
}

type rejectReturnReq struct {
	Reason string `json:"reason"`
}

func (a *API) rejectReturn(c *fiber.Ctx) error {
	var req rejectReturnReq
	return a.staffStep(c, &req, func(ctx context.Context, id, by string) (returns.Return, error) {
		return a.d.Returns.Reject(ctx, id, req.Reason, by)
	})
}

type receiveReturnReq struct {
	Lines []struct {
		SKU     string `json:"sku"`
		Restock int    `json:"restock"`
		Damaged int    `json:"damaged"`
	} `json:"lines"`
}

func (a *API) receiveReturn(c *fiber.Ctx) error {
	var req receiveReturnReq
	return a.staffStep(c, &req, func(ctx context.Context, id, by string) (returns.Return, error) {
		lines := make([]returns.ReceivedLine, 0, len(req.Lines))
		for _, l := range req.Lines {
			lines = append(lines, returns.ReceivedLine(l))
		}
		return a.d.Returns.Receive(ctx, id, lines, by)
	})
}

// returnProblem maps the returns errors to problem+json.
func returnProblem(err error) error {
	switch {
	case errors.Is(err, returns.ErrNotFound):
		return httpx.NotFound("no such order or return")
	case errors.Is(err, returns.ErrNotDelivered):
		return httpx.Conflict("the order has not been delivered yet")
	case errors.Is(err, returns.ErrWindowClosed):
		msg := err.Error()
		return httpx.Conflict(msg[strings.Index(msg, "returns: ")+len("returns: "):])
	case errors.Is(err, returns.ErrInvalid):
		msg := err.Error()
		if i := strings.LastIndex(msg, "invalid input: "); i >= 0 {
			msg = msg[i+len("invalid input: "):]
		}
		msg = strings.TrimPrefix(msg, "more units than are left to return: ")
		field, reason, ok := strings.Cut(msg, ": ")
		if !ok || strings.ContainsRune(field, ' ') {
			field, reason = "body", msg
		}
		return httpx.Invalid(httpx.FieldError{Field: field, Reason: reason})
	case errors.Is(err, returns.ErrIllegalTransition):
		msg := err.Error()
		return httpx.Conflict(msg[strings.Index(msg, "returns: ")+len("returns: "):])
	case errors.Is(err, eventstore.ErrConcurrency):
		return httpx.Conflict("the returns of this order are being changed; try again")
	}
	return err
}
