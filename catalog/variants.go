package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	domain "github.com/evshop/shop/domain/catalog"
)

// Family returns the product sku names and every SKU of its family
// (archived ones included, domain.SortFamily order), through the cache;
// with a StockOverlay store, the stock figures of all of them are read
// afresh in one query when any came from the cache.
func (s *Service) Family(ctx context.Context, sku string) (domain.Product, []domain.Product, error) {
	k, err := domain.NewSKU(sku)
	if err != nil {
		return domain.Product{}, nil, err
	}
	p, pHit, err := s.cachedProduct(ctx, k)
	if err != nil {
		return domain.Product{}, nil, err
	}
	id := p.ProductID()
	recs, fHit, err := cached(ctx, s, detailScope, "family:"+id.String(), func() ([]record, error) {
		vs, err := s.store.Family(ctx, id)
		if err != nil {
			return nil, err
		}
		out := make([]record, len(vs))
		for i, v := range vs {
			out[i] = toRecord(v)
		}
		return out, nil
	})
	if err != nil {
		return domain.Product{}, nil, err
	}
	family := make([]domain.Product, len(recs))
	for i, r := range recs {
		if family[i], err = r.product(); err != nil {
			return domain.Product{}, nil, err
		}
	}
	if s.overlay == nil || !pHit && !fHit {
		return p, family, nil
	}
	// One read for all, so the product and its entry in the family agree.
	at := slices.IndexFunc(family, func(v domain.Product) bool { return v.SKU() == p.SKU() })
	all := family
	if at < 0 {
		all = append(slices.Clip(family), p)
	}
	if all, err = s.overlay.WithStock(ctx, all); err != nil {
		return domain.Product{}, nil, err
	}
	if at < 0 {
		return all[len(all)-1], all[:len(all)-1], nil
	}
	// The product as read (its details may be newer than the family's
	// entry), with the family's fresh counts.
	if p, err = withCountsOf(p, all[at]); err != nil {
		return domain.Product{}, nil, err
	}
	return p, all, nil
}

// withCountsOf returns p with the stock figures of from.
func withCountsOf(p, from domain.Product) (domain.Product, error) {
	st := p.State()
	st.OnHand, st.Reserved = from.OnHand(), from.Reserved()
	return domain.RestoreProduct(st)
}

// NewVariantInput is a new variant of an existing product.
type NewVariantInput struct {
	domain.VariantInput
	// SKU is the new variant's SKU (VariantInput.SKU is set from it).
	SKU string
	// Stock is its units on hand.
	Stock int
	// ProductOptions gives the product's existing SKU its option values
	// when it has none yet (a single-SKU product getting its first
	// variant); it must be nil otherwise.
	ProductOptions []domain.Option
}

// lockFamily serialises this service's changes of one family's variants,
// so two admins adding the same combination at once cannot both pass the
// uniqueness check here (another process could still race: the check is
// not a store constraint, see the package doc of domain/catalog).
func (s *Service) lockFamily(id domain.SKU) func() {
	mu, _ := s.familyLocks.LoadOrStore(id.String(), &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	return mu.(*sync.Mutex).Unlock
}

// CreateVariant adds a SKU to the family of the product baseSKU.
func (s *Service) CreateVariant(ctx context.Context, baseSKU string, in NewVariantInput) (domain.Product, error) {
	k, err := domain.NewSKU(baseSKU)
	if err != nil {
		return domain.Product{}, err
	}
	if in.VariantInput.SKU, err = domain.NewSKU(in.SKU); err != nil {
		return domain.Product{}, err
	}
	base, err := s.store.Get(ctx, k)
	if err != nil {
		return domain.Product{}, err
	}
	defer s.lockFamily(base.ProductID())()
	family, err := s.store.Family(ctx, base.ProductID())
	if err != nil {
		return domain.Product{}, err
	}
	defer s.invalidate(ctx)
	unnamed := len(family) == 1 && len(family[0].Options()) == 0
	switch {
	case unnamed && in.ProductOptions == nil:
		return domain.Product{}, &domain.InvalidField{Field: "productOptions", Reason: fmt.Sprintf("%s has no options yet: give its own values too (e.g. the size it is)", family[0].SKU())}
	case !unnamed && in.ProductOptions != nil:
		return domain.Product{}, &domain.InvalidField{Field: "productOptions", Reason: fmt.Sprintf("%s has options already; change them with PUT", family[0].SKU())}
	case unnamed:
		// The new variant must fit beside the product's own values: check
		// it against them before writing either.
		cur := family[0]
		named, err := cur.Edit(cur.Details(), &in.ProductOptions, family, s.now())
		var fe *domain.InvalidField
		if errors.As(err, &fe) && fe.Field == "options" {
			return domain.Product{}, &domain.InvalidField{Field: "productOptions", Reason: fe.Reason}
		}
		if err != nil {
			return domain.Product{}, err
		}
		if _, err := domain.NewVariant(named, []domain.Product{named}, in.VariantInput, in.Stock, s.now()); err != nil {
			return domain.Product{}, err
		}
		if err := s.store.Update(ctx, named, cur.Version()); err != nil {
			return domain.Product{}, err
		}
		family[0] = named
		if base.SKU() == named.SKU() {
			base = named
		}
	}
	v, err := domain.NewVariant(base, family, in.VariantInput, in.Stock, s.now())
	if err != nil {
		return domain.Product{}, err
	}
	if err := s.store.Insert(ctx, v); err != nil {
		return domain.Product{}, err
	}
	return v, nil
}

// UpdateVariant replaces a SKU's details and, when opts is not nil, its
// option values. The family-wide fields (name, description, category, tax
// class) are copied to its sibling SKUs, so a family never shows two names.
func (s *Service) UpdateVariant(ctx context.Context, sku string, d domain.Details, opts *[]domain.Option, expectedVersion int64) (domain.Product, error) {
	k, err := domain.NewSKU(sku)
	if err != nil {
		return domain.Product{}, err
	}
	cur, err := s.store.Get(ctx, k)
	if err != nil {
		return domain.Product{}, err
	}
	defer s.lockFamily(cur.ProductID())()
	family, err := s.store.Family(ctx, cur.ProductID())
	if err != nil {
		return domain.Product{}, err
	}
	p, err := s.change(ctx, sku, expectedVersion, func(p domain.Product) (domain.Product, error) {
		return p.Edit(d, opts, family, s.now())
	})
	if err != nil || len(family) == 1 {
		return p, err
	}
	shared := p.Details()
	var errs []error
	for _, sib := range family {
		if sib.SKU() == p.SKU() {
			continue
		}
		if _, err := s.change(ctx, sib.SKU().String(), 0, func(v domain.Product) (domain.Product, error) {
			return v.WithShared(shared, s.now())
		}); err != nil {
			errs = append(errs, fmt.Errorf("copy to %s: %w", sib.SKU(), err))
		}
	}
	if len(errs) > 0 {
		// The edited SKU is saved; saving it again copies the fields anew.
		s.log.ErrorContext(ctx, "family fields not copied to every variant", "sku", p.SKU().String(), "error", errors.Join(errs...))
	}
	return p, nil
}
