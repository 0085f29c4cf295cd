package wiring

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	basketcmd "github.com/evshop/shop/commands/basket"
	"github.com/evshop/shop/domain/money"
)

// catalogHTTP looks products up through the catalog service's public API.
// The public endpoint hides archived products, so a 404 covers both unknown
// and archived SKUs.
type catalogHTTP struct {
	base   string
	client *http.Client
}

func newCatalogHTTP(base string) (*catalogHTTP, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("catalog url %q must be an http(s) URL", base)
	}
	return &catalogHTTP{base: strings.TrimRight(base, "/"), client: &http.Client{Timeout: 5 * time.Second}}, nil
}

type catalogProduct struct {
	SKU  string `json:"sku"`
	Name string `json:"name"`
	// DisplayName carries a variant's option label ("Tee — M"); absent
	// from a catalog older than variants.
	DisplayName string    `json:"displayName"`
	Category    string    `json:"category"`
	Price       money.DTO `json:"price"`
	Archived    bool      `json:"archived"`
	// Tax class and weight (absent from a catalog older than them: standard, 0 g).
	TaxClass    string `json:"taxClass"`
	WeightGrams int    `json:"weightGrams"`
}

func (c *catalogHTTP) Lookup(ctx context.Context, sku string) (basketcmd.Product, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/catalog/products/"+url.PathEscape(sku), nil)
	if err != nil {
		return basketcmd.Product{}, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := c.client.Do(req)
	if err != nil {
		return basketcmd.Product{}, fmt.Errorf("catalog: %w", err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return basketcmd.Product{}, basketcmd.ErrUnknownProduct
	case res.StatusCode != http.StatusOK:
		return basketcmd.Product{}, fmt.Errorf("catalog: status %d", res.StatusCode)
	}
	var p catalogProduct
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&p); err != nil {
		return basketcmd.Product{}, fmt.Errorf("catalog: decode: %w", err)
	}
	price, err := money.FromDTO(p.Price)
	if err != nil {
		return basketcmd.Product{}, fmt.Errorf("%w: catalog price: %w", basketcmd.ErrUnknownProduct, err)
	}
	name := p.Name
	if p.DisplayName != "" {
		name = p.DisplayName
	}
	return basketcmd.Product{SKU: p.SKU, Name: name, Category: p.Category, Price: price, Archived: p.Archived,
		TaxClass: p.TaxClass, WeightGrams: p.WeightGrams}, nil
}
