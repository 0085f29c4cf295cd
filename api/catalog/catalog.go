// Package catalog is the catalog service's HTTP edge (mounted at
// /api/catalog): public browsing (list with search, filters, sort and
// paging; detail; categories; demo images) and the admin routes (create,
// update, archive, adjust stock, add a variant). A listing has one entry
// per product family with its "from" price; a detail carries the family's
// options and variants so the storefront can pick one. Every input is validated here or by the
// domain types, so operator-shaped input ({"$gt": ""}, "$where", dotted or
// $-prefixed keys) is refused with a 4xx before it could reach MongoDB.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/demo"
	"github.com/evshop/shop/catalog/images"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

// Catalog is what the API needs from the catalog service (*catalog.Service).
type Catalog interface {
	Get(ctx context.Context, sku string) (domain.Product, error)
	List(ctx context.Context, q domain.Query) (domain.Page, error)
	Categories(ctx context.Context) ([]domain.CategoryCount, error)
	Create(ctx context.Context, sku string, d domain.Details, onHand int) (domain.Product, error)
	Update(ctx context.Context, sku string, d domain.Details, expectedVersion int64) (domain.Product, error)
	Archive(ctx context.Context, sku string) (domain.Product, error)
	AdjustStock(ctx context.Context, sku string, delta int) (domain.Product, error)
	// Family returns the product and every SKU of its family.
	Family(ctx context.Context, sku string) (domain.Product, []domain.Product, error)
	CreateVariant(ctx context.Context, baseSKU string, in catalog.NewVariantInput) (domain.Product, error)
	UpdateVariant(ctx context.Context, sku string, d domain.Details, opts *[]domain.Option, expectedVersion int64) (domain.Product, error)
	// Stock movements with their history (stock.go).
	StockMoves
	// Image list edits (images.go).
	ImageEditor
	// View keeps rendered bodies per catalog generation (catalog.Service.View).
	View(ctx context.Context, key string, render func() ([]byte, error)) ([]byte, error)
}

// Deps configures the API.
type Deps struct {
	Catalog Catalog
	// Images serves GET /images/{file}; default: the demo images.
	Images fs.FS
	// Uploads keeps the images staff upload (images.go); nil: uploads are
	// refused and GET /images serves the demo images alone.
	Uploads images.Store
	// ImageLimits bound an upload; zero: 5 MiB and 40 megapixels.
	ImageLimits images.Limits
	Log         *slog.Logger
	// Verifier, when set, makes Mount verify the access token itself.
	Verifier authn.Verifier
}

// API serves /api/catalog.
type API struct{ d Deps }

// New validates deps.
func New(d Deps) (*API, error) {
	if d.Catalog == nil {
		return nil, errors.New("api/catalog: Deps.Catalog is required")
	}
	if d.Images == nil {
		d.Images = demo.Images()
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.ImageLimits.MaxBytes <= 0 {
		d.ImageLimits.MaxBytes = 5 << 20
	}
	if d.ImageLimits.MaxPixels <= 0 {
		d.ImageLimits.MaxPixels = 40_000_000
	}
	return &API{d: d}, nil
}

// Mount registers the routes on r (the gateway mounts it at /api/catalog).
func (a *API) Mount(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	admin := authn.Required(authn.RoleAdmin)
	r.Get("/products", a.list)
	r.Get("/products/:sku", a.get)
	r.Get("/categories", a.categories)
	r.Get("/images/:file", a.image, a.uploadedImage)
	r.Post("/products", admin, a.create)
	r.Put("/products/:sku", admin, a.update)
	r.Post("/products/:sku/archive", admin, a.archive)
	r.Post("/products/:sku/variants", admin, a.createVariant)
	r.Post("/products/:sku/stock", admin, a.adjustStock)
	a.mountStock(r)
	a.mountImages(r)
}

// ProductDTO is a product on the wire. Stock is what shoppers can still buy;
// OnHand and Reserved are shown to admins only.
type ProductDTO struct {
	SKU         string         `json:"sku"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Category    string         `json:"category"`
	Price       money.DTO      `json:"price"`
	Images      []string       `json:"images"`
	TaxClass    string         `json:"taxClass"`
	WeightGrams int            `json:"weightGrams"`
	Stock       int            `json:"stock"`
	Attributes  map[string]any `json:"attributes"`
	Archived    bool           `json:"archived"`
	Version     int64          `json:"version"`
	CreatedAt   time.Time      `json:"createdAt"`
	UpdatedAt   time.Time      `json:"updatedAt"`
	OnHand      *int           `json:"onHand,omitempty"`
	Reserved    *int           `json:"reserved,omitempty"`
	// ProductID is the family; SelectedOptions this SKU's option values
	// (none for a single-SKU product); DisplayName the name with them, as
	// basket lines show it.
	ProductID       string      `json:"productId"`
	SelectedOptions []OptionDTO `json:"selectedOptions"`
	DisplayName     string      `json:"displayName"`
	// In listings: the family's price range and number of variants (Stock
	// is then what is available across them).
	FromPrice    *money.DTO `json:"fromPrice,omitempty"`
	ToPrice      *money.DTO `json:"toPrice,omitempty"`
	VariantCount int        `json:"variantCount,omitempty"`
	// In a detail: the family's options with their values, and its
	// variants (on sale ones; admins see archived ones too).
	Options  []OptionValuesDTO `json:"options,omitempty"`
	Variants []VariantDTO      `json:"variants,omitempty"`
}

// OptionDTO is one option value of a variant.
type OptionDTO struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// OptionValuesDTO is one option of a family with its values in order.
type OptionValuesDTO struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// VariantDTO is one SKU of a family as a picker shows it.
type VariantDTO struct {
	SKU      string      `json:"sku"`
	Options  []OptionDTO `json:"options"`
	Price    money.DTO   `json:"price"`
	Stock    int         `json:"stock"`
	Images   []string    `json:"images"`
	Archived bool        `json:"archived"`
	OnHand   *int        `json:"onHand,omitempty"`
	Reserved *int        `json:"reserved,omitempty"`
	Version  int64       `json:"version"`
}

func optionDTOs(opts []domain.Option) []OptionDTO {
	out := make([]OptionDTO, len(opts))
	for i, o := range opts {
		out[i] = OptionDTO{Name: o.Name, Value: o.Value}
	}
	return out
}

// withFamily adds the family's options and variants to a detail.
func withFamily(dto ProductDTO, family []domain.Product, admin bool) ProductDTO {
	f := domain.NewFamily(family, admin)
	dto.Options = make([]OptionValuesDTO, len(f.Options))
	for i, o := range f.Options {
		dto.Options[i] = OptionValuesDTO{Name: o.Name, Values: o.Values}
	}
	dto.Variants = make([]VariantDTO, len(f.Variants))
	for i, v := range f.Variants {
		vd := VariantDTO{SKU: v.SKU().String(), Options: optionDTOs(v.Options()), Price: v.Price().DTO(), Stock: max(v.Available(), 0),
			Images: imageList(v), Archived: v.IsArchived(), Version: v.Version()}
		if admin {
			onHand, reserved := v.OnHand(), v.Reserved()
			vd.OnHand, vd.Reserved = &onHand, &reserved
		}
		dto.Variants[i] = vd
	}
	return dto
}

// listed renders a listing entry: the variant it is shown by, with its
// family's figures.
func listed(p domain.Product, f domain.FamilySummary, admin bool) ProductDTO {
	dto := ToDTO(p, admin)
	from, to := f.FromPrice.DTO(), f.ToPrice.DTO()
	dto.FromPrice, dto.ToPrice, dto.VariantCount, dto.Stock = &from, &to, f.Variants, f.Available
	return dto
}

// imageList is p's images, [] rather than null when it has none: clients
// (and the OpenAPI schema) take images as an array.
func imageList(p domain.Product) []string {
	if imgs := p.Images(); imgs != nil {
		return imgs
	}
	return []string{}
}

// ToDTO renders a product; admin adds the stock counters.
func ToDTO(p domain.Product, admin bool) ProductDTO {
	dto := ProductDTO{SKU: p.SKU().String(), Name: p.Name(), Description: p.Description(), Category: p.Category().String(),
		Price: p.Price().DTO(), Images: imageList(p), TaxClass: string(p.TaxClass()), WeightGrams: p.WeightGrams(),
		Stock: max(p.Available(), 0), Attributes: p.Attributes().Map(),
		Archived: p.IsArchived(), Version: p.Version(), CreatedAt: p.CreatedAt(), UpdatedAt: p.UpdatedAt(),
		ProductID: p.ProductID().String(), SelectedOptions: optionDTOs(p.Options()), DisplayName: p.DisplayName()}
	if admin {
		onHand, reserved := p.OnHand(), p.Reserved()
		dto.OnHand, dto.Reserved = &onHand, &reserved
	}
	return dto
}

// PageDTO is a page of products.
type PageDTO struct {
	Items    []ProductDTO `json:"items"`
	Page     int          `json:"page"`
	PageSize int          `json:"pageSize"`
	Total    int          `json:"total"`
}

// CategoryDTO is a category with its product count.
type CategoryDTO struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func isAdmin(c *fiber.Ctx) bool {
	p, ok := authn.FromCtx(c)
	return ok && p.Has(authn.RoleAdmin)
}

// knownQuery lists the accepted query parameters; anything else is refused
// so a typo or a probe ("q[$ne]=x") is visible instead of silently ignored.
var knownQuery = map[string]bool{"q": true, "category": true, "minPrice": true, "maxPrice": true, "sort": true,
	"page": true, "pageSize": true, "includeArchived": true}

func (a *API) list(c *fiber.Ctx) error {
	in := domain.QueryInput{}
	var perr error
	c.Context().QueryArgs().VisitAll(func(k, _ []byte) {
		if perr == nil && !knownQuery[string(k)] {
			perr = httpx.Invalid(httpx.FieldError{Field: string(k), Reason: "is not a known query parameter"})
		}
	})
	if perr != nil {
		return perr
	}
	in.Text, in.Category, in.Sort = c.Query("q"), c.Query("category"), c.Query("sort")
	var err error
	if in.MinPrice, err = optInt64(c, "minPrice"); err != nil {
		return err
	}
	if in.MaxPrice, err = optInt64(c, "maxPrice"); err != nil {
		return err
	}
	if in.Page, err = optInt(c, "page"); err != nil {
		return err
	}
	if in.PageSize, err = optInt(c, "pageSize"); err != nil {
		return err
	}
	if v := c.Query("includeArchived"); v != "" {
		if v != "true" && v != "false" {
			return httpx.Invalid(httpx.FieldError{Field: "includeArchived", Reason: "must be true or false"})
		}
		if v == "true" && !isAdmin(c) {
			return httpx.Forbidden("only admins may list archived products")
		}
		in.IncludeArchived = v == "true"
	}
	q, err := domain.NewQuery(in)
	if err != nil {
		return problem(err)
	}
	ctx, admin := c.UserContext(), isAdmin(c)
	render := func() ([]byte, error) {
		pg, err := a.d.Catalog.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out := PageDTO{Page: pg.Page, PageSize: pg.PageSize, Total: pg.Total, Items: make([]ProductDTO, len(pg.Items))}
		for i, p := range pg.Items {
			if i < len(pg.Families) {
				out.Items[i] = listed(p, pg.Families[i], admin)
			} else {
				out.Items[i] = ToDTO(p, admin)
			}
		}
		return json.Marshal(out)
	}
	return sendRendered(c, a.d.Catalog, "list:"+q.Key(), !admin, render)
}

// sendRendered answers with the JSON body render makes; shoppers' views (the
// same bytes for everyone) are kept per catalog generation, so a cached GET
// neither decodes nor encodes anything. Admin views, which carry the stock
// counters, are rendered every time.
func sendRendered(c *fiber.Ctx, cat Catalog, key string, public bool, render func() ([]byte, error)) error {
	var body []byte
	var err error
	if public {
		body, err = cat.View(c.UserContext(), key, render)
	} else {
		body, err = render()
	}
	if err != nil {
		return problem(err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

func optInt64(c *fiber.Ctx, name string) (*int64, error) {
	s := c.Query(name)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > money.MaxAmount {
		return nil, httpx.Invalid(httpx.FieldError{Field: name, Reason: "must be a whole number of minor units (cents)"})
	}
	return &n, nil
}

func optInt(c *fiber.Ctx, name string) (int, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, httpx.Invalid(httpx.FieldError{Field: name, Reason: "must be a positive integer"})
	}
	return n, nil
}

func (a *API) get(c *fiber.Ctx) error {
	sku, err := domain.NewSKU(c.Params("sku"))
	if err != nil {
		return problem(err)
	}
	ctx, admin := c.UserContext(), isAdmin(c)
	return sendRendered(c, a.d.Catalog, "product:"+sku.String(), !admin, func() ([]byte, error) {
		p, family, err := a.d.Catalog.Family(ctx, sku.String())
		if err != nil {
			return nil, err
		}
		if p.IsArchived() && !admin {
			return nil, httpx.NotFound("no such product")
		}
		return json.Marshal(withFamily(ToDTO(p, admin), family, admin))
	})
}

func (a *API) categories(c *fiber.Ctx) error {
	cats, err := a.d.Catalog.Categories(c.UserContext())
	if err != nil {
		return problem(err)
	}
	out := make([]CategoryDTO, len(cats))
	for i, cc := range cats {
		out[i] = CategoryDTO{Name: cc.Name, Count: cc.Count}
	}
	return c.JSON(out)
}

var imageName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,80}\.(svg|png|jpg|webp)$`)

func (a *API) image(c *fiber.Ctx) error {
	name := c.Params("file")
	if !imageName.MatchString(name) {
		return httpx.NotFound("no such image")
	}
	b, err := fs.ReadFile(a.d.Images, name)
	if err != nil {
		return c.Next() // an uploaded one (images.go)
	}
	c.Set(fiber.HeaderContentType, mime.TypeByExtension(path.Ext(name)))
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	// An SVG opened directly is a document: forbid scripts in it.
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	return c.Send(b)
}

// productBody is the admin create/update body. Attributes are decoded into a
// map and validated by the domain (keys, value types, sizes).
type productBody struct {
	SKU         string         `json:"sku"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Category    string         `json:"category"`
	Price       *money.DTO     `json:"price"`
	Images      []string       `json:"images"`
	Attributes  map[string]any `json:"attributes"`
	Stock       int            `json:"stock"`
	Version     int64          `json:"version"`
	// TaxClass (standard, reduced, zero; absent: standard) and WeightGrams
	// (absent: 0) price tax and shipping.
	TaxClass    string `json:"taxClass"`
	WeightGrams int    `json:"weightGrams"`
	// Options (PUT only; absent: unchanged) are the SKU's option values.
	Options *[]OptionDTO `json:"options"`
}

func domainOptions(in []OptionDTO) []domain.Option {
	out := make([]domain.Option, len(in))
	for i, o := range in {
		out[i] = domain.Option{Name: o.Name, Value: o.Value}
	}
	return out
}

func (b productBody) details() (domain.Details, error) {
	if b.Price == nil {
		return domain.Details{}, httpx.Invalid(httpx.FieldError{Field: "price", Reason: "is required"})
	}
	price, err := money.FromDTO(*b.Price)
	if err != nil {
		return domain.Details{}, httpx.Invalid(httpx.FieldError{Field: "price", Reason: "must be {amount: cents ≥ 0, currency: ISO code}"})
	}
	return domain.Details{Name: b.Name, Description: b.Description, Category: b.Category, Attributes: b.Attributes,
		Price: price, Images: b.Images, TaxClass: b.TaxClass, WeightGrams: b.WeightGrams}, nil
}

func (a *API) create(c *fiber.Ctx) error {
	var b productBody
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	if b.Version != 0 {
		return httpx.Invalid(httpx.FieldError{Field: "version", Reason: "is set by the server"})
	}
	if b.Options != nil {
		return httpx.Invalid(httpx.FieldError{Field: "options", Reason: "a new product has none: add variants through POST …/{sku}/variants"})
	}
	d, err := b.details()
	if err != nil {
		return err
	}
	p, err := a.d.Catalog.Create(c.UserContext(), b.SKU, d, b.Stock)
	if err != nil {
		return problem(err)
	}
	c.Location(c.BaseURL() + strings.TrimSuffix(c.Path(), "/") + "/" + p.SKU().String())
	return c.Status(fiber.StatusCreated).JSON(ToDTO(p, true))
}

func (a *API) update(c *fiber.Ctx) error {
	var b productBody
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	if b.SKU != "" && !strings.EqualFold(b.SKU, c.Params("sku")) {
		return httpx.Invalid(httpx.FieldError{Field: "sku", Reason: "cannot change; it must match the path"})
	}
	if b.Stock != 0 {
		return httpx.Invalid(httpx.FieldError{Field: "stock", Reason: "changes through POST …/stock, not here"})
	}
	if b.Version < 0 {
		return httpx.Invalid(httpx.FieldError{Field: "version", Reason: "must not be negative"})
	}
	d, err := b.details()
	if err != nil {
		return err
	}
	var opts *[]domain.Option
	if b.Options != nil {
		o := domainOptions(*b.Options)
		opts = &o
	}
	p, err := a.d.Catalog.UpdateVariant(c.UserContext(), c.Params("sku"), d, opts, b.Version)
	if err != nil {
		return problem(err)
	}
	return c.JSON(ToDTO(p, true))
}

// variantBody adds a variant: its SKU and option values, optional
// overrides of the product's price, weight, images and attributes, its
// stock, and the product's own option values when it has none yet.
type variantBody struct {
	SKU            string         `json:"sku"`
	Options        []OptionDTO    `json:"options"`
	ProductOptions *[]OptionDTO   `json:"productOptions"`
	Price          *money.DTO     `json:"price"`
	WeightGrams    *int           `json:"weightGrams"`
	Images         []string       `json:"images"`
	Attributes     map[string]any `json:"attributes"`
	Stock          int            `json:"stock"`
}

func (a *API) createVariant(c *fiber.Ctx) error {
	var b variantBody
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	var fields []httpx.FieldError
	if strings.TrimSpace(b.SKU) == "" {
		fields = append(fields, httpx.FieldError{Field: "sku", Reason: "is required"})
	} else if _, err := domain.NewSKU(b.SKU); err != nil {
		fields = append(fields, httpx.FieldError{Field: "sku", Reason: "must be 3-32 letters, digits or dashes"})
	}
	if len(b.Options) == 0 {
		fields = append(fields, httpx.FieldError{Field: "options", Reason: "is required: the variant's values, e.g. [{\"name\": \"Size\", \"value\": \"M\"}]"})
	}
	if b.Stock < 0 || b.Stock > domain.MaxStock {
		fields = append(fields, httpx.FieldError{Field: "stock", Reason: fmt.Sprintf("must be 0..%d", domain.MaxStock)})
	}
	in := catalog.NewVariantInput{SKU: b.SKU, Stock: b.Stock, VariantInput: domain.VariantInput{Options: domainOptions(b.Options),
		WeightGrams: b.WeightGrams, Images: b.Images, Attributes: b.Attributes}}
	if b.Price != nil {
		price, err := money.FromDTO(*b.Price)
		if err != nil || price.Amount() <= 0 {
			fields = append(fields, httpx.FieldError{Field: "price", Reason: "must be {amount: cents > 0, currency: ISO code}"})
		}
		in.Price = &price
	}
	if len(fields) > 0 {
		return httpx.Invalid(fields...)
	}
	if b.ProductOptions != nil {
		in.ProductOptions = domainOptions(*b.ProductOptions)
	}
	p, err := a.d.Catalog.CreateVariant(c.UserContext(), c.Params("sku"), in)
	if err != nil {
		if errors.Is(err, domain.ErrDuplicate) {
			return httpx.Conflict("a product with this SKU exists")
		}
		return problem(err)
	}
	c.Location(c.BaseURL() + "/api/catalog/products/" + p.SKU().String())
	return c.Status(fiber.StatusCreated).JSON(ToDTO(p, true))
}

func (a *API) archive(c *fiber.Ctx) error {
	p, err := a.d.Catalog.Archive(c.UserContext(), c.Params("sku"))
	if err != nil {
		return problem(err)
	}
	return c.JSON(ToDTO(p, true))
}

// problem maps domain errors to problem+json; anything else stays an
// internal error (logged, never sent).
func problem(err error) error {
	var p *httpx.Problem
	var fe *domain.InvalidField
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &fe):
		return httpx.Invalid(httpx.FieldError{Field: fe.Field, Reason: fe.Reason})
	case errors.Is(err, domain.ErrInvalid):
		return httpx.Invalid(httpx.FieldError{Field: "request", Reason: strings.TrimPrefix(err.Error(), "catalog: invalid input: ")})
	case errors.Is(err, domain.ErrNotFound):
		return httpx.NotFound("no such product")
	case errors.Is(err, domain.ErrDuplicate):
		return httpx.Conflict("a product with this SKU exists")
	case errors.Is(err, domain.ErrConflict):
		return httpx.Conflict("the product changed meanwhile; reload and retry")
	case errors.Is(err, domain.ErrInsufficientStock):
		return httpx.Conflict("stock cannot drop below the units reserved for orders")
	}
	return err
}
