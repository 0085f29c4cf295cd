// Package recommendations keeps, per customer, what they ordered (SKUs,
// categories, whether paid) from ordering.OrderPlaced.v1 and
// ordering.OrderPaid.v1, and turns it, with the customer's favourite
// categories, into product suggestions for the storefront's home page.
//
// Idempotency: every event becomes an insert keyed by order id (one
// collection for placed orders, one for paid ones). Re-delivery or a replay
// from position zero inserts nothing new; events of one order may arrive in
// any order. The stored position tells how far the projection got.
package recommendations

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	cmdorder "github.com/evshop/shop/commands/ordering"
	domaincatalog "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// HandlerName is the projector's stable name (its durable queue).
const HandlerName = "recommendations.order-history"

// Line is one purchased line.
type Line struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Quantity int    `json:"quantity"`
}

// Order is what the projection keeps of an order.
type Order struct {
	OrderID    string    `json:"orderId"`
	CustomerID string    `json:"customerId"`
	Lines      []Line    `json:"lines"`
	PlacedAt   time.Time `json:"placedAt"`
	Paid       bool      `json:"paid"`
	Position   uint64    `json:"-"`
}

// Store is the projection's port; storetest holds its contract.
type Store interface {
	// AddOrder stores a placed order unless it is stored already.
	AddOrder(ctx context.Context, o Order) error
	// MarkPaid records that the order was paid (idempotent; the order
	// itself may arrive later).
	MarkPaid(ctx context.Context, orderID string, position uint64) error
	// Orders returns the customer's most recent orders (newest first, at
	// most limit), with Paid filled in.
	Orders(ctx context.Context, customerID string, limit int) ([]Order, error)
	// Forget deletes the customer's orders (personal-data erasure).
	Forget(ctx context.Context, customerID string) error
	// Position is the highest event position applied (for lag reporting).
	Position(ctx context.Context) (uint64, error)
}

// Paid is a payment mark for BatchStore.
type Paid struct {
	OrderID  string
	Position uint64
}

// BatchStore is a Store that stores many orders and payment marks at once
// (bulk, unordered, duplicates ignored) and then its checkpoint, so a
// catch-up runner resumes after the last whole batch.
type BatchStore interface {
	AddBatch(ctx context.Context, orders []Order, paid []Paid, position uint64) error
	// Checkpoint is the position of the last whole batch (else Position).
	Checkpoint(ctx context.Context) (uint64, error)
}

// Projector applies ordering events to a Store.
type Projector struct {
	store Store
	// Malformed, when set, hears of each event ApplyBatch skipped because it
	// does not decode (Handle reports those as permanent errors).
	Malformed func(ev eventstore.RecordedEvent, err error)
}

// NewProjector returns a projector writing to store.
func NewProjector(store Store) *Projector { return &Projector{store: store} }

// Name is HandlerName.
func (p *Projector) Name() string { return HandlerName }

// Filter selects the events the projector needs.
func (p *Projector) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{ordering.StreamPrefix}, EventTypes: []string{ordering.EventOrderPlaced, ordering.EventOrderPaid}}
}

// EventHandler is the projector's bus subscription.
func (p *Projector) EventHandler() messaging.EventHandler {
	return messaging.EventHandler{Name: HandlerName, Types: p.Filter().EventTypes, Handle: p.Handle}
}

// Handle applies one event; other types are ignored.
func (p *Projector) Handle(ctx context.Context, e eventstore.RecordedEvent) error {
	o, paid, err := decode(e)
	switch {
	case err != nil:
		return err
	case o != nil:
		return p.store.AddOrder(ctx, *o)
	case paid != nil:
		return p.store.MarkPaid(ctx, paid.OrderID, paid.Position)
	}
	return nil
}

// ApplyBatch stores the orders and payments among evs in one bulk write
// when the store can, else one by one. The catch-up runner
// (projections/catchup) calls it.
func (p *Projector) ApplyBatch(ctx context.Context, evs []eventstore.RecordedEvent) error {
	var orders []Order
	var paid []Paid
	var top uint64
	for _, e := range evs {
		top = max(top, e.Position)
		o, pd, err := decode(e)
		switch {
		case err != nil:
			if p.Malformed != nil {
				p.Malformed(e, err)
			}
		case o != nil:
			orders = append(orders, *o)
		case pd != nil:
			paid = append(paid, *pd)
		}
	}
	if b, ok := p.store.(BatchStore); ok {
		return b.AddBatch(ctx, orders, paid, top)
	}
	for _, o := range orders {
		if err := p.store.AddOrder(ctx, o); err != nil {
			return err
		}
	}
	for _, pd := range paid {
		if err := p.store.MarkPaid(ctx, pd.OrderID, pd.Position); err != nil {
			return err
		}
	}
	return nil
}

// Checkpoint is where a catch-up runner resumes.
func (p *Projector) Checkpoint(ctx context.Context) (uint64, error) {
	if b, ok := p.store.(BatchStore); ok {
		return b.Checkpoint(ctx)
	}
	return p.store.Position(ctx)
}

// decode turns an event into an order to add or a payment mark.
func decode(e eventstore.RecordedEvent) (*Order, *Paid, error) {
	if !orderEvents.Knows(e.Type) {
		return nil, nil, nil
	}
	decoded, err := messaging.DecodeRecorded(orderEvents, e)
	if err != nil {
		return nil, nil, fmt.Errorf("recommendations: %w", err)
	}
	switch ev := decoded.(type) {
	case ordering.OrderPlaced:
		if ev.OrderID == "" || ev.CustomerID == "" {
			return nil, nil, messaging.Permanent(fmt.Errorf("recommendations: %s without order or customer id", e.ID))
		}
		o := Order{OrderID: ev.OrderID, CustomerID: ev.CustomerID, PlacedAt: ev.PlacedAt.UTC(), Position: e.Position, Lines: []Line{}}
		if o.PlacedAt.IsZero() {
			o.PlacedAt = e.Time.UTC()
		}
		for _, l := range ev.Lines {
			o.Lines = append(o.Lines, Line{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity})
		}
		return &o, nil, nil
	case ordering.OrderPaid:
		if ev.OrderID == "" {
			return nil, nil, messaging.Permanent(fmt.Errorf("recommendations: %s without order id", e.ID))
		}
		return nil, &Paid{OrderID: ev.OrderID, Position: e.Position}, nil
	}
	return nil, nil, nil
}

// orderEvents decodes the ordering events. It is a fixed table, built once.
var orderEvents = cmdorder.Codec()

// Products is the catalog query the recommender needs (*catalog.Service).
type Products interface {
	List(ctx context.Context, q domaincatalog.Query) (domaincatalog.Page, error)
}

// Recommender suggests products.
type Recommender struct {
	store    Store
	products Products
}

// NewRecommender validates its dependencies.
func NewRecommender(store Store, products Products) (*Recommender, error) {
	if store == nil || products == nil {
		return nil, errors.New("recommendations: NewRecommender needs a store and a product query")
	}
	return &Recommender{store: store, products: products}, nil
}

// History lookback and category fan-out bounds.
const (
	historyOrders  = 50
	maxCategories  = 4
	DefaultLimit   = 8
	MaxLimit       = 24
	favouriteScore = 1000 // favourites rank above anything bought
)

// Recommend returns up to limit products on sale and in stock: first from
// the favourite categories (in the customer's order), then from the
// categories bought most (paid orders count double), then the newest
// products, never one the customer already bought.
func (r *Recommender) Recommend(ctx context.Context, customerID string, favourites []string, limit int) ([]domaincatalog.Product, error) {
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	orders, err := r.store.Orders(ctx, customerID, historyOrders)
	if err != nil {
		return nil, err
	}
	bought := map[string]bool{}
	score := map[string]int{}
	for i, f := range favourites {
		score[f] = favouriteScore - i
	}
	for _, o := range orders {
		w := 1
		if o.Paid {
			w = 2
		}
		for _, l := range o.Lines {
			bought[l.SKU] = true
			if l.Category != "" && score[l.Category] < favouriteScore-MaxLimit {
				score[l.Category] += w
			}
		}
	}
	cats := make([]string, 0, len(score))
	for c := range score {
		cats = append(cats, c)
	}
	slices.SortFunc(cats, func(a, b string) int {
		if c := cmp.Compare(score[b], score[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if len(cats) > maxCategories {
		cats = cats[:maxCategories]
	}
	var out []domaincatalog.Product
	seen := map[string]bool{}
	add := func(in domaincatalog.QueryInput) error {
		q, err := domaincatalog.NewQuery(in)
		if err != nil {
			return nil // a favourite that is no category name any more
		}
		pg, err := r.products.List(ctx, q)
		if err != nil {
			return err
		}
		for _, p := range pg.Items {
			k := p.SKU().String()
			if len(out) == limit || seen[k] || bought[k] || p.Available() <= 0 {
				continue
			}
			seen[k] = true
			out = append(out, p)
		}
		return nil
	}
	for _, c := range cats {
		if err := add(domaincatalog.QueryInput{Category: c, Sort: string(domaincatalog.SortNewest), PageSize: limit * 2}); err != nil {
			return nil, err
		}
	}
	if len(out) < limit {
		if err := add(domaincatalog.QueryInput{Sort: string(domaincatalog.SortNewest), PageSize: domaincatalog.MaxPageSize}); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []domaincatalog.Product{}
	}
	return out, nil
}

// History adapts the store to the client service's export/erasure port.
type History struct{ Store Store }

// Export returns the customer's order history as kept here.
func (h History) Export(ctx context.Context, customerID string) (any, error) {
	return h.Store.Orders(ctx, customerID, 1000)
}

// Forget deletes the customer's history.
func (h History) Forget(ctx context.Context, customerID string) error {
	return h.Store.Forget(ctx, customerID)
}
