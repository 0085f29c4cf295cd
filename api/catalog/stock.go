package catalog

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/catalog/stockmoves"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

// StockMoves is what the stock routes need (*catalog.Service).
type StockMoves interface {
	MoveStock(ctx context.Context, m stockmoves.Movement) (domain.Product, stockmoves.Movement, error)
	Movements(ctx context.Context, sku string, page, pageSize int) (stockmoves.Page, error)
}

func (a *API) mountStock(r fiber.Router) {
	r.Get("/products/:sku/stock/movements", authn.Required(authn.RoleAdmin, authn.RoleSupport), a.movements)
}

// MovementDTO is a stock movement on the wire.
type MovementDTO struct {
	ID          string    `json:"id"`
	SKU         string    `json:"sku"`
	Delta       int       `json:"delta"`
	Quantity    int       `json:"quantity"`
	Reason      string    `json:"reason"`
	Note        string    `json:"note"`
	Actor       string    `json:"actor"`
	Ref         string    `json:"ref"`
	OnHandAfter *int      `json:"onHandAfter"`
	At          time.Time `json:"at"`
}

// MovementPageDTO is a page of movements, newest first.
type MovementPageDTO struct {
	Items    []MovementDTO `json:"items"`
	Page     int           `json:"page"`
	PageSize int           `json:"pageSize"`
	Total    int           `json:"total"`
}

func movementDTO(m stockmoves.Movement) MovementDTO {
	return MovementDTO{ID: m.ID, SKU: m.SKU, Delta: m.Delta, Quantity: m.Quantity, Reason: string(m.Reason), Note: m.Note,
		Actor: m.Actor, Ref: m.Ref, OnHandAfter: m.OnHandAfter, At: m.At}
}

// adjustBody is POST /products/{sku}/stock. Reason is required (a client
// that predates it gets a 422 naming the field); an Idempotency-Key header
// makes a retried request move stock once.
type adjustBody struct {
	Delta  int    `json:"delta"`
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func (a *API) adjustStock(c *fiber.Ctx) error {
	var b adjustBody
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	var errs []httpx.FieldError
	if b.Delta == 0 || b.Delta > domain.MaxStock || b.Delta < -domain.MaxStock {
		errs = append(errs, httpx.FieldError{Field: "delta", Reason: "must be a non-zero whole number of units within ±1000000"})
	}
	if b.Reason == "" {
		errs = append(errs, httpx.FieldError{Field: "reason", Reason: "is required: received, correction, damaged, lost, returned, written_off or other"})
	} else if !stockmoves.IsAdjustReason(stockmoves.Reason(b.Reason)) {
		errs = append(errs, httpx.FieldError{Field: "reason", Reason: "must be one of received, correction, damaged, lost, returned, written_off, other"})
	}
	key := c.Get("Idempotency-Key")
	if len(key) > 100 {
		errs = append(errs, httpx.FieldError{Field: "Idempotency-Key", Reason: "is longer than 100 bytes"})
	}
	if len(errs) > 0 {
		return httpx.Invalid(errs...)
	}
	m := stockmoves.Movement{SKU: c.Params("sku"), Delta: b.Delta, Reason: stockmoves.Reason(b.Reason), Note: b.Note}
	if p, ok := authn.FromCtx(c); ok {
		m.Actor = p.UserID
		if key != "" {
			// Per user: two staff members' keys never collide.
			m.Ref = "key:" + p.UserID + ":" + key
		}
	}
	p, mv, err := a.d.Catalog.MoveStock(c.UserContext(), m)
	if err != nil {
		return stockProblem(err)
	}
	a.d.Log.InfoContext(c.UserContext(), "stock adjusted", "sku", p.SKU().String(), "delta", mv.Delta, "reason", string(mv.Reason), "movement", mv.ID)
	c.Set("X-Movement-Id", mv.ID)
	return c.JSON(ToDTO(p, true))
}

var knownMovementQuery = map[string]bool{"page": true, "pageSize": true}

func (a *API) movements(c *fiber.Ctx) error {
	var perr error
	c.Context().QueryArgs().VisitAll(func(k, _ []byte) {
		if perr == nil && !knownMovementQuery[string(k)] {
			perr = httpx.Invalid(httpx.FieldError{Field: string(k), Reason: "is not a known query parameter"})
		}
	})
	if perr != nil {
		return perr
	}
	page, err := optInt(c, "page")
	if err != nil {
		return err
	}
	size, err := optInt(c, "pageSize")
	if err != nil {
		return err
	}
	if size > stockmoves.MaxPageSize {
		return httpx.Invalid(httpx.FieldError{Field: "pageSize", Reason: "must be at most 100"})
	}
	pg, err := a.d.Catalog.Movements(c.UserContext(), c.Params("sku"), page, size)
	if err != nil {
		return stockProblem(err)
	}
	out := MovementPageDTO{Items: make([]MovementDTO, len(pg.Items)), Page: pg.Page, PageSize: pg.PageSize, Total: pg.Total}
	for i, m := range pg.Items {
		out.Items[i] = movementDTO(m)
	}
	return c.JSON(out)
}

// stockProblem shows a movement's field refusals beside their fields.
func stockProblem(err error) error {
	var fe *stockmoves.FieldError
	if errors.As(err, &fe) {
		return httpx.Invalid(httpx.FieldError{Field: fe.Field, Reason: fe.Reason})
	}
	return problem(err)
}
