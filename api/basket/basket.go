// Package basket is the basket HTTP API (mounted at /api/basket): read the
// basket from its read model, change it through commands with optimistic
// concurrency exposed as ETag/If-Match, check it out with an Idempotency-Key,
// and merge a guest basket at login.
//
// Consistency: a customer reads their own writes. GET takes the basket's
// view from the read model and then folds in whatever its stream holds past
// that view's version (usually nothing: one indexed read that returns no
// row), so the answer and its ETag are the basket's state in the event store
// when the read ran, however far the projector is behind. Every write also
// answers with the state the command itself produced (and its ETag).
package basket

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/evshop/shop/api/admindiscounts"
	basketcmd "github.com/evshop/shop/commands/basket"
	"github.com/evshop/shop/commands/esrepo"
	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/guestorder"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/baskets"
)

// GuestCookie holds an anonymous visitor's basket token (a random UUID);
// over HTTPS it is GuestCookieSecure, which no sibling subdomain or
// plain-HTTP response can plant.
const (
	GuestCookie       = "basket_id"
	GuestCookieSecure = "__Host-basket_id"
)

// guestCookieTTL keeps a guest basket across visits for a month.
const guestCookieTTL = 30 * 24 * time.Hour

// Card is a tokenized card: what may be stored and sent on.
type Card struct {
	Token string
	Last4 string
}

// PaymentTokenizer turns a card number into a gateway token. The basket API
// never stores or logs the number; it hands it straight to the tokenizer.
type PaymentTokenizer interface {
	Tokenize(ctx context.Context, cardNumber string) (Card, error)
}

// TokenizerFunc adapts a function to PaymentTokenizer, e.g.
//
//	TokenizerFunc(func(_ context.Context, n string) (Card, error) { c, err := sandbox.Tokenize(n); return Card(c), err })
type TokenizerFunc func(ctx context.Context, cardNumber string) (Card, error)

// Tokenize calls f.
func (f TokenizerFunc) Tokenize(ctx context.Context, n string) (Card, error) { return f(ctx, n) }

// Commands is the write side the API drives (commands/basket.Handlers).
type Commands interface {
	AddItem(ctx context.Context, cmd basketcmd.AddItem) (basketcmd.State, error)
	ChangeItemQuantity(ctx context.Context, cmd basketcmd.ChangeItemQuantity) (basketcmd.State, error)
	RemoveItem(ctx context.Context, cmd basketcmd.RemoveItem) (basketcmd.State, error)
	ClearBasket(ctx context.Context, cmd basketcmd.ClearBasket) (basketcmd.State, error)
	CheckOut(ctx context.Context, cmd basketcmd.CheckOut) (string, basketcmd.State, error)
	MergeGuestBasket(ctx context.Context, guestToken, customerID string) (basketcmd.State, error)
	ApplyDiscount(ctx context.Context, cmd basketcmd.ApplyDiscount) (basketcmd.State, error)
	RemoveDiscount(ctx context.Context, cmd basketcmd.RemoveDiscount) (basketcmd.State, error)
	Estimate(lines []domain.Line, country, shippingMethod string, discount *pricing.DiscountDTO) (basketcmd.Estimate, error)
}

// Reader is the read model (projections/baskets Store).
type Reader interface {
	Get(ctx context.Context, basketID string) (baskets.View, error)
}

// StreamReader reads a basket's stream (eventstore.Store).
type StreamReader interface {
	Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error]
}

// Deps are the API's collaborators.
type Deps struct {
	Commands Commands
	Reader   Reader
	// Events is the event store the commands append to; GET folds the
	// events the read model has not applied yet from it.
	Events    StreamReader
	Tokenizer PaymentTokenizer // required for method "sandbox"
	// PaymentMethods are the methods the shop accepts (PAYMENT_GATEWAYS); a
	// checkout naming another is refused before any order exists.
	PaymentMethods []string
	Log            *slog.Logger
	// Verifier, when set, makes Mount verify the access token itself.
	Verifier authn.Verifier
	// SecureCookie names the guest cookie GuestCookieSecure and sets Secure
	// (true behind HTTPS).
	SecureCookie bool
	// OrderLinks signs the order status links of guest checkouts. Without
	// it, only signed-in customers check out.
	OrderLinks *guestorder.Signer
}

// API serves /api/basket.
type API struct{ d Deps }

// New validates deps.
func New(d Deps) (*API, error) {
	if d.Commands == nil || d.Reader == nil || d.Events == nil || len(d.PaymentMethods) == 0 {
		return nil, errors.New("basket api: Commands, Reader, Events and PaymentMethods are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &API{d: d}, nil
}

// Mount registers the routes on r (the gateway mounts it at /api/basket).
func (a *API) Mount(r fiber.Router) {
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	r.Get("/", a.get)
	r.Delete("/", a.clear)
	r.Post("/items", a.addItem)
	r.Patch("/items/:sku", a.changeItem)
	r.Delete("/items/:sku", a.removeItem)
	if a.d.OrderLinks != nil {
		r.Post("/checkout", a.checkout)
	} else {
		r.Post("/checkout", authn.Required(), a.checkout)
	}
	r.Post("/merge", authn.Required(), a.merge)
	r.Post("/discount", a.applyDiscount)
	r.Delete("/discount", a.removeDiscount)
}

// --- wire shapes ---

type lineJSON struct {
	SKU       string    `json:"sku"`
	Name      string    `json:"name"`
	Category  string    `json:"category"`
	Quantity  int       `json:"quantity"`
	UnitPrice money.DTO `json:"unitPrice"`
	LineTotal money.DTO `json:"lineTotal"`
}

type basketJSON struct {
	Lines     []lineJSON `json:"lines"`
	Total     *money.DTO `json:"total"`
	ItemCount int        `json:"itemCount"`
	// Revision is the basket's version, the value inside its ETag.
	Revision uint64 `json:"revision"`
	// Discount is the code in the basket (null: none).
	Discount *pricing.DiscountDTO `json:"discount"`
	// Estimate prices the basket for a destination (null: empty basket).
	Estimate *estimateJSON `json:"estimate"`
}

type shippingOfferJSON struct {
	ID    string    `json:"id"`
	Name  string    `json:"name"`
	Price money.DTO `json:"price"`
}

type estimateJSON struct {
	Country        string               `json:"country"`
	ShippingMethod string               `json:"shippingMethod,omitempty"`
	Breakdown      pricing.BreakdownDTO `json:"breakdown"`
	// ShippingMethods are the methods serving the destination, priced for
	// this basket.
	ShippingMethods []shippingOfferJSON `json:"shippingMethods"`
}

func fromView(v baskets.View) basketJSON {
	out := basketJSON{Lines: []lineJSON{}, Revision: v.Version, Discount: v.Discount}
	for _, l := range v.Lines {
		out.Lines = append(out.Lines, lineJSON{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity,
			UnitPrice: l.UnitPrice, LineTotal: money.DTO{Amount: l.UnitPrice.Amount * int64(l.Quantity), Currency: l.UnitPrice.Currency}})
		out.ItemCount += l.Quantity
	}
	if len(v.Lines) > 0 {
		t := v.Total()
		out.Total = &t
	}
	return out
}

func viewOf(s basketcmd.State) baskets.View {
	v := baskets.View{Version: s.Version, Discount: s.Discount}
	for _, l := range s.Lines {
		v.Lines = append(v.Lines, baskets.Line{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice.DTO(),
			TaxClass: l.TaxClass, WeightGrams: l.WeightGrams})
	}
	return v
}

// estimateParams reads ?country= and ?shippingMethod=; malformed ones are
// 422 (strict, GET) or ignored (writes, which answer with the basket).
func estimateParams(c *fiber.Ctx, strict bool) (country, method string, err error) {
	country, method = c.Query("country"), c.Query("shippingMethod")
	var bad []httpx.FieldError
	if country != "" && !pricing.ValidCountry(country) {
		bad = append(bad, httpx.FieldError{Field: "country", Reason: "must be a two-letter ISO country code in upper case"})
		country = ""
	}
	if len(method) > 32 {
		bad = append(bad, httpx.FieldError{Field: "shippingMethod", Reason: "is not a shipping method"})
		method = ""
	}
	if len(bad) > 0 && strict {
		return "", "", httpx.Invalid(bad...)
	}
	return country, method, nil
}

// send answers with the basket v and its estimate. strict (GET) refuses a
// destination or method the shop cannot price with 422; writes answer with
// the estimate for the shop's country instead.
func (a *API) send(c *fiber.Ctx, status int, v baskets.View, strict bool) error {
	b := fromView(v)
	if len(v.Lines) > 0 {
		country, method, err := estimateParams(c, strict)
		if err != nil {
			return err
		}
		lines := make([]domain.Line, len(v.Lines))
		for i, l := range v.Lines {
			price, _ := money.FromDTO(l.UnitPrice)
			lines[i] = domain.Line{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity, UnitPrice: price,
				TaxClass: l.TaxClass, WeightGrams: l.WeightGrams}
		}
		est, err := a.d.Commands.Estimate(lines, country, method, v.Discount)
		if err != nil && !strict {
			est, err = a.d.Commands.Estimate(lines, "", "", v.Discount)
		}
		switch {
		case errors.Is(err, basketcmd.ErrUnknownCountry):
			return httpx.Invalid(httpx.FieldError{Field: "country", Reason: "is not a country this shop sells to"})
		case errors.Is(err, basketcmd.ErrShippingUnavailable):
			return httpx.Invalid(httpx.FieldError{Field: "shippingMethod", Reason: "is not available for this destination and basket"})
		case err != nil:
			a.d.Log.WarnContext(c.UserContext(), "basket estimate failed", "err", err)
		default:
			e := &estimateJSON{Country: est.Country, ShippingMethod: method, Breakdown: est.Breakdown.DTO(), ShippingMethods: []shippingOfferJSON{}}
			if est.Breakdown.Shipping == nil {
				e.ShippingMethod = ""
			}
			for _, o := range est.Methods {
				e.ShippingMethods = append(e.ShippingMethods, shippingOfferJSON{ID: o.Method.ID, Name: o.Method.Name, Price: o.Price.DTO()})
			}
			b.Estimate = e
		}
	}
	c.Set(fiber.HeaderETag, etag(b.Revision))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(b)
}

func etag(version uint64) string { return `"` + strconv.FormatUint(version, 10) + `"` }

// --- identity of the basket ---

// basketID returns the caller's basket: the customer's when signed in, else
// the guest basket named by the cookie. create mints a guest cookie when
// there is none (writes); reads without a cookie see an empty basket.
func (a *API) basketID(c *fiber.Ctx, create bool) (domain.ID, bool, error) {
	if p, ok := authn.FromCtx(c); ok {
		id, err := domain.CustomerBasket(p.UserID)
		if err != nil {
			return domain.ID{}, false, httpx.Forbidden("this account has no basket")
		}
		return id, true, nil
	}
	if tok := c.Cookies(a.guestCookie()); tok != "" {
		if id, err := domain.GuestBasket(tok); err == nil {
			return id, true, nil
		}
		// A malformed cookie is replaced rather than refused: it is ours to set.
	}
	if !create {
		return domain.ID{}, false, nil
	}
	tok, err := uuid.NewRandomFromReader(rand.Reader)
	if err != nil {
		return domain.ID{}, false, err
	}
	a.setGuestCookie(c, tok.String(), guestCookieTTL)
	id, err := domain.GuestBasket(tok.String())
	return id, true, err
}

func (a *API) guestCookie() string {
	if a.d.SecureCookie {
		return GuestCookieSecure
	}
	return GuestCookie
}

func (a *API) setGuestCookie(c *fiber.Ctx, value string, ttl time.Duration) {
	ck := &fiber.Cookie{Name: a.guestCookie(), Value: value, Path: "/", HTTPOnly: true, Secure: a.d.SecureCookie, SameSite: fiber.CookieSameSiteLaxMode}
	if ttl > 0 {
		ck.MaxAge = int(ttl / time.Second)
	} else {
		ck.MaxAge, ck.Expires = -1, time.Unix(0, 0)
	}
	c.Cookie(ck)
}

// ifMatch parses If-Match. Absent or "*" means no precondition; an ETag that
// is not one of ours can never match, so it is a 412 like a stale one.
func ifMatch(c *fiber.Ctx) (*uint64, error) {
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" || h == "*" {
		return nil, nil
	}
	h = strings.TrimPrefix(h, "W/")
	if len(h) < 3 || h[0] != '"' || h[len(h)-1] != '"' {
		return nil, preconditionFailed()
	}
	n, err := strconv.ParseUint(h[1:len(h)-1], 10, 64)
	if err != nil {
		return nil, preconditionFailed()
	}
	return &n, nil
}

func preconditionFailed() *httpx.Problem {
	return httpx.NewProblem(fiber.StatusPreconditionFailed, "the basket changed since you read it; reload it and try again")
}

// withMeta records who and which request caused the events.
func withMeta(c *fiber.Ctx) context.Context {
	meta := eventstore.Metadata{CorrelationID: c.GetRespHeader(fiber.HeaderXRequestID)}
	if meta.CorrelationID == "" {
		meta.CorrelationID = c.GetRespHeader("X-Request-ID")
	}
	if p, ok := authn.FromCtx(c); ok {
		meta.UserID = p.UserID
	}
	return esrepo.WithMetadata(c.UserContext(), meta)
}

// problem maps command errors to problem+json; unknown errors stay 500.
func problem(err error) error {
	var p *httpx.Problem
	switch {
	case errors.As(err, &p):
		return p
	case errors.Is(err, basketcmd.ErrPrecondition):
		return preconditionFailed()
	case errors.Is(err, basketcmd.ErrUnknownProduct):
		return httpx.Invalid(httpx.FieldError{Field: "sku", Reason: "is not a product on sale"})
	case errors.Is(err, domain.ErrItemNotFound):
		return httpx.NotFound("that product is not in the basket")
	case errors.Is(err, domain.ErrTooManyLines):
		return httpx.Invalid(httpx.FieldError{Field: "sku", Reason: fmt.Sprintf("a basket holds at most %d lines", domain.MaxLines)})
	case errors.Is(err, domain.ErrQuantityLimit):
		return httpx.Invalid(httpx.FieldError{Field: "quantity", Reason: fmt.Sprintf("at most %d per product", domain.MaxQuantity)})
	case errors.Is(err, domain.ErrCurrencyMismatch):
		return httpx.Invalid(httpx.FieldError{Field: "sku", Reason: "is priced in another currency than the basket"})
	case errors.Is(err, domain.ErrEmpty):
		return httpx.Conflict("the basket is empty")
	case errors.Is(err, basketcmd.ErrShippingRequired):
		return httpx.Invalid(httpx.FieldError{Field: "shippingMethod", Reason: "is required: choose one of the methods the basket's estimate lists"})
	case errors.Is(err, basketcmd.ErrShippingUnavailable):
		return httpx.Invalid(httpx.FieldError{Field: "shippingMethod", Reason: "is not available for this destination and basket"})
	case errors.Is(err, basketcmd.ErrUnknownCountry):
		return httpx.Invalid(httpx.FieldError{Field: "shippingAddress.country", Reason: "is not a country this shop sells to"})
	case errors.Is(err, domain.ErrNoDiscount):
		return httpx.NotFound("the basket holds no discount code")
	case errors.Is(err, domain.ErrInvalid), errors.Is(err, ordering.ErrInvalid):
		return httpx.NewProblem(fiber.StatusUnprocessableEntity, publicDetail(err))
	case errors.Is(err, ordering.ErrAlreadyPlaced):
		return httpx.Conflict("this Idempotency-Key was used for another order")
	case errors.Is(err, eventstore.ErrConcurrency):
		return httpx.Conflict("the basket is being changed elsewhere; try again")
	}
	return err
}

// publicDetail keeps only the domain's message, which never holds input
// secrets (card numbers never reach the domain).
func publicDetail(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "invalid input: "); i >= 0 {
		return msg[i+len("invalid input: "):]
	}
	return "the request is invalid"
}

// --- handlers ---

func (a *API) get(c *fiber.Ctx) error {
	id, ok, err := a.basketID(c, false)
	if err != nil {
		return err
	}
	if !ok {
		return a.send(c, fiber.StatusOK, baskets.View{}, true)
	}
	v, err := a.current(c.UserContext(), id)
	if err != nil {
		return err
	}
	if m := c.Get(fiber.HeaderIfNoneMatch); m != "" && m == etag(v.Version) {
		c.Set(fiber.HeaderETag, m)
		return c.SendStatus(fiber.StatusNotModified)
	}
	return a.send(c, fiber.StatusOK, v, true)
}

// current is the basket as its stream holds it now: the read model's view
// with the events it has not applied yet folded in. A read model that fails
// is worked around by folding the whole stream (a basket's stream is short).
func (a *API) current(ctx context.Context, id domain.ID) (baskets.View, error) {
	v, err := a.d.Reader.Get(ctx, id.String())
	switch {
	case errors.Is(err, baskets.ErrNotFound):
		v = baskets.View{}
	case err != nil:
		a.d.Log.WarnContext(ctx, "basket read model failed; reading the stream", "err", err)
		v = baskets.View{}
	}
	for ev, err := range a.d.Events.Read(ctx, domain.Stream(id.String()), v.Version) {
		if err != nil {
			return baskets.View{}, fmt.Errorf("basket api: read %s: %w", id, err)
		}
		if v, err = baskets.CatchUp(v, id.String(), ev); err != nil {
			return baskets.View{}, fmt.Errorf("basket api: fold %s: %w", id, err)
		}
	}
	return v, nil
}

type addItemReq struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// write runs one change of the caller's basket and answers with the basket
// after it: it reads If-Match, finds the basket (creating a guest basket when
// missing is nil) and maps the command's errors. missing answers when the
// caller has no basket yet.
func (a *API) write(c *fiber.Ctx, missing func() error, run func(ctx context.Context, id domain.ID, ifMatch *uint64) (basketcmd.State, error)) error {
	im, err := ifMatch(c)
	if err != nil {
		return err
	}
	id, ok, err := a.basketID(c, missing == nil)
	if err != nil {
		return err
	}
	if !ok && missing != nil {
		return missing()
	}
	st, err := run(withMeta(c), id, im)
	if err != nil {
		return problem(err)
	}
	return a.send(c, fiber.StatusOK, viewOf(st), false)
}

func (a *API) addItem(c *fiber.Ctx) error {
	var req addItemReq
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	var bad []httpx.FieldError
	if _, err := domain.NewSKU(req.SKU); err != nil {
		bad = append(bad, httpx.FieldError{Field: "sku", Reason: "must be 1–64 letters, digits, '-', '_' or '.'"})
	}
	if _, err := domain.NewQuantity(req.Quantity); err != nil {
		bad = append(bad, httpx.FieldError{Field: "quantity", Reason: "must be 1 to 99"})
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	return a.write(c, nil, func(ctx context.Context, id domain.ID, im *uint64) (basketcmd.State, error) {
		return a.d.Commands.AddItem(ctx, basketcmd.AddItem{BasketID: id, SKU: req.SKU, Quantity: req.Quantity, IfMatch: im})
	})
}

// notInBasket is the answer to changing a line of a basket that does not exist.
func notInBasket() error { return httpx.NotFound("that product is not in the basket") }

type changeItemReq struct {
	Quantity int `json:"quantity"`
}

func pathSKU(c *fiber.Ctx) (string, error) {
	sku := c.Params("sku")
	if _, err := domain.NewSKU(sku); err != nil {
		return "", httpx.NotFound("no such product in the basket")
	}
	return sku, nil
}

func (a *API) changeItem(c *fiber.Ctx) error {
	sku, err := pathSKU(c)
	if err != nil {
		return err
	}
	var req changeItemReq
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := domain.NewQuantity(req.Quantity); err != nil {
		return httpx.Invalid(httpx.FieldError{Field: "quantity", Reason: "must be 1 to 99; DELETE the item to remove it"})
	}
	return a.write(c, notInBasket, func(ctx context.Context, id domain.ID, im *uint64) (basketcmd.State, error) {
		return a.d.Commands.ChangeItemQuantity(ctx, basketcmd.ChangeItemQuantity{BasketID: id, SKU: sku, Quantity: req.Quantity, IfMatch: im})
	})
}

func (a *API) removeItem(c *fiber.Ctx) error {
	sku, err := pathSKU(c)
	if err != nil {
		return err
	}
	return a.write(c, notInBasket, func(ctx context.Context, id domain.ID, im *uint64) (basketcmd.State, error) {
		return a.d.Commands.RemoveItem(ctx, basketcmd.RemoveItem{BasketID: id, SKU: sku, IfMatch: im})
	})
}

func (a *API) clear(c *fiber.Ctx) error {
	empty := func() error { return a.send(c, fiber.StatusOK, baskets.View{}, false) }
	return a.write(c, empty, func(ctx context.Context, id domain.ID, im *uint64) (basketcmd.State, error) {
		return a.d.Commands.ClearBasket(ctx, basketcmd.ClearBasket{BasketID: id, IfMatch: im})
	})
}

// HeaderIdempotencyKey names the checkout idempotency header.
const HeaderIdempotencyKey = "Idempotency-Key"

type paymentReq struct {
	Method     string `json:"method"`
	CardNumber string `json:"cardNumber"`
}

type checkoutReq struct {
	ShippingAddress ordering.AddressDTO `json:"shippingAddress"`
	Payment         paymentReq          `json:"payment"`
	// Email is required for a guest checkout and refused when signed in
	// (the order then goes to the account's verified address).
	Email string `json:"email"`
	// ShippingMethod is required when the shop has shipping methods.
	ShippingMethod string `json:"shippingMethod"`
	// VATID is a B2B buyer's VAT ID, printed on the invoice.
	VATID string `json:"vatId"`
}

type checkoutResp struct {
	OrderID string `json:"orderId"`
	// StatusURL (guest checkouts only) is the storefront page of the order,
	// reachable without an account through its signed token.
	StatusURL   string `json:"statusUrl,omitempty"`
	StatusToken string `json:"statusToken,omitempty"`
}

func (a *API) checkout(c *fiber.Ctx) error {
	p, signedIn := authn.FromCtx(c)
	key := c.Get(HeaderIdempotencyKey)
	if key == "" {
		return httpx.BadRequest("the Idempotency-Key header is required")
	}
	if !domain.ValidIdempotencyKey(key) {
		return httpx.BadRequest("the Idempotency-Key header must be 8–128 printable ASCII characters")
	}
	var req checkoutReq
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	req.Email = strings.TrimSpace(req.Email)
	switch {
	case signedIn && req.Email != "":
		req.Payment.CardNumber = ""
		return httpx.Invalid(httpx.FieldError{Field: "email", Reason: "must not be sent when signed in: the order goes to the account's address"})
	case !signedIn && ordering.ValidateEmail(req.Email) != nil:
		req.Payment.CardNumber = ""
		return httpx.Invalid(httpx.FieldError{Field: "email", Reason: "is required to check out without an account, as a valid address"})
	}
	if err := ordering.ValidateAddress(req.ShippingAddress); err != nil {
		req.Payment.CardNumber = ""
		return httpx.Invalid(httpx.FieldError{Field: "shippingAddress", Reason: "needs name, line1, city, postalCode and a two-letter country code"})
	}
	if _, err := ordering.NormalizeVATID(req.VATID); err != nil {
		req.Payment.CardNumber = ""
		return httpx.Invalid(httpx.FieldError{Field: "vatId", Reason: "must be a two-letter country prefix and 2 to 13 letters or digits"})
	}
	if len(req.ShippingMethod) > 32 {
		req.Payment.CardNumber = ""
		return httpx.Invalid(httpx.FieldError{Field: "shippingMethod", Reason: "is not a shipping method"})
	}
	if !slices.Contains(a.d.PaymentMethods, req.Payment.Method) {
		req.Payment.CardNumber = ""
		return httpx.Invalid(httpx.FieldError{Field: "payment.method", Reason: "must be one this shop accepts: " + strings.Join(a.d.PaymentMethods, ", ")})
	}
	im, err := ifMatch(c)
	if err != nil {
		return err
	}
	cmd := basketcmd.CheckOut{CustomerID: p.UserID, Email: p.Email, IdempotencyKey: key, ShippingAddress: req.ShippingAddress, IfMatch: im,
		ShippingMethod: req.ShippingMethod, VATID: req.VATID}
	if !signedIn {
		id, ok, err := a.basketID(c, false)
		if err != nil {
			return err
		}
		if !ok {
			return httpx.Conflict("the basket is empty")
		}
		cmd.Guest, cmd.Email = id, req.Email
	}
	pay := ordering.PaymentDTO{Method: req.Payment.Method}
	switch req.Payment.Method {
	case "sandbox":
		if a.d.Tokenizer == nil {
			return httpx.Invalid(httpx.FieldError{Field: "payment.method", Reason: "is not available"})
		}
		card, err := a.d.Tokenizer.Tokenize(c.UserContext(), req.Payment.CardNumber)
		req.Payment.CardNumber = "" // no longer needed anywhere
		if err != nil {
			return httpx.Invalid(httpx.FieldError{Field: "payment.cardNumber", Reason: "is not a valid card"})
		}
		pay.Token, pay.Last4 = card.Token, card.Last4
	case "stripe", "paypal":
		if req.Payment.CardNumber != "" {
			return httpx.Invalid(httpx.FieldError{Field: "payment.cardNumber", Reason: "must not be sent for this method"})
		}
	default:
		return httpx.Invalid(httpx.FieldError{Field: "payment.method", Reason: "must be sandbox, stripe or paypal"})
	}
	cmd.Payment = pay
	orderID, st, err := a.d.Commands.CheckOut(withMeta(c), cmd)
	if err != nil {
		var pc *basketcmd.PricesChanged
		if errors.As(err, &pc) {
			c.Set(fiber.HeaderETag, etag(st.Version)) // the repriced basket: confirm against it
			return sendPricesChanged(c, pc)
		}
		if r, ok := basketcmd.RefusalOf(err); ok {
			return sendRefusal(c, r)
		}
		return problem(err)
	}
	c.Set(fiber.HeaderETag, etag(st.Version))
	resp := checkoutResp{OrderID: orderID}
	if signedIn {
		c.Set(fiber.HeaderLocation, "/api/orders/"+orderID)
	} else {
		resp.StatusToken = a.d.OrderLinks.Token(orderID)
		resp.StatusURL = guestorder.StatusPath(orderID, resp.StatusToken)
		c.Set(fiber.HeaderLocation, "/api/orders/"+orderID+"?token="+resp.StatusToken)
	}
	return c.Status(fiber.StatusAccepted).JSON(resp)
}

// changedLine is one entry of the price-change problem's changedLines.
type changedLine struct {
	SKU          string     `json:"sku"`
	Name         string     `json:"name"`
	Quantity     int        `json:"quantity"`
	OldUnitPrice money.DTO  `json:"oldUnitPrice"`
	NewUnitPrice *money.DTO `json:"newUnitPrice"` // null: removed
	Removed      bool       `json:"removed"`
}

// priceProblem is the 409 problem of a checkout whose prices changed, with
// the changed lines as an extension member.
type priceProblem struct {
	*httpx.Problem
	ChangedLines []changedLine `json:"changedLines"`
}

// sendPricesChanged answers 409 problem+json with the changed lines as the
// extension member changedLines.
func sendPricesChanged(c *fiber.Ctx, pc *basketcmd.PricesChanged) error {
	out := priceProblem{Problem: httpx.Conflict("prices changed since these lines were added: the basket now holds the current prices; check out again to accept them"),
		ChangedLines: make([]changedLine, len(pc.Lines))}
	for i, l := range pc.Lines {
		cl := changedLine{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, OldUnitPrice: l.Old.DTO(), Removed: l.Removed}
		if !l.Removed {
			n := l.New.DTO()
			cl.NewUnitPrice = &n
		}
		out.ChangedLines[i] = cl
	}
	return sendExtended(c, out.Problem, out)
}

// refusalProblem is a refused discount code: 409 when other buyers' uses
// refused it (used up, the customer's limit), else 422; reason is the
// stable machine name.
type refusalProblem struct {
	*httpx.Problem
	Reason string `json:"reason"`
}

func sendRefusal(c *fiber.Ctx, r basketcmd.DiscountRefusal) error {
	p := httpx.NewProblem(fiber.StatusUnprocessableEntity, r.Error())
	if r.Conflict() {
		p = httpx.Conflict(r.Error())
	}
	p.Type = admindiscounts.ProblemTypePrefix + r.Reason() // as the admin API types them
	return sendExtended(c, p, refusalProblem{Problem: p, Reason: r.Reason()})
}

// sendExtended writes body, a problem (p) with extension members, as
// problem+json (httpx's Problem has no room for them).
func sendExtended(c *fiber.Ctx, p *httpx.Problem, body any) error {
	p.Instance = c.Path()
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, httpx.ContentTypeProblem)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(raw)
}

type discountReq struct {
	Code string `json:"code"`
}

// applyDiscount puts a code in the caller's basket (a guest's too).
func (a *API) applyDiscount(c *fiber.Ctx) error {
	var req discountReq
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	code := strings.TrimSpace(req.Code)
	if code == "" || len(code) > basketcmd.MaxCodeLength {
		return httpx.Invalid(httpx.FieldError{Field: "code", Reason: fmt.Sprintf("must be 1 to %d characters", basketcmd.MaxCodeLength)})
	}
	im, err := ifMatch(c)
	if err != nil {
		return err
	}
	id, ok, err := a.basketID(c, false)
	if err != nil {
		return err
	}
	if !ok {
		return httpx.Conflict("the basket is empty")
	}
	p, _ := authn.FromCtx(c)
	st, err := a.d.Commands.ApplyDiscount(withMeta(c), basketcmd.ApplyDiscount{BasketID: id, Code: code, CustomerKey: p.UserID, IfMatch: im})
	if errors.Is(err, basketcmd.ErrNoDiscounts) {
		p := httpx.NewProblem(fiber.StatusUnprocessableEntity, "there is no such discount code")
		p.Type = admindiscounts.ProblemTypePrefix + basketcmd.ReasonUnknown
		return sendExtended(c, p, refusalProblem{Problem: p, Reason: basketcmd.ReasonUnknown})
	}
	if r, ok := basketcmd.RefusalOf(err); ok {
		return sendRefusal(c, r)
	}
	if err != nil {
		return problem(err)
	}
	return a.send(c, fiber.StatusOK, viewOf(st), false)
}

func (a *API) removeDiscount(c *fiber.Ctx) error {
	none := func() error { return httpx.NotFound("the basket holds no discount code") }
	return a.write(c, none, func(ctx context.Context, id domain.ID, im *uint64) (basketcmd.State, error) {
		return a.d.Commands.RemoveDiscount(ctx, basketcmd.RemoveDiscount{BasketID: id, IfMatch: im})
	})
}

func (a *API) merge(c *fiber.Ctx) error {
	p, _ := authn.FromCtx(c)
	tok := c.Cookies(a.guestCookie())
	if tok == "" {
		return c.SendStatus(fiber.StatusNoContent)
	}
	if _, err := domain.GuestBasket(tok); err != nil {
		a.setGuestCookie(c, "", 0)
		return c.SendStatus(fiber.StatusNoContent)
	}
	st, err := a.d.Commands.MergeGuestBasket(withMeta(c), tok, p.UserID)
	if err != nil {
		return problem(err)
	}
	a.setGuestCookie(c, "", 0)
	c.Set(fiber.HeaderETag, etag(st.Version))
	return c.SendStatus(fiber.StatusNoContent)
}
