package client

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/client"
	domain "github.com/evshop/shop/domain/client"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

// MountAdmin registers the back office's customer routes on r (mounted at
// /api/admin/customers): search, one customer, their data export (support
// and admin) and the erasure of their data (admins only). A customer's
// orders come from GET /api/admin/orders?customerId= (ordering service).
func (a *API) MountAdmin(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	staff := authn.Required(authn.RoleSupport, authn.RoleAdmin)
	r.Get("/", staff, a.searchCustomers)
	r.Get("/:id", staff, a.getCustomer)
	r.Get("/:id/export", staff, a.exportCustomer)
	// Erasure cannot be undone: admins only, as refunds.
	r.Delete("/:id", authn.Required(authn.RoleAdmin), a.eraseCustomer)
}

// CustomerSummaryDTO is a search result.
type CustomerSummaryDTO struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// CustomerPageDTO is a page of search results, newest customer first.
type CustomerPageDTO struct {
	Items    []CustomerSummaryDTO `json:"items"`
	Page     int                  `json:"page"`
	PageSize int                  `json:"pageSize"`
	Total    int                  `json:"total"`
}

// ErasureDTO is one erasure of a customer's data and who asked for it.
type ErasureDTO struct {
	At time.Time `json:"at"`
	By string    `json:"by"`
	// ByCustomer tells the customer's own erasure from an admin's.
	ByCustomer bool `json:"byCustomer"`
}

// CustomerDTO is one customer as the back office sees them. An erased
// customer has no profile, email or creation date, only their erasures.
type CustomerDTO struct {
	ID          string                 `json:"id"`
	Email       string                 `json:"email"`
	Name        string                 `json:"name"`
	Profile     *domain.ProfileData    `json:"profile"`
	Preferences domain.PreferencesData `json:"preferences"`
	Erased      bool                   `json:"erased"`
	Erasures    []ErasureDTO           `json:"erasures"`
	CreatedAt   *time.Time             `json:"createdAt,omitempty"`
	UpdatedAt   *time.Time             `json:"updatedAt,omitempty"`
}

func (a *API) searchCustomers(c *fiber.Ctx) error {
	q, err := client.ParseCustomerQuery(c.Query("q"), c.Query("page"), c.Query("pageSize"))
	if err != nil {
		return problem(err)
	}
	page, err := a.d.Clients.SearchCustomers(c.UserContext(), q)
	if err != nil {
		return problem(err)
	}
	out := CustomerPageDTO{Items: make([]CustomerSummaryDTO, 0, len(page.Items)), Page: q.Page, PageSize: q.PageSize, Total: page.Total}
	for _, p := range page.Items {
		out.Items = append(out.Items, CustomerSummaryDTO{ID: p.UserID, Email: p.Email, Name: p.Profile.Data().Name, CreatedAt: p.CreatedAt})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// customerID is the path's id; anything but a UUID is a customer the shop
// cannot have (404, as for an unknown one).
func customerID(c *fiber.Ctx) (string, error) {
	id := strings.ToLower(c.Params("id"))
	if !client.ValidUserID(id) {
		return "", httpx.NotFound("no such customer")
	}
	return id, nil
}

func (a *API) getCustomer(c *fiber.Ctx) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	cu, err := a.d.Clients.Customer(c.UserContext(), id)
	if err != nil {
		return problem(err)
	}
	out := CustomerDTO{ID: cu.ID, Email: cu.Email, Profile: cu.Profile, Preferences: cu.Preferences, Erased: cu.Erased,
		Erasures: make([]ErasureDTO, 0, len(cu.Erasures))}
	if cu.Profile != nil {
		out.Name = cu.Profile.Name
		out.CreatedAt, out.UpdatedAt = &cu.CreatedAt, &cu.UpdatedAt
	}
	for _, e := range cu.Erasures {
		out.Erasures = append(out.Erasures, ErasureDTO{At: e.At, By: e.By, ByCustomer: e.By == cu.ID})
	}
	a.d.Log.InfoContext(c.UserContext(), "staff read a customer", "staff_id", principal(c).UserID, "client_id", id)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

func (a *API) exportCustomer(c *fiber.Ctx) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	if _, err := a.d.Clients.Customer(c.UserContext(), id); err != nil {
		return problem(err)
	}
	ex, err := a.d.Clients.Export(c.UserContext(), id)
	if err != nil {
		return problem(err)
	}
	a.d.Log.InfoContext(c.UserContext(), "staff exported a customer's data", "staff_id", principal(c).UserID, "client_id", id)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="customer-`+id+`.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ex)
}

func (a *API) eraseCustomer(c *fiber.Ctx) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	by := strings.ToLower(principal(c).UserID)
	if err := a.d.Clients.EraseCustomer(c.UserContext(), id, by); err != nil {
		return problem(err)
	}
	a.d.Log.InfoContext(c.UserContext(), "an admin erased a customer's data", "staff_id", by, "client_id", id)
	return c.SendStatus(fiber.StatusNoContent)
}
