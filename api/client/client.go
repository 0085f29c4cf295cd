// Package client is the client-profile service's HTTP edge: the signed-in
// customer's profile, preferences, export, erasure and recommendations
// under /api/clients/me (Mount), where the id is always the caller's own,
// taken from the verified token; and the back office's customers under
// /api/admin/customers (MountAdmin, admin.go) for support and admin staff.
// Staff read other customers only there: the former GET /api/clients/{id}
// is retired in favour of GET /api/admin/customers/{id}, one implementation.
package client

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	apicatalog "github.com/evshop/shop/api/catalog"
	"github.com/evshop/shop/client"
	domaincatalog "github.com/evshop/shop/domain/catalog"
	domain "github.com/evshop/shop/domain/client"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

// Clients is what the API needs from the client service (*client.Service).
type Clients interface {
	Profile(ctx context.Context, userID string) (domain.ProfileData, error)
	SaveProfile(ctx context.Context, userID, email string, d domain.ProfileData) (domain.ProfileData, error)
	Preferences(ctx context.Context, userID string) (domain.PreferencesData, error)
	SavePreferences(ctx context.Context, userID string, d domain.PreferencesData) (domain.PreferencesData, error)
	Export(ctx context.Context, userID string) (client.Export, error)
	Erase(ctx context.Context, userID, by string) error
	// The back office's (admin.go).
	SearchCustomers(ctx context.Context, q client.CustomerQuery) (client.CustomerPage, error)
	Customer(ctx context.Context, userID string) (client.Customer, error)
	EraseCustomer(ctx context.Context, userID, by string) error
}

// Recommender suggests products (*recommendations.Recommender).
type Recommender interface {
	Recommend(ctx context.Context, customerID string, favourites []string, limit int) ([]domaincatalog.Product, error)
}

// Deps configures the API.
type Deps struct {
	Clients     Clients
	Recommender Recommender // optional: without it recommendations are empty
	Log         *slog.Logger
	// Verifier, when set, makes Mount verify the access token itself.
	Verifier authn.Verifier
}

// API serves /api/clients.
type API struct{ d Deps }

// New validates deps.
func New(d Deps) (*API, error) {
	if d.Clients == nil {
		return nil, errors.New("api/client: Deps.Clients is required")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &API{d: d}, nil
}

// Mount registers the routes on r (the gateway mounts it at /api/clients).
func (a *API) Mount(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	signedIn := authn.Required()
	r.Get("/me", signedIn, a.getProfile)
	r.Put("/me", signedIn, a.putProfile)
	r.Delete("/me", signedIn, a.erase)
	r.Get("/me/preferences", signedIn, a.getPreferences)
	r.Put("/me/preferences", signedIn, a.putPreferences)
	r.Get("/me/export", signedIn, a.export)
	r.Get("/me/recommendations", signedIn, a.recommendations)
}

func principal(c *fiber.Ctx) authn.Principal {
	p, _ := authn.FromCtx(c) // Required ran first
	return p
}

// me returns the caller's id, refusing a token whose subject is not a UUID
// (it could not own a profile).
func me(c *fiber.Ctx) (string, error) {
	id := strings.ToLower(principal(c).UserID)
	if !client.ValidUserID(id) {
		return "", httpx.Forbidden("this account has no client profile")
	}
	return id, nil
}

// ProfileDTO is the profile on the wire (the storefront's Profile type).
type ProfileDTO = domain.ProfileData

func (a *API) getProfile(c *fiber.Ctx) error {
	id, err := me(c)
	if err != nil {
		return err
	}
	p, err := a.d.Clients.Profile(c.UserContext(), id)
	if errors.Is(err, domain.ErrNotFound) {
		// Not created yet (the registration event is on its way) or
		// erased: the owner sees an empty profile to fill in.
		return c.JSON(ProfileDTO{Addresses: []domain.AddressData{}})
	}
	if err != nil {
		return problem(err)
	}
	return c.JSON(p)
}

func (a *API) putProfile(c *fiber.Ctx) error {
	id, err := me(c)
	if err != nil {
		return err
	}
	var body ProfileDTO
	if err := httpx.DecodeJSON(c, &body); err != nil {
		return err
	}
	p, err := a.d.Clients.SaveProfile(c.UserContext(), id, principal(c).Email, body)
	if err != nil {
		return problem(err)
	}
	return c.JSON(p)
}

func (a *API) getPreferences(c *fiber.Ctx) error {
	id, err := me(c)
	if err != nil {
		return err
	}
	p, err := a.d.Clients.Preferences(c.UserContext(), id)
	if err != nil {
		return problem(err)
	}
	return c.JSON(p)
}

func (a *API) putPreferences(c *fiber.Ctx) error {
	id, err := me(c)
	if err != nil {
		return err
	}
	var body domain.PreferencesData
	if err := httpx.DecodeJSON(c, &body); err != nil {
		return err
	}
	p, err := a.d.Clients.SavePreferences(c.UserContext(), id, body)
	if err != nil {
		return problem(err)
	}
	return c.JSON(p)
}

func (a *API) export(c *fiber.Ctx) error {
	id, err := me(c)
	if err != nil {
		return err
	}
	ex, err := a.d.Clients.Export(c.UserContext(), id)
	if err != nil {
		return problem(err)
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="my-data.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ex)
}

func (a *API) erase(c *fiber.Ctx) error {
	id, err := me(c)
	if err != nil {
		return err
	}
	if err := a.d.Clients.Erase(c.UserContext(), id, id); err != nil {
		return problem(err)
	}
	a.d.Log.InfoContext(c.UserContext(), "client profile erased", "user_id", id)
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) recommendations(c *fiber.Ctx) error {
	id, err := me(c)
	if err != nil {
		return err
	}
	limit := 0
	if s := c.Query("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 24 {
			return httpx.Invalid(httpx.FieldError{Field: "limit", Reason: "must be 1..24"})
		}
	}
	out := []apicatalog.ProductDTO{}
	if a.d.Recommender == nil {
		return c.JSON(out)
	}
	prefs, err := a.d.Clients.Preferences(c.UserContext(), id)
	if err != nil {
		return problem(err)
	}
	products, err := a.d.Recommender.Recommend(c.UserContext(), id, prefs.FavouriteCategories, limit)
	if err != nil {
		return err
	}
	for _, p := range products {
		out = append(out, apicatalog.ToDTO(p, false))
	}
	return c.JSON(out)
}

func problem(err error) error {
	var p *httpx.Problem
	var iq *client.InvalidQuery
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &iq):
		return httpx.Invalid(httpx.FieldError{Field: iq.Field, Reason: iq.Reason})
	case errors.Is(err, domain.ErrInvalid):
		return httpx.Invalid(httpx.FieldError{Field: "request", Reason: strings.TrimPrefix(err.Error(), "client: invalid input: ")})
	case errors.Is(err, domain.ErrNotFound):
		return httpx.NotFound("no such client")
	}
	return err
}
