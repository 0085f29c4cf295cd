// Package adminprojections is the support/admin HTTP API over read-model
// rebuilds: list the projections with their checkpoint, lag and state, show
// one with the progress of its rebuild, and start a rebuild in the
// background (202; poll GET /{name} for progress). The same operations as
// `shopctl projections`, sharing its state store and lock.
package adminprojections

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/rebuild"
)

// Runner is the part of *rebuild.Runner the API uses.
type Runner interface {
	List(ctx context.Context) ([]rebuild.Status, error)
	Status(ctx context.Context, name string) (rebuild.Status, error)
	Start(name string, opts rebuild.Options) error
}

// Deps are the API's collaborators.
type Deps struct {
	Runner Runner
	Log    *slog.Logger
	// Verifier, when set, makes Mount verify the access token itself (a
	// service behind the gateway still checks who calls it).
	Verifier authn.Verifier
}

// API serves /api/admin/projections.
type API struct{ d Deps }

// New validates deps.
func New(d Deps) (*API, error) {
	if d.Runner == nil {
		return nil, errors.New("adminprojections: Runner is required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &API{d: d}, nil
}

// Mount registers the routes (mounted at /api/admin/projections); every
// route requires the support or admin role.
func (a *API) Mount(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	staff := authn.Required(authn.RoleSupport, authn.RoleAdmin)
	r.Get("/", staff, a.list)
	r.Get("/:name", staff, a.status)
	r.Post("/:name/rebuild", staff, a.rebuild)
}

type listBody struct {
	Items []rebuild.Status `json:"items"`
}

func (a *API) list(c *fiber.Ctx) error {
	sts, err := a.d.Runner.List(c.UserContext())
	if err != nil {
		return err
	}
	if sts == nil {
		sts = []rebuild.Status{}
	}
	return c.JSON(listBody{Items: sts})
}

func name(c *fiber.Ctx) (string, error) {
	n := c.Params("name")
	if !rebuild.ValidName(n) {
		return "", httpx.Invalid(httpx.FieldError{Field: "name", Reason: "must be a projection name (lower-case letters, digits, . _ -)"})
	}
	return n, nil
}

func (a *API) status(c *fiber.Ctx) error {
	n, err := name(c)
	if err != nil {
		return err
	}
	st, err := a.d.Runner.Status(c.UserContext(), n)
	if errors.Is(err, rebuild.ErrUnknownProjection) {
		return httpx.NotFound("no projection named " + n)
	}
	if err != nil {
		return err
	}
	return c.JSON(st)
}

type startedBody struct {
	Name    string `json:"name"`
	State   string `json:"state"`
	Restart bool   `json:"restart"`
	Status  string `json:"status"` // where to poll for progress
}

func (a *API) rebuild(c *fiber.Ctx) error {
	n, err := name(c)
	if err != nil {
		return err
	}
	restart := false
	if v := c.Query("restart"); v != "" {
		if restart, err = strconv.ParseBool(v); err != nil {
			return httpx.Invalid(httpx.FieldError{Field: "restart", Reason: "must be true or false"})
		}
	}
	if len(c.Body()) > 0 {
		return httpx.BadRequest("this endpoint takes no body; use ?restart=true to replay from zero")
	}
	err = a.d.Runner.Start(n, rebuild.Options{Restart: restart})
	switch {
	case errors.Is(err, rebuild.ErrUnknownProjection):
		return httpx.NotFound("no projection named " + n)
	case errors.Is(err, rebuild.ErrBusy):
		return httpx.Conflict("a rebuild of " + n + " is already running")
	case err != nil:
		return err
	}
	p, _ := authn.FromCtx(c)
	a.d.Log.Info("projection rebuild started over the admin API", "projection", n, "restart", restart, "user_id", p.UserID)
	// A relative Location: the Host header is the caller's to choose.
	loc := strings.TrimSuffix(c.Path(), "/rebuild")
	c.Location(loc)
	return c.Status(fiber.StatusAccepted).JSON(startedBody{Name: n, State: string(rebuild.StateRunning), Restart: restart, Status: loc})
}
