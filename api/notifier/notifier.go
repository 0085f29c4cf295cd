// Package notifier is the HTTP edge of the notifier: the unsubscribe page and
// endpoint behind the links in marketing emails (no login: the signed token is
// the authorisation), the support view of permanently failed deliveries, and
// the embedded shop's /dev/mail outbox viewer.
package notifier

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/mail/memory"
	core "github.com/evshop/shop/notifier"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

//go:embed pages/*.html
var pageFiles embed.FS

// Unsubscriber checks and honours unsubscribe tokens (*notifier.Notifier).
type Unsubscriber interface {
	CheckUnsubscribeToken(token string) error
	Unsubscribe(ctx context.Context, token string) error
}

// FailedLister lists permanently failed deliveries (*notifier.Notifier).
type FailedLister interface {
	FailedDeliveries(ctx context.Context, limit int) ([]core.Delivery, error)
}

// BackInStock keeps the signed-in customers' back-in-stock requests
// (*notifier.Notifier).
type BackInStock interface {
	SubscribeBackInStock(ctx context.Context, sku, customerID string) error
	UnsubscribeBackInStock(ctx context.Context, sku, customerID string) error
	BackInStockSubscribed(ctx context.Context, sku, customerID string) (bool, error)
}

// Outbox is the embedded shop's mail outbox (*memory.Outbox).
type Outbox interface {
	List() []memory.Sent
	Get(id string) (memory.Sent, bool)
}

// Config wires the handlers; nil parts are not mounted.
type Config struct {
	Unsubscriber Unsubscriber
	Failed       FailedLister
	BackInStock  BackInStock
	// Outbox enables /dev/mail. Only for the embedded shop: it shows every
	// email, including verification and reset links.
	Outbox Outbox
	// DevMailAdminsOnly lets only admins read /dev/mail (with Verifier):
	// for an embedded shop listening beyond loopback, where anyone who can
	// reach it could otherwise take over any account from its mails.
	DevMailAdminsOnly bool
	// Verifier, when set, is applied to the admin and back-in-stock routes (authn.Middleware);
	// leave it nil when the app already runs the middleware.
	Verifier authn.Verifier
}

// Handler serves the notifier's routes.
type Handler struct {
	cfg   Config
	pages *template.Template
}

// New parses the pages.
func New(cfg Config) (*Handler, error) {
	if cfg.DevMailAdminsOnly && cfg.Verifier == nil {
		return nil, errors.New("notifier: DevMailAdminsOnly needs a Verifier")
	}
	pages, err := template.ParseFS(pageFiles, "pages/*.html")
	if err != nil {
		return nil, err
	}
	return &Handler{cfg: cfg, pages: pages}, nil
}

// Paths of the routes.
const (
	PathUnsubscribe = core.UnsubscribePath
	PathFailed      = "/api/admin/notifications/failed"
	PathDevMail     = "/dev/mail"
	PathBackInStock = "/api/notifications/back-in-stock/:sku"
)

// Mount registers every configured route on the root router r.
func (h *Handler) Mount(r fiber.Router) {
	h.MountNotifications(r.Group("/api/notifications"))
	h.MountAdmin(r.Group("/api/admin/notifications"))
	h.MountDevMail(r)
}

// MountNotifications registers the public unsubscribe routes and the
// signed-in customer's back-in-stock requests relative to r (the gateway
// mounts it at /api/notifications).
func (h *Handler) MountNotifications(r fiber.Router) {
	if h.cfg.Unsubscriber != nil {
		r.Get("/unsubscribe", h.unsubscribePage)
		r.Post("/unsubscribe", h.unsubscribe)
	}
	if h.cfg.BackInStock != nil {
		chain := []fiber.Handler{}
		if h.cfg.Verifier != nil {
			chain = append(chain, authn.Middleware(h.cfg.Verifier))
		}
		chain = append(chain, authn.Required())
		path := strings.TrimPrefix(PathBackInStock, "/api/notifications")
		r.Get(path, append(chain, h.backInStock(nil))...)
		r.Post(path, append(chain, h.backInStock(h.cfg.BackInStock.SubscribeBackInStock))...)
		r.Delete(path, append(chain, h.backInStock(h.cfg.BackInStock.UnsubscribeBackInStock))...)
	}
}

// backInStock answers with whether the caller waits for the SKU, after
// change (subscribe or unsubscribe; nil only reads). Both changes are
// idempotent, so a retried request answers the same.
func (h *Handler) backInStock(change func(ctx context.Context, sku, customerID string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sku, err := catalog.NewSKU(c.Params("sku"))
		if err != nil {
			return httpx.Invalid(httpx.FieldError{Field: "sku", Reason: "must be 3-32 letters, digits or dashes"})
		}
		p, _ := authn.FromCtx(c)
		ctx := c.UserContext()
		if change != nil {
			if err := change(ctx, sku.String(), p.UserID); err != nil {
				return err
			}
		}
		on, err := h.cfg.BackInStock.BackInStockSubscribed(ctx, sku.String(), p.UserID)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(fiber.Map{"sku": sku.String(), "subscribed": on})
	}
}

// MountAdmin registers the support routes relative to r (the gateway mounts
// it at /api/admin/notifications).
func (h *Handler) MountAdmin(r fiber.Router) {
	if h.cfg.Failed != nil {
		chain := []fiber.Handler{}
		if h.cfg.Verifier != nil {
			chain = append(chain, authn.Middleware(h.cfg.Verifier))
		}
		chain = append(chain, authn.Required(authn.RoleSupport, authn.RoleAdmin), h.failed)
		r.Get("/failed", chain...)
	}
}

// MountDevMail registers the embedded shop's outbox viewer at /dev/mail on
// the root router r.
func (h *Handler) MountDevMail(r fiber.Router) {
	if h.cfg.Outbox == nil {
		return
	}
	var chain []fiber.Handler
	if h.cfg.DevMailAdminsOnly {
		chain = append(chain, authn.Middleware(h.cfg.Verifier), authn.Required(authn.RoleAdmin))
	}
	for path, handler := range map[string]fiber.Handler{
		PathDevMail + ".json": h.devMailJSON, PathDevMail: h.devMailList,
		PathDevMail + "/:id/html": h.devMailHTML, PathDevMail + "/:id": h.devMailView,
	} {
		r.Get(path, append(chain, handler)...)
	}
}

const maxTokenLen = 200

func (h *Handler) render(c *fiber.Ctx, status int, name string, data any) error {
	var b strings.Builder
	if err := h.pages.ExecuteTemplate(&b, name, data); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// The pages need no script; forbid any, and keep them out of frames.
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'; frame-ancestors 'self'")
	c.Set("Referrer-Policy", "no-referrer") // the token is in the URL
	return c.Status(status).SendString(b.String())
}

func (h *Handler) unsubscribePage(c *fiber.Ctx) error {
	token := c.Query("token")
	if len(token) > maxTokenLen || h.cfg.Unsubscriber.CheckUnsubscribeToken(token) != nil {
		return h.render(c, fiber.StatusBadRequest, "unsubscribe.html", map[string]any{"Invalid": true})
	}
	return h.render(c, fiber.StatusOK, "unsubscribe.html", map[string]any{"Token": token, "Action": PathUnsubscribe})
}

// unsubscribe accepts the token from the query (RFC 8058 one-click POSTs
// "List-Unsubscribe=One-Click" to the header's URL), a form field, or JSON.
func (h *Handler) unsubscribe(c *fiber.Ctx) error {
	token := c.Query("token")
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	switch {
	case token != "":
	case ct == fiber.MIMEApplicationForm:
		token = c.FormValue("token")
	case ct == fiber.MIMEApplicationJSON:
		var body struct {
			Token string `json:"token"`
		}
		if err := httpx.DecodeJSON(c, &body); err != nil {
			return err
		}
		token = body.Token
	}
	if token == "" {
		return httpx.Invalid(httpx.FieldError{Field: "token", Reason: "is required"})
	}
	if len(token) > maxTokenLen {
		return httpx.Invalid(httpx.FieldError{Field: "token", Reason: "is too long"})
	}
	err := h.cfg.Unsubscriber.Unsubscribe(c.UserContext(), token)
	switch {
	case errors.Is(err, core.ErrBadToken):
		return httpx.BadRequest("the unsubscribe link is invalid")
	case errors.Is(err, core.ErrOptOutUnavailable):
		return httpx.NewProblem(fiber.StatusServiceUnavailable, "unsubscribing is not available right now")
	case err != nil:
		return err
	}
	if c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMETextHTML {
		return h.render(c, fiber.StatusOK, "unsubscribed.html", nil)
	}
	return c.JSON(fiber.Map{"unsubscribed": true})
}

func (h *Handler) failed(c *fiber.Ctx) error {
	limit := 100
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return httpx.Invalid(httpx.FieldError{Field: "limit", Reason: "must be an integer from 1 to 500"})
		}
		limit = n
	}
	list, err := h.cfg.Failed.FailedDeliveries(c.UserContext(), limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []core.Delivery{}
	}
	return c.JSON(fiber.Map{"items": list})
}

func (h *Handler) devMailJSON(c *fiber.Ctx) error {
	list := h.cfg.Outbox.List()
	if list == nil {
		list = []memory.Sent{}
	}
	return c.JSON(list)
}

func (h *Handler) devMailList(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, "devmail_list.html", map[string]any{"Mails": h.cfg.Outbox.List()})
}

func (h *Handler) lookup(c *fiber.Ctx) (memory.Sent, error) {
	id := c.Params("id")
	if len(id) > 32 {
		return memory.Sent{}, httpx.NotFound("no such mail")
	}
	m, ok := h.cfg.Outbox.Get(id)
	if !ok {
		return memory.Sent{}, httpx.NotFound("no such mail")
	}
	return m, nil
}

func (h *Handler) devMailView(c *fiber.Ctx) error {
	m, err := h.lookup(c)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "devmail_view.html", m)
}

// devMailHTML serves the email's own HTML for the viewer's iframe, sandboxed
// so nothing in an email can run script in the shop's origin.
func (h *Handler) devMailHTML(c *fiber.Ctx) error {
	m, err := h.lookup(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// Framed by the viewer page on the same origin, and by nothing else.
	c.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
	c.Set(fiber.HeaderXFrameOptions, "SAMEORIGIN")
	return c.SendString(m.HTML)
}
