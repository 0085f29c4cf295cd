package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/evshop/shop/catalog/stockmoves"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
)

// Config configures a Service.
type Config struct {
	Store Store
	// Cache is optional; nil reads the store every time.
	Cache Cache
	// CacheTTL bounds the life of a cache entry; default 5 minutes.
	CacheTTL time.Duration
	Log      *slog.Logger
	Now      func() time.Time
	// Events, when set, receives StockRestocked when an adjustment brings a
	// SKU back from none available (the back-in-stock emails).
	Events EventAppender
	// Moves is the history of stock movements (catalog/stockmoves). When
	// Store implements StockMover, Moves must be the log in that store's
	// database. Nil: movements are not recorded (services that only read).
	Moves stockmoves.Log
}

// Service is the catalog's use cases.
type Service struct {
	store Store
	// overlay is store as a StockOverlay, nil when it keeps stock in the
	// product documents (cache.go).
	overlay StockOverlay
	events  EventAppender
	moves   stockmoves.Log
	cache   Cache
	ttl     time.Duration
	log     *slog.Logger
	now     func() time.Time
	hits    atomic.Int64
	misses  atomic.Int64
	views   views
	// familyLocks: product id → *sync.Mutex (variants.go).
	familyLocks sync.Map
}

// New validates cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("catalog: Config.Store is required")
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 5 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	overlay, _ := cfg.Store.(StockOverlay)
	return &Service{store: cfg.Store, overlay: overlay, events: cfg.Events, moves: cfg.Moves, cache: cfg.Cache, ttl: cfg.CacheTTL,
		log: cfg.Log.With("component", "catalog"), now: cfg.Now}, nil
}

// CacheStats reports cache hits and misses since start (tests, metrics).
func (s *Service) CacheStats() (hits, misses int64) { return s.hits.Load(), s.misses.Load() }

// Get returns a product by SKU, archived ones included. With a
// StockOverlay store its details may come from the cache across stock
// changes; its stock figures are always read afresh.
func (s *Service) Get(ctx context.Context, sku string) (domain.Product, error) {
	k, err := domain.NewSKU(sku)
	if err != nil {
		return domain.Product{}, err
	}
	p, hit, err := s.cachedProduct(ctx, k)
	if err != nil || !hit || s.overlay == nil {
		return p, err
	}
	ps, err := s.overlay.WithStock(ctx, []domain.Product{p})
	if err != nil {
		return domain.Product{}, err
	}
	return ps[0], nil
}

// cachedProduct reads a product through the cache; hit reports that it came
// from the cache, its stock figures then being stale with a StockOverlay
// store (they are fresh from the store otherwise).
func (s *Service) cachedProduct(ctx context.Context, k domain.SKU) (domain.Product, bool, error) {
	r, hit, err := cached(ctx, s, detailScope, "product:"+k.String(), func() (record, error) {
		p, err := s.store.Get(ctx, k)
		if err != nil {
			return record{}, err
		}
		return toRecord(p), nil
	})
	if err != nil {
		return domain.Product{}, false, err
	}
	p, err := r.product()
	return p, hit, err
}

// ProductSnapshot is what the basket needs to know about a product: its
// details, not its stock (a basket takes any quantity; the checkout's
// reservation decides).
type ProductSnapshot struct {
	SKU string
	// Name is the display name: a variant's carries its option label
	// ("Tee — M / Red"), so basket, order, invoice, emails and exports
	// show which variant a line is without a field of their own.
	Name     string
	Category string
	Price    money.Money
	Archived bool
	// TaxClass and WeightGrams price the line's tax and shipping.
	TaxClass    string
	WeightGrams int
}

// Lookup returns the basket's view of a product (domain.ErrNotFound wrapped
// when absent). It reads no stock: with a StockOverlay store it comes from
// the cache across the stock changes of every checkout.
func (s *Service) Lookup(ctx context.Context, sku string) (ProductSnapshot, error) {
	k, err := domain.NewSKU(sku)
	if err != nil {
		return ProductSnapshot{}, err
	}
	p, _, err := s.cachedProduct(ctx, k)
	if err != nil {
		return ProductSnapshot{}, err
	}
	return ProductSnapshot{SKU: p.SKU().String(), Name: p.DisplayName(), Category: p.Category().String(), Price: p.Price(),
		Archived: p.IsArchived(), TaxClass: string(p.TaxClass()), WeightGrams: p.WeightGrams()}, nil
}

// List returns one page of products.
func (s *Service) List(ctx context.Context, q domain.Query) (domain.Page, error) {
	// Pages stay keyed by every write, stock changes included: the
	// family summaries carry availability, and no overlay redoes them.
	r, _, err := cached(ctx, s, stockScope, "list:"+q.Key(), func() (pageRecord, error) {
		pg, err := s.store.List(ctx, q)
		if err != nil {
			return pageRecord{}, err
		}
		out := pageRecord{Page: pg.Page, PageSize: pg.PageSize, Total: pg.Total, Items: make([]record, len(pg.Items)),
			Families: make([]familyRecord, len(pg.Families))}
		for i, p := range pg.Items {
			out.Items[i] = toRecord(p)
		}
		for i, f := range pg.Families {
			out.Families[i] = familyRecord{ProductID: f.ProductID, FromPrice: f.FromPrice.DTO(), ToPrice: f.ToPrice.DTO(), Variants: f.Variants, Available: f.Available}
		}
		return out, nil
	})
	if err != nil {
		return domain.Page{}, err
	}
	pg := domain.Page{Page: r.Page, PageSize: r.PageSize, Total: r.Total, Items: make([]domain.Product, len(r.Items)),
		Families: make([]domain.FamilySummary, len(r.Families))}
	for i, rec := range r.Items {
		if pg.Items[i], err = rec.product(); err != nil {
			return domain.Page{}, err
		}
	}
	for i, f := range r.Families {
		if pg.Families[i], err = f.summary(); err != nil {
			return domain.Page{}, err
		}
	}
	return pg, nil
}

// Categories lists the categories with products on sale.
func (s *Service) Categories(ctx context.Context) ([]domain.CategoryCount, error) {
	// A category counts the families with a SKU not archived: stock
	// changes leave it alone.
	cats, _, err := cached(ctx, s, detailScope, "categories", func() ([]domain.CategoryCount, error) {
		return s.store.Categories(ctx)
	})
	return cats, err
}

// Create adds a product.
func (s *Service) Create(ctx context.Context, sku string, d domain.Details, onHand int) (domain.Product, error) {
	k, err := domain.NewSKU(sku)
	if err != nil {
		return domain.Product{}, err
	}
	p, err := domain.NewProduct(k, d, onHand, s.now())
	if err != nil {
		return domain.Product{}, err
	}
	if err := s.store.Insert(ctx, p); err != nil {
		return domain.Product{}, err
	}
	s.invalidate(ctx)
	return p, nil
}

// Update replaces a product's descriptive fields. expectedVersion 0 means
// "whatever the current version"; otherwise a stale version is a conflict.
// The family-wide fields are copied to the product's other variants
// (UpdateVariant).
func (s *Service) Update(ctx context.Context, sku string, d domain.Details, expectedVersion int64) (domain.Product, error) {
	return s.UpdateVariant(ctx, sku, d, nil, expectedVersion)
}

// Archive withdraws a product from sale; it stays readable for past orders.
func (s *Service) Archive(ctx context.Context, sku string) (domain.Product, error) {
	return s.change(ctx, sku, 0, func(p domain.Product) (domain.Product, error) {
		return p.Archived(s.now()), nil
	})
}

func (s *Service) change(ctx context.Context, sku string, expectedVersion int64, edit func(domain.Product) (domain.Product, error)) (domain.Product, error) {
	k, err := domain.NewSKU(sku)
	if err != nil {
		return domain.Product{}, err
	}
	// A concurrent stock change does not touch the version, so only a
	// concurrent edit conflicts; retry those a few times when the caller
	// did not pin a version.
	for attempt := 0; ; attempt++ {
		cur, err := s.store.Get(ctx, k)
		if err != nil {
			return domain.Product{}, err
		}
		if expectedVersion != 0 && cur.Version() != expectedVersion {
			return domain.Product{}, fmt.Errorf("%w: %s is at version %d, not %d", domain.ErrConflict, k, cur.Version(), expectedVersion)
		}
		next, err := edit(cur)
		if err != nil {
			return domain.Product{}, err
		}
		if next.Version() == cur.Version() {
			return cur, nil
		}
		err = s.store.Update(ctx, next, cur.Version())
		if err == nil {
			s.invalidate(ctx)
			return next, nil
		}
		if !errors.Is(err, domain.ErrConflict) || expectedVersion != 0 || attempt == 3 {
			return domain.Product{}, err
		}
	}
}

// AdjustStock adds delta units on hand (negative to write off), recorded as
// a correction by the system. Staff adjustments go through MoveStock.
func (s *Service) AdjustStock(ctx context.Context, sku string, delta int) (domain.Product, error) {
	p, _, err := s.MoveStock(ctx, stockmoves.Movement{SKU: sku, Delta: delta, Reason: stockmoves.ReasonCorrection})
	return p, err
}

// Reserve holds every line for the order, or nothing. It is idempotent per
// order id: a repeated call returns the first outcome (reserved or failed).
// The returned reservation's status is StatusReserved or StatusFailed (or
// StatusReleased/StatusCommitted when the order moved on already).
func (s *Service) Reserve(ctx context.Context, orderID string, lines []domain.Line) (domain.Reservation, error) {
	want, err := domain.NewReservation(orderID, lines)
	if err != nil {
		return domain.Reservation{}, err
	}
	if os, ok := s.store.(OrderStore); ok {
		defer s.stockChanged(ctx)
		return os.ReserveOrder(ctx, want)
	}
	r, _, err := s.store.CreateReservation(ctx, want)
	if err != nil {
		return domain.Reservation{}, err
	}
	defer s.stockChanged(ctx)
	switch r.Status() {
	case domain.StatusReserved, domain.StatusCommitted:
		return r, nil
	case domain.StatusFailed, domain.StatusReleased:
		// A crash may have left holds behind after the outcome was
		// claimed; giving them back is idempotent.
		return r, s.unholdAll(ctx, r)
	}
	// Pending: this call created it, or resumes one interrupted (or running
	// concurrently: every step below tolerates that).
	var failed []string
	reason := ""
	for _, l := range r.Lines() {
		out, err := s.store.Hold(ctx, r.OrderID(), l)
		if err != nil {
			return domain.Reservation{}, err
		}
		if !out.Held() {
			failed = append(failed, l.SKU().String())
			if reason == "" {
				reason = out.Reason()
			}
			// Keep checking the other lines so the failure names every
			// SKU the shopper must fix, then roll back.
		}
	}
	if len(failed) == 0 {
		got, err := s.store.TransitionReservation(ctx, r.OrderID(), []domain.ReservationStatus{domain.StatusPending}, domain.StatusReserved, "", nil)
		if err != nil {
			return domain.Reservation{}, err
		}
		if got.Status() == domain.StatusReserved || got.Status() == domain.StatusCommitted {
			return got, nil
		}
		// Another attempt claimed failure or the order was released: our
		// holds must go.
		return got, s.unholdAll(ctx, got)
	}
	// Claim the failed outcome first, then roll back; if a concurrent
	// attempt claimed success, its holds (which are ours too) must stay.
	got, err := s.store.TransitionReservation(ctx, r.OrderID(), []domain.ReservationStatus{domain.StatusPending}, domain.StatusFailed, reason, failed)
	if err != nil {
		return domain.Reservation{}, err
	}
	if got.Status() == domain.StatusReserved || got.Status() == domain.StatusCommitted {
		return got, nil
	}
	return got, s.unholdAll(ctx, got)
}

// Release gives back an order's held units. Releasing an order never
// reserved leaves a tombstone so a late Reserve holds nothing; releasing
// twice is a no-op. A committed reservation cannot be released.
func (s *Service) Release(ctx context.Context, orderID string) (domain.Reservation, error) {
	tomb, err := domain.Tombstone(orderID)
	if err != nil {
		return domain.Reservation{}, err
	}
	if os, ok := s.store.(OrderStore); ok {
		defer s.stockChanged(ctx)
		return os.ReleaseOrder(ctx, tomb.OrderID())
	}
	r, created, err := s.store.CreateReservation(ctx, tomb)
	if err != nil || created {
		return r, err
	}
	if r.Status() == domain.StatusCommitted {
		return r, fmt.Errorf("%w: order %s", domain.ErrAlreadyCommitted, r.OrderID())
	}
	if r.Status() == domain.StatusPending || r.Status() == domain.StatusReserved {
		if r, err = s.store.TransitionReservation(ctx, r.OrderID(),
			[]domain.ReservationStatus{domain.StatusPending, domain.StatusReserved}, domain.StatusReleased, "released", nil); err != nil {
			return domain.Reservation{}, err
		}
		if r.Status() == domain.StatusCommitted {
			return r, fmt.Errorf("%w: order %s", domain.ErrAlreadyCommitted, r.OrderID())
		}
	}
	defer s.stockChanged(ctx)
	return r, s.unholdAll(ctx, r)
}

// Commit turns the order's held units into sold ones (on hand drops). It is
// idempotent; an order without an active reservation is ErrNotReserved.
func (s *Service) Commit(ctx context.Context, orderID string) (domain.Reservation, error) {
	id, err := domain.NewOrderID(orderID)
	if err != nil {
		return domain.Reservation{}, err
	}
	if os, ok := s.store.(OrderStore); ok {
		defer s.stockChanged(ctx)
		r, err := os.CommitOrder(ctx, id)
		if err != nil {
			return r, err
		}
		return r, s.recordSales(ctx, r)
	}
	r, err := s.store.TransitionReservation(ctx, id, []domain.ReservationStatus{domain.StatusReserved}, domain.StatusCommitted, "", nil)
	if err != nil {
		return domain.Reservation{}, err
	}
	if r.Status() != domain.StatusCommitted {
		return r, fmt.Errorf("%w: order %s is %s", domain.ErrNotReserved, id, r.Status())
	}
	defer s.stockChanged(ctx)
	// Runs again on a repeated commit: it finishes the work a crash may
	// have interrupted and changes nothing otherwise.
	for _, l := range r.Lines() {
		if err := s.store.Consume(ctx, id, l.SKU()); err != nil {
			return domain.Reservation{}, err
		}
	}
	return r, s.recordSales(ctx, r)
}

func (s *Service) unholdAll(ctx context.Context, r domain.Reservation) error {
	for _, l := range r.Lines() {
		if err := s.store.Unhold(ctx, r.OrderID(), l.SKU()); err != nil {
			return err
		}
	}
	return nil
}
