// Package admindiscounts is the back office's API of discount codes:
// create codes, list them with their usage, read one, pause, resume or
// change its window, minimum and limits, and check whether a code would
// apply to a given basket (the same answer a buyer gets). Admins only.
//
// RefusalProblem is the one mapping of a code's refusals to problem+json,
// for every API that applies codes (the basket and checkout too).
package admindiscounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

// Service is what the API drives (*discounts.Service).
type Service interface {
	Create(ctx context.Context, spec discounts.Spec) (discounts.Code, error)
	Get(ctx context.Context, code string) (discounts.Code, discounts.Usage, error)
	List(ctx context.Context) ([]discounts.Entry, error)
	Update(ctx context.Context, code string, ch discounts.Change) (discounts.Code, error)
	Check(ctx context.Context, code, customerKey string, subtotal money.Money, categories []string, now time.Time) (discounts.Code, error)
}

// Config holds the API's collaborators.
type Config struct {
	Service Service
	// Verifier, when set, makes Mount verify the access token itself.
	Verifier authn.Verifier
	// Now is the clock of the check; default time.Now.
	Now func() time.Time
}

// API serves /api/admin/discounts.
type API struct{ cfg Config }

// New checks cfg.
func New(cfg Config) (*API, error) {
	if cfg.Service == nil {
		return nil, errors.New("admindiscounts: Service is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &API{cfg: cfg}, nil
}

// Mount registers the routes relative to r.
func (a *API) Mount(r fiber.Router) {
	if a.cfg.Verifier != nil {
		r.Use(authn.Middleware(a.cfg.Verifier))
	}
	r.Use(authn.Required(authn.RoleAdmin))
	r.Get("/", a.list)
	r.Post("/", a.create)
	r.Get("/:code", a.get)
	r.Patch("/:code", a.update)
	r.Post("/:code/check", a.check)
}

// ProblemTypePrefix starts the type of every refusal problem; the
// refusal's machine reason follows (e.g. "urn:evshop:discount:used_up").
const ProblemTypePrefix = "urn:evshop:discount:"

// RefusalProblem maps a refusal of a code to its problem: 409 when other
// buyers' uses are the cause (used up, the customer's limit), 422 for the
// rest; the type names the reason, the detail says it to the buyer. ok is
// false when err is not a refusal.
func RefusalProblem(err error) (p *httpx.Problem, ok bool) {
	r, ok := discounts.RefusalOf(err)
	if !ok {
		return nil, false
	}
	status := fiber.StatusUnprocessableEntity
	if r.Conflict() {
		status = fiber.StatusConflict
	}
	p = httpx.NewProblem(status, err.Error())
	p.Type = ProblemTypePrefix + r.Reason()
	p.Errors = []httpx.FieldError{{Field: "code", Reason: err.Error()}}
	return p, true
}

type usageDTO struct {
	Reserved int `json:"reserved"`
	Used     int `json:"used"`
	Released int `json:"released"`
	// Remaining is set for a code with a usage limit.
	Remaining *int `json:"remaining,omitempty"`
}

type codeDTO struct {
	Code               string     `json:"code"`
	Kind               string     `json:"kind"`
	Description        string     `json:"description"`
	PercentOff         int        `json:"percentOff,omitempty"`
	AmountOff          *money.DTO `json:"amountOff,omitempty"`
	ValidFrom          *time.Time `json:"validFrom,omitempty"`
	ValidUntil         *time.Time `json:"validUntil,omitempty"`
	MinSubtotal        *money.DTO `json:"minSubtotal,omitempty"`
	MaxUses            int        `json:"maxUses"`
	MaxUsesPerCustomer int        `json:"maxUsesPerCustomer"`
	Categories         []string   `json:"categories"`
	Paused             bool       `json:"paused"`
	CreatedAt          time.Time  `json:"createdAt"`
	UpdatedAt          time.Time  `json:"updatedAt"`
	Usage              usageDTO   `json:"usage"`
}

func moneyDTO(m money.Money) *money.DTO {
	if m == (money.Money{}) {
		return nil
	}
	d := m.DTO()
	return &d
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toDTO(c discounts.Code, u discounts.Usage) codeDTO {
	out := codeDTO{Code: c.Code, Kind: string(c.Kind), Description: c.Describe(), PercentOff: c.PercentOff,
		AmountOff: moneyDTO(c.AmountOff), ValidFrom: timePtr(c.Window.From), ValidUntil: timePtr(c.Window.Until),
		MinSubtotal: moneyDTO(c.MinSubtotal), MaxUses: c.MaxUses, MaxUsesPerCustomer: c.MaxUsesPerCustomer,
		Categories: c.Categories, Paused: c.Paused, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Usage: usageDTO{Reserved: u.Reserved, Used: u.Used, Released: u.Released}}
	if out.Categories == nil {
		out.Categories = []string{}
	}
	if c.MaxUses > 0 {
		left := max(c.MaxUses-u.Taken(), 0)
		out.Usage.Remaining = &left
	}
	return out
}

// createInput is the body of POST.
type createInput struct {
	Code               string     `json:"code"`
	Kind               string     `json:"kind"`
	PercentOff         int        `json:"percentOff"`
	AmountOff          *money.DTO `json:"amountOff"`
	ValidFrom          *time.Time `json:"validFrom"`
	ValidUntil         *time.Time `json:"validUntil"`
	MinSubtotal        *money.DTO `json:"minSubtotal"`
	MaxUses            int        `json:"maxUses"`
	MaxUsesPerCustomer int        `json:"maxUsesPerCustomer"`
	Categories         []string   `json:"categories"`
	Paused             bool       `json:"paused"`
}

// amount decodes an optional amount; nil is a zero Money.
func amount(d *money.DTO, field string, errs *[]httpx.FieldError) money.Money {
	if d == nil {
		return money.Money{}
	}
	m, err := money.FromDTO(*d)
	if err != nil {
		*errs = append(*errs, httpx.FieldError{Field: field,
			Reason: fmt.Sprintf("must be 0..%d minor units of a three-letter currency", money.MaxAmount)})
	}
	return m
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// problem maps the service's errors to answers.
func problem(err error, notFound bool) error {
	var inv *discounts.InvalidError
	switch {
	case errors.As(err, &inv):
		fes := make([]httpx.FieldError, len(inv.Fields))
		for i, f := range inv.Fields {
			fes[i] = httpx.FieldError{Field: f.Field, Reason: f.Reason}
		}
		return httpx.Invalid(fes...)
	case errors.Is(err, discounts.ErrDuplicate):
		return httpx.Conflict("a discount code with this text exists already")
	case notFound && errors.Is(err, discounts.ErrUnknown):
		return httpx.NotFound(noCode)
	}
	if p, ok := RefusalProblem(err); ok {
		return p
	}
	return err
}

const noCode = "no such discount code"

func (a *API) list(c *fiber.Ctx) error {
	entries, err := a.cfg.Service.List(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]codeDTO, 0, len(entries))
	for _, e := range entries {
		items = append(items, toDTO(e.Code, e.Usage))
	}
	return c.JSON(fiber.Map{"items": items})
}

func (a *API) create(c *fiber.Ctx) error {
	var in createInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	var errs []httpx.FieldError
	spec := discounts.Spec{Code: in.Code, Kind: discounts.Kind(in.Kind), PercentOff: in.PercentOff,
		AmountOff: amount(in.AmountOff, "amountOff", &errs), MinSubtotal: amount(in.MinSubtotal, "minSubtotal", &errs),
		Window:  discounts.Window{From: deref(in.ValidFrom), Until: deref(in.ValidUntil)},
		MaxUses: in.MaxUses, MaxUsesPerCustomer: in.MaxUsesPerCustomer, Categories: in.Categories, Paused: in.Paused}
	if len(errs) > 0 {
		return httpx.Invalid(errs...)
	}
	code, err := a.cfg.Service.Create(c.UserContext(), spec)
	if err != nil {
		return problem(err, false)
	}
	return c.Status(fiber.StatusCreated).JSON(toDTO(code, discounts.Usage{}))
}

func (a *API) get(c *fiber.Ctx) error {
	code, u, err := a.cfg.Service.Get(c.UserContext(), c.Params("code"))
	if err != nil {
		return problem(err, true)
	}
	return c.JSON(toDTO(code, u))
}

// optional is a JSON field that may be absent (unchanged), null (cleared)
// or a value.
type optional[T any] struct {
	set bool
	v   *T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		o.v = nil
		return nil
	}
	o.v = new(T)
	return json.Unmarshal(b, o.v)
}

// changeInput is the body of PATCH: absent fields stay; validFrom,
// validUntil and minSubtotal may be null to remove them.
type changeInput struct {
	Paused             *bool               `json:"paused"`
	ValidFrom          optional[time.Time] `json:"validFrom"`
	ValidUntil         optional[time.Time] `json:"validUntil"`
	MinSubtotal        optional[money.DTO] `json:"minSubtotal"`
	MaxUses            *int                `json:"maxUses"`
	MaxUsesPerCustomer *int                `json:"maxUsesPerCustomer"`
}

func (a *API) update(c *fiber.Ctx) error {
	var in changeInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.UserContext()
	cur, _, err := a.cfg.Service.Get(ctx, c.Params("code"))
	if err != nil {
		return problem(err, true)
	}
	ch := discounts.Change{Paused: in.Paused, MaxUses: in.MaxUses, MaxUsesPerCustomer: in.MaxUsesPerCustomer}
	if in.ValidFrom.set || in.ValidUntil.set {
		w := cur.Window
		if in.ValidFrom.set {
			w.From = deref(in.ValidFrom.v)
		}
		if in.ValidUntil.set {
			w.Until = deref(in.ValidUntil.v)
		}
		ch.Window = &w
	}
	var errs []httpx.FieldError
	if in.MinSubtotal.set {
		m := amount(in.MinSubtotal.v, "minSubtotal", &errs)
		ch.MinSubtotal = &m
	}
	if len(errs) > 0 {
		return httpx.Invalid(errs...)
	}
	code, err := a.cfg.Service.Update(ctx, cur.Code, ch)
	if err != nil {
		return problem(err, true)
	}
	_, u, err := a.cfg.Service.Get(ctx, code.Code)
	if err != nil {
		return problem(err, true)
	}
	return c.JSON(toDTO(code, u))
}

// checkInput is the body of POST /:code/check: the basket to check the
// code against.
type checkInput struct {
	Subtotal    money.DTO `json:"subtotal"`
	Categories  []string  `json:"categories"`
	CustomerKey string    `json:"customerKey"`
}

func (a *API) check(c *fiber.Ctx) error {
	var in checkInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	var errs []httpx.FieldError
	subtotal := amount(&in.Subtotal, "subtotal", &errs)
	if len(in.CustomerKey) > discounts.MaxCustomerKeyLength {
		errs = append(errs, httpx.FieldError{Field: "customerKey", Reason: "is too long"})
	}
	if len(in.Categories) > 200 {
		errs = append(errs, httpx.FieldError{Field: "categories", Reason: "must name at most 200 categories"})
	}
	if len(errs) > 0 {
		return httpx.Invalid(errs...)
	}
	ctx := c.UserContext()
	code, err := a.cfg.Service.Check(ctx, c.Params("code"), in.CustomerKey, subtotal, in.Categories, a.cfg.Now())
	if err != nil {
		return problem(err, true) // an unknown code is not found here, as on every route of a code
	}
	_, u, err := a.cfg.Service.Get(ctx, code.Code)
	if err != nil {
		return problem(err, true)
	}
	return c.JSON(toDTO(code, u))
}
