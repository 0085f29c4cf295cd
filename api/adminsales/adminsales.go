// Package adminsales is the admin HTTP API over the sales read model
// (projections/sales): GET /api/admin/sales?from=&to=&by=day|product|category
// answers the report as JSON, or as CSV when asked with Accept: text/csv or
// ?format=csv (the dashboard's download). Admins only: revenue is not for
// support staff.
package adminsales

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/sales"
)

// Deps are the API's collaborators.
type Deps struct {
	Store sales.Store
	// Verifier, when set, makes Mount verify the access token itself.
	Verifier authn.Verifier
	// Now is the clock that says what "today" is; time.Now when nil.
	Now func() time.Time
}

// API serves /api/admin/sales.
type API struct{ d Deps }

// New validates deps.
func New(d Deps) (*API, error) {
	if d.Store == nil {
		return nil, errors.New("adminsales: Store is required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &API{d: d}, nil
}

// Mount registers the route (mounted at /api/admin/sales).
func (a *API) Mount(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	r.Get("/", authn.Required(authn.RoleAdmin), a.report)
}

func (a *API) report(c *fiber.Ctx) error {
	asCSV, err := wantsCSV(c)
	if err != nil {
		return err
	}
	q, err := sales.ParseQuery(c.Query("from"), c.Query("to"), c.Query("by"), a.d.Now(), a.d.Store.Location())
	var qe *sales.QueryError
	if errors.As(err, &qe) {
		fields := make([]httpx.FieldError, len(qe.Fields))
		for i, f := range qe.Fields {
			fields[i] = httpx.FieldError{Field: f.Field, Reason: f.Reason}
		}
		return httpx.Invalid(fields...)
	}
	if err != nil {
		return err
	}
	r, err := sales.Build(c.UserContext(), a.d.Store, q)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Vary(fiber.HeaderAccept)
	if !asCSV {
		return c.JSON(r)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="sales-%s-%s-%s.csv"`, r.By, r.From, r.To))
	return sales.WriteCSV(c.Response().BodyWriter(), r)
}

// wantsCSV reads ?format= (json or csv), else the Accept header.
func wantsCSV(c *fiber.Ctx) (bool, error) {
	switch c.Query("format") {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
	default:
		return false, httpx.Invalid(httpx.FieldError{Field: "format", Reason: "must be json or csv"})
	}
	accept := strings.ToLower(c.Get(fiber.HeaderAccept))
	return strings.Contains(accept, "text/csv") && !strings.Contains(accept, fiber.MIMEApplicationJSON), nil
}
