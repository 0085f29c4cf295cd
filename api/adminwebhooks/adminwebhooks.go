// Package adminwebhooks is the back office's API of outbound webhooks:
// register, change, disable and delete endpoints, read each endpoint's
// delivery log and send a delivery again. Admins only. A signing secret is
// shown once, in the answer to the registration that set it.
package adminwebhooks

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/webhooks"
)

// Service is what the API drives (*webhooks.Service).
type Service interface {
	Create(ctx context.Context, spec webhooks.Spec, secret string) (webhooks.Endpoint, error)
	Update(ctx context.Context, id string, spec webhooks.Spec) (webhooks.Endpoint, error)
	Delete(ctx context.Context, id string) error
	Endpoint(ctx context.Context, id string) (webhooks.Endpoint, error)
	Endpoints(ctx context.Context) ([]webhooks.Endpoint, error)
	Deliveries(ctx context.Context, endpointID string, limit int) ([]webhooks.Delivery, error)
	Redeliver(ctx context.Context, endpointID, deliveryID string) (webhooks.Delivery, error)
}

// Config holds the API's collaborators.
type Config struct {
	Service Service
	// Verifier, when set, makes Mount verify the access token itself.
	Verifier authn.Verifier
}

// API serves /api/admin/webhooks.
type API struct{ cfg Config }

// New checks cfg.
func New(cfg Config) (*API, error) {
	if cfg.Service == nil {
		return nil, errors.New("adminwebhooks: Service is required")
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
	r.Get("/:id", a.get)
	r.Put("/:id", a.update)
	r.Delete("/:id", a.delete)
	r.Get("/:id/deliveries", a.deliveries)
	r.Post("/:id/deliveries/:deliveryId/redeliver", a.redeliver)
}

// Endpoint and delivery ids are UUIDs; anything else is not found before
// it reaches the store.
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

type endpointDTO struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	EventTypes  []string  `json:"eventTypes"`
	Enabled     bool      `json:"enabled"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	// Secret is set only in the answer to a registration.
	Secret string `json:"secret,omitempty"`
}

func toEndpoint(e webhooks.Endpoint) endpointDTO {
	return endpointDTO{ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: e.EventTypes, Enabled: e.Enabled,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

type deliveryDTO struct {
	ID            string          `json:"id"`
	EventID       string          `json:"eventId"`
	EventType     string          `json:"eventType"`
	Status        webhooks.Status `json:"status"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt *time.Time      `json:"nextAttemptAt,omitempty"`
	Deadline      time.Time       `json:"deadline"`
	LastAttemptAt *time.Time      `json:"lastAttemptAt,omitempty"`
	LastStatus    int             `json:"lastStatus,omitempty"`
	LastError     string          `json:"lastError,omitempty"`
	CreatedAt     time.Time       `json:"createdAt"`
	Payload       json.RawMessage `json:"payload"`
}

func toDelivery(d webhooks.Delivery) deliveryDTO {
	out := deliveryDTO{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts,
		Deadline: d.Deadline, LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt, Payload: d.Payload}
	if d.Status == webhooks.StatusPending {
		out.NextAttemptAt = &d.NextAttemptAt
	}
	if !d.LastAttemptAt.IsZero() {
		out.LastAttemptAt = &d.LastAttemptAt
	}
	return out
}

// endpointInput is the body of POST and PUT. Enabled defaults to true on
// registration and to the current state on a change; Secret is accepted on
// registration only (empty: one is generated).
type endpointInput struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"eventTypes"`
	Enabled     *bool    `json:"enabled"`
	Secret      *string  `json:"secret"`
}

func (in endpointInput) spec(enabled bool) webhooks.Spec {
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	return webhooks.Spec{URL: in.URL, Description: in.Description, EventTypes: in.EventTypes, Enabled: enabled}
}

// problem maps the service's errors to answers.
func problem(err error, notFound string) error {
	var inv *webhooks.InvalidError
	switch {
	case errors.As(err, &inv):
		return httpx.Invalid(httpx.FieldError{Field: inv.Field, Reason: inv.Reason})
	case errors.Is(err, webhooks.ErrNotFound):
		return httpx.NotFound(notFound)
	default:
		return err
	}
}

const noEndpoint = "no such webhook endpoint"

func endpointID(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if !uuidPattern.MatchString(id) {
		return "", httpx.NotFound(noEndpoint)
	}
	return id, nil
}

func (a *API) list(c *fiber.Ctx) error {
	eps, err := a.cfg.Service.Endpoints(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]endpointDTO, 0, len(eps))
	for _, e := range eps {
		items = append(items, toEndpoint(e))
	}
	return c.JSON(fiber.Map{"items": items})
}

func (a *API) create(c *fiber.Ctx) error {
	var in endpointInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	secret := ""
	if in.Secret != nil {
		secret = *in.Secret
		if err := webhooks.ValidateSecret(secret); err != nil {
			return problem(err, "")
		}
	}
	e, err := a.cfg.Service.Create(c.UserContext(), in.spec(true), secret)
	if err != nil {
		return problem(err, "")
	}
	out := toEndpoint(e)
	out.Secret = e.Secret
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (a *API) get(c *fiber.Ctx) error {
	id, err := endpointID(c)
	if err != nil {
		return err
	}
	e, err := a.cfg.Service.Endpoint(c.UserContext(), id)
	if err != nil {
		return problem(err, noEndpoint)
	}
	return c.JSON(toEndpoint(e))
}

func (a *API) update(c *fiber.Ctx) error {
	id, err := endpointID(c)
	if err != nil {
		return err
	}
	var in endpointInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if in.Secret != nil {
		return httpx.Invalid(httpx.FieldError{Field: "secret", Reason: "is set at registration only; register a new endpoint to change it"})
	}
	cur, err := a.cfg.Service.Endpoint(c.UserContext(), id)
	if err != nil {
		return problem(err, noEndpoint)
	}
	e, err := a.cfg.Service.Update(c.UserContext(), id, in.spec(cur.Enabled))
	if err != nil {
		return problem(err, noEndpoint)
	}
	return c.JSON(toEndpoint(e))
}

func (a *API) delete(c *fiber.Ctx) error {
	id, err := endpointID(c)
	if err != nil {
		return err
	}
	if err := a.cfg.Service.Delete(c.UserContext(), id); err != nil {
		return problem(err, noEndpoint)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) deliveries(c *fiber.Ctx) error {
	id, err := endpointID(c)
	if err != nil {
		return err
	}
	limit := 50
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return httpx.Invalid(httpx.FieldError{Field: "limit", Reason: "must be 1..500"})
		}
		limit = n
	}
	ds, err := a.cfg.Service.Deliveries(c.UserContext(), id, limit)
	if err != nil {
		return problem(err, noEndpoint)
	}
	items := make([]deliveryDTO, 0, len(ds))
	for _, d := range ds {
		items = append(items, toDelivery(d))
	}
	return c.JSON(fiber.Map{"items": items})
}

func (a *API) redeliver(c *fiber.Ctx) error {
	id, err := endpointID(c)
	if err != nil {
		return err
	}
	did := c.Params("deliveryId")
	if !uuidPattern.MatchString(did) {
		return httpx.NotFound("no such delivery")
	}
	d, err := a.cfg.Service.Redeliver(c.UserContext(), id, did)
	if err != nil {
		return problem(err, "no such delivery")
	}
	return c.Status(fiber.StatusAccepted).JSON(toDelivery(d))
}
