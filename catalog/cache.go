package catalog

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
)

// Cache is the key/value cache the Service reads through (Redis in server
// mode, memory in the embedded shop). It is never a source of truth: every
// failure falls back to the store.
type Cache interface {
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Incr(ctx context.Context, key string) (int64, error)
}

// Every cached read is keyed by the catalog generation, a counter bumped
// after each write. A reader that loaded old data before a write stores it
// under the old generation, which nobody reads any more, so the classic
// cache-aside race (stale value written back after the invalidation) cannot
// serve stale data. Old keys expire by TTL.
//
// When the store keeps stock apart (StockOverlay), a write that changes
// stock alone bumps stockGenKey instead: product details (Get, Family) are
// keyed by genKey only and get their counts overlaid at read time, while
// what embeds stock figures without an overlay (List, View) is keyed by
// both counters, each read before loading, so the same argument holds for
// either kind of write. Without an overlay every write bumps genKey.
const (
	genKey      = "catalog:gen"
	stockGenKey = "catalog:stockgen"
)

// scope says which writes make a cached read stale.
type scope int

const (
	// detailScope: detail writes, and stock writes unless the store
	// overlays stock (product details, categories).
	detailScope scope = iota
	// stockScope: every write (pages and rendered views, which carry
	// stock figures).
	stockScope
)

// counter reads one generation counter; false when the cache is off or
// failing.
func (s *Service) counter(ctx context.Context, key string) (string, bool) {
	if s.cache == nil {
		return "", false
	}
	b, ok, err := s.cache.Get(ctx, key)
	switch {
	case err != nil:
		s.log.WarnContext(ctx, "catalog cache unavailable", "err", err)
		return "", false
	case !ok:
		return "0", true
	}
	if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
		return "", false
	}
	return string(b), true
}

// generation returns the generation reads of scope sc are keyed by.
func (s *Service) generation(ctx context.Context, sc scope) (string, bool) {
	gen, ok := s.counter(ctx, genKey)
	if !ok || sc == detailScope || s.overlay == nil {
		return gen, ok
	}
	stock, ok := s.counter(ctx, stockGenKey)
	if !ok {
		return "", false
	}
	return gen + "." + stock, true
}

// invalidate bumps the generation after a write. A failure is logged: the
// TTL bounds how long a stale entry may then live.
func (s *Service) invalidate(ctx context.Context) {
	s.bump(ctx, genKey)
}

// stockChanged is invalidate for a write that changed stock counts only
// (reserve, release, commit, stock movements): with a StockOverlay store
// the cached product details stay, their counts being read afresh anyway.
func (s *Service) stockChanged(ctx context.Context) {
	if s.overlay == nil {
		s.bump(ctx, genKey)
		return
	}
	s.bump(ctx, stockGenKey)
}

func (s *Service) bump(ctx context.Context, key string) {
	if s.cache == nil {
		return
	}
	if _, err := s.cache.Incr(ctx, key); err != nil {
		s.log.WarnContext(ctx, "catalog cache invalidation failed", "err", err)
	}
}

// cached runs load through the cache under key (prefixed by the generation
// of sc); hit reports that the value came from the cache.
func cached[T any](ctx context.Context, s *Service, sc scope, key string, load func() (T, error)) (v T, hit bool, err error) {
	gen, ok := s.generation(ctx, sc)
	if !ok {
		v, err = load()
		return v, false, err
	}
	full := "catalog:" + gen + ":" + key
	if b, ok, err := s.cache.Get(ctx, full); err != nil {
		s.log.WarnContext(ctx, "catalog cache read failed", "err", err)
	} else if ok {
		var v T
		if err := json.Unmarshal(b, &v); err == nil {
			s.hits.Add(1)
			return v, true, nil
		}
	}
	s.misses.Add(1)
	if v, err = load(); err != nil {
		return v, false, err
	}
	if b, err := json.Marshal(v); err == nil {
		if err := s.cache.Set(ctx, full, b, s.ttl); err != nil {
			s.log.WarnContext(ctx, "catalog cache write failed", "err", err)
		}
	}
	return v, false, nil
}

// record is the cached JSON shape of a product.
type record struct {
	SKU         string          `json:"sku"`
	ProductID   string          `json:"productId,omitempty"`
	Options     []domain.Option `json:"options,omitempty"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Category    string          `json:"category"`
	Attributes  map[string]any  `json:"attributes"`
	Price       money.DTO       `json:"price"`
	Images      []string        `json:"images"`
	TaxClass    string          `json:"taxClass,omitempty"`
	WeightGrams int             `json:"weightGrams,omitempty"`
	OnHand      int             `json:"onHand"`
	Reserved    int             `json:"reserved"`
	Archived    bool            `json:"archived"`
	CreatedAt   time.Time       `json:"createdAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
	Version     int64           `json:"version"`
}

func toRecord(p domain.Product) record {
	st := p.State()
	return record{SKU: st.SKU, ProductID: st.ProductID, Options: st.Options, Name: st.Name, Description: st.Description, Category: st.Category, Attributes: st.Attributes,
		Price: st.Price.DTO(), Images: st.Images, TaxClass: st.TaxClass, WeightGrams: st.WeightGrams, OnHand: st.OnHand, Reserved: st.Reserved, Archived: st.Archived,
		CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt, Version: st.Version}
}

func (r record) product() (domain.Product, error) {
	price, err := money.FromDTO(r.Price)
	if err != nil {
		return domain.Product{}, err
	}
	return domain.RestoreProduct(domain.State{SKU: r.SKU, ProductID: r.ProductID, Options: r.Options, Name: r.Name, Description: r.Description, Category: r.Category,
		Attributes: r.Attributes, Price: price, Images: r.Images, TaxClass: r.TaxClass, WeightGrams: r.WeightGrams, OnHand: r.OnHand, Reserved: r.Reserved, Archived: r.Archived,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version})
}

type pageRecord struct {
	Items    []record       `json:"items"`
	Families []familyRecord `json:"families"`
	Page     int            `json:"page"`
	PageSize int            `json:"pageSize"`
	Total    int            `json:"total"`
}

// familyRecord is the cached JSON shape of a domain.FamilySummary.
type familyRecord struct {
	ProductID string    `json:"productId"`
	FromPrice money.DTO `json:"fromPrice"`
	ToPrice   money.DTO `json:"toPrice"`
	Variants  int       `json:"variants"`
	Available int       `json:"available"`
}

func (f familyRecord) summary() (domain.FamilySummary, error) {
	from, err := money.FromDTO(f.FromPrice)
	if err != nil {
		return domain.FamilySummary{}, err
	}
	to, err := money.FromDTO(f.ToPrice)
	if err != nil {
		return domain.FamilySummary{}, err
	}
	return domain.FamilySummary{ProductID: f.ProductID, FromPrice: from, ToPrice: to, Variants: f.Variants, Available: f.Available}, nil
}

// The rendered views kept in process are bounded in number and in bytes (a
// catalog page per query and one per product: a few hundred in practice; a
// spray of distinct queries empties the map rather than growing it).
const (
	maxViews     = 4096
	maxViewBytes = 16 << 20
)

// views are rendered response bodies of the current generation, kept in
// process: a hit costs the generation read and a map lookup, with nothing
// decoded or encoded. A new generation empties them.
type views struct {
	mu    sync.RWMutex
	gen   string
	m     map[string][]byte
	bytes int
}

// View returns what render produces for key, kept per catalog generation
// like every cached read, so a write anywhere (any process), stock changes
// included, makes the next View render afresh. render's errors are returned and never kept. Without
// a cache (no generation to key by) every call renders. The bytes returned
// are shared: callers must not modify them.
func (s *Service) View(ctx context.Context, key string, render func() ([]byte, error)) ([]byte, error) {
	gen, ok := s.generation(ctx, stockScope)
	if !ok {
		return render()
	}
	s.views.mu.RLock()
	b, hit := s.views.m[key]
	hit = hit && s.views.gen == gen
	s.views.mu.RUnlock()
	if hit {
		s.hits.Add(1)
		return b, nil
	}
	b, err := render()
	if err != nil {
		return nil, err
	}
	s.views.mu.Lock()
	if s.views.gen != gen || len(s.views.m) >= maxViews || s.views.bytes+len(b) > maxViewBytes {
		s.views.gen, s.views.m, s.views.bytes = gen, map[string][]byte{}, 0
	}
	if _, ok := s.views.m[key]; !ok {
		s.views.bytes += len(key) + len(b)
	}
	s.views.m[key] = b
	s.views.mu.Unlock()
	return b, nil
}
