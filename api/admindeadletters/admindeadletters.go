// Package admindeadletters is the support view of messages a handler gave up
// on: list them (optionally for one handler), read one with its reason and
// payload, and redrive it to the handler that failed. Support and admin only.
// Payment tokens and sealed tokens in a payload are never shown (the redrive
// republishes the stored message, untouched).
package admindeadletters

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/redact"
)

// Store is the part of messaging.DeadLetterStore the API reads.
type Store interface {
	List(ctx context.Context, opts messaging.ListOptions) ([]messaging.DeadLetter, error)
	Get(ctx context.Context, id string) (messaging.DeadLetter, error)
}

// Redriver republishes a dead letter to its handler (*messaging.Bus).
type Redriver interface {
	Redrive(ctx context.Context, id string) error
}

// Deps are the API's collaborators.
type Deps struct {
	Store    Store
	Redriver Redriver
	// Verifier, when set, makes Mount verify the access token itself.
	Verifier authn.Verifier
}

// API serves /api/admin/deadletters.
type API struct{ d Deps }

// New checks deps.
func New(d Deps) (*API, error) {
	if d.Store == nil || d.Redriver == nil {
		return nil, errors.New("admindeadletters: store and redriver are required")
	}
	return &API{d: d}, nil
}

// Mount registers the routes relative to r.
func (a *API) Mount(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	r.Use(authn.Required(authn.RoleSupport, authn.RoleAdmin))
	r.Get("/", a.list)
	r.Get("/:id", a.get)
	r.Post("/:id/redrive", a.redrive)
}

// Handler names and dead-letter ids are machine-made; anything else is refused
// before it reaches the store.
var (
	handlerName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)
	letterID    = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)
)

type letterDTO struct {
	ID        string            `json:"id"`
	MessageID string            `json:"messageId"`
	Handler   string            `json:"handler"`
	Topic     string            `json:"topic"`
	Reason    string            `json:"reason"`
	Name      string            `json:"name,omitempty"`
	FailedAt  time.Time         `json:"failedAt"`
	Payload   string            `json:"payload,omitempty"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

func toDTO(dl messaging.DeadLetter, full bool) letterDTO {
	d := letterDTO{ID: dl.ID, MessageID: dl.MessageID, Handler: dl.Handler, Topic: dl.Topic, Reason: dl.Reason,
		Name: dl.Metadata[messaging.MetaName], FailedAt: dl.FailedAt}
	if full {
		d.Payload = string(redact.JSON(dl.Payload))
		keys := redact.Keys(nil)
		d.Metadata = make(map[string]string, len(dl.Metadata))
		for k, v := range dl.Metadata {
			if redact.Matches(k, keys) {
				v = redact.Redacted
			}
			d.Metadata[k] = v
		}
	}
	return d
}

func (a *API) list(c *fiber.Ctx) error {
	opts := messaging.ListOptions{Handler: c.Query("handler")}
	if opts.Handler != "" && !handlerName.MatchString(opts.Handler) {
		return httpx.Invalid(httpx.FieldError{Field: "handler", Reason: "is not a handler name"})
	}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return httpx.Invalid(httpx.FieldError{Field: "limit", Reason: "must be 1..1000"})
		}
		opts.Limit = n
	}
	list, err := a.d.Store.List(c.UserContext(), opts)
	if err != nil {
		return err
	}
	items := make([]letterDTO, 0, len(list))
	for _, dl := range list {
		items = append(items, toDTO(dl, false))
	}
	return c.JSON(fiber.Map{"items": items})
}

func (a *API) lookup(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if !letterID.MatchString(id) {
		return "", httpx.NotFound("no such dead letter")
	}
	return id, nil
}

func (a *API) get(c *fiber.Ctx) error {
	id, err := a.lookup(c)
	if err != nil {
		return err
	}
	dl, err := a.d.Store.Get(c.UserContext(), id)
	if errors.Is(err, messaging.ErrDeadLetterNotFound) {
		return httpx.NotFound("no such dead letter")
	}
	if err != nil {
		return err
	}
	return c.JSON(toDTO(dl, true))
}

func (a *API) redrive(c *fiber.Ctx) error {
	id, err := a.lookup(c)
	if err != nil {
		return err
	}
	err = a.d.Redriver.Redrive(c.UserContext(), id)
	if errors.Is(err, messaging.ErrDeadLetterNotFound) {
		return httpx.NotFound("no such dead letter")
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"id": id, "redriven": true})
}
