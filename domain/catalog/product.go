package catalog

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// Product is one sellable item with its stock counters. OnHand counts units
// in the warehouse; Reserved counts those promised to orders not yet paid;
// Available (OnHand − Reserved) is what shoppers can still buy.
type Product struct {
	sku         SKU
	productID   SKU      // the family; zero reads as sku (variant.go)
	options     []Option // the variant's option values; none for a single SKU
	name        string
	description string
	category    Category
	attributes  Attributes
	price       money.Money
	images      []string
	taxClass    pricing.TaxClass
	weightGrams int
	onHand      int
	reserved    int
	archived    bool
	createdAt   time.Time
	updatedAt   time.Time
	version     int64
}

// Details are the descriptive, admin-editable fields of a product.
// TaxClass "" reads as standard and WeightGrams 0 as weightless: products
// stored before tax and shipping existed have neither.
type Details struct {
	Name        string
	Description string
	Category    string
	Attributes  map[string]any
	Price       money.Money
	Images      []string
	TaxClass    string
	WeightGrams int
}

type details struct {
	name        string
	description string
	category    Category
	attributes  Attributes
	price       money.Money
	images      []string
	taxClass    pricing.TaxClass
	weightGrams int
}

func (d Details) validate() (details, error) {
	var out details
	out.name = strings.TrimSpace(d.Name)
	if out.name == "" {
		return out, fmt.Errorf("%w: name is required", ErrInvalid)
	}
	if err := checkText(out.name, MaxNameLen); err != nil {
		return out, fmt.Errorf("%w: name %w", ErrInvalid, err)
	}
	if strings.ContainsAny(out.name, "\n\t") {
		return out, fmt.Errorf("%w: name must be one line", ErrInvalid)
	}
	out.description = strings.TrimSpace(d.Description)
	if err := checkText(out.description, MaxDescriptionLen); err != nil {
		return out, fmt.Errorf("%w: description %w", ErrInvalid, err)
	}
	var err error
	if out.category, err = NewCategory(d.Category); err != nil {
		return out, err
	}
	if out.attributes, err = NewAttributes(d.Attributes); err != nil {
		return out, err
	}
	if d.Price.Currency() == "" {
		return out, fmt.Errorf("%w: price is required", ErrInvalid)
	}
	if d.Price.Amount() <= 0 {
		return out, fmt.Errorf("%w: price must be positive", ErrInvalid)
	}
	out.price = d.Price
	if out.images, err = validImages(d.Images); err != nil {
		return out, err
	}
	if out.taxClass, err = pricing.ParseTaxClass(d.TaxClass); err != nil {
		return out, fmt.Errorf("%w: tax class %q must be standard, reduced or zero", ErrInvalid, truncate(d.TaxClass, 20))
	}
	if d.WeightGrams < 0 || d.WeightGrams > pricing.MaxWeightGrams {
		return out, fmt.Errorf("%w: weight must be 0..%d grams", ErrInvalid, pricing.MaxWeightGrams)
	}
	out.weightGrams = d.WeightGrams
	return out, nil
}

// ImagePathPrefix is where the catalog API serves the images shipped in the
// repository; such relative URLs are accepted besides absolute https ones.
const ImagePathPrefix = "/api/catalog/images/"

func validImages(in []string) ([]string, error) {
	if len(in) > MaxImages {
		return nil, fmt.Errorf("%w: at most %d images", ErrInvalid, MaxImages)
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if len(s) > MaxImageURLLen || checkText(s, MaxImageURLLen) != nil {
			return nil, fmt.Errorf("%w: image URL too long or not text", ErrInvalid)
		}
		if strings.HasPrefix(s, ImagePathPrefix) {
			name := strings.TrimPrefix(s, ImagePathPrefix)
			if !imageFilePattern.MatchString(name) {
				return nil, fmt.Errorf("%w: image %q is not a plain file name", ErrInvalid, truncate(s, 60))
			}
			out = append(out, s)
			continue
		}
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			return nil, fmt.Errorf("%w: image %q must be an https URL or under %s", ErrInvalid, truncate(s, 60), ImagePathPrefix)
		}
		out = append(out, s)
	}
	return out, nil
}

// NewProduct validates a new product with onHand units in stock.
func NewProduct(sku SKU, d Details, onHand int, now time.Time) (Product, error) {
	if sku.IsZero() {
		return Product{}, fmt.Errorf("%w: sku is required", ErrInvalid)
	}
	v, err := d.validate()
	if err != nil {
		return Product{}, err
	}
	if onHand < 0 || onHand > MaxStock {
		return Product{}, fmt.Errorf("%w: stock must be 0..%d", ErrInvalid, MaxStock)
	}
	now = now.UTC().Truncate(time.Millisecond)
	p := Product{sku: sku, onHand: onHand, createdAt: now, updatedAt: now, version: 1}
	p.setDetails(v)
	return p, nil
}

func (p *Product) setDetails(v details) {
	p.name, p.description, p.category = v.name, v.description, v.category
	p.attributes, p.price, p.images = v.attributes, v.price, v.images
	p.taxClass, p.weightGrams = v.taxClass, v.weightGrams
}

// WithDetails returns p with its descriptive fields replaced; stock and
// identity are untouched so an edit never races the reservation counters.
func (p Product) WithDetails(d Details, now time.Time) (Product, error) {
	v, err := d.validate()
	if err != nil {
		return Product{}, err
	}
	p.setDetails(v)
	p.updatedAt = now.UTC().Truncate(time.Millisecond)
	p.version++
	return p, nil
}

// Archived returns p withdrawn from sale. Archiving twice is harmless.
func (p Product) Archived(now time.Time) Product {
	if !p.archived {
		p.archived = true
		p.updatedAt = now.UTC().Truncate(time.Millisecond)
		p.version++
	}
	return p
}

// Accessors.
func (p Product) SKU() SKU                   { return p.sku }
func (p Product) Name() string               { return p.name }
func (p Product) Description() string        { return p.description }
func (p Product) Category() Category         { return p.category }
func (p Product) Attributes() Attributes     { return p.attributes }
func (p Product) Price() money.Money         { return p.price }
func (p Product) Images() []string           { return append([]string(nil), p.images...) }
func (p Product) TaxClass() pricing.TaxClass { return p.taxClass }
func (p Product) WeightGrams() int           { return p.weightGrams }
func (p Product) OnHand() int                { return p.onHand }
func (p Product) Reserved() int              { return p.reserved }
func (p Product) Available() int             { return p.onHand - p.reserved }
func (p Product) IsArchived() bool           { return p.archived }
func (p Product) CreatedAt() time.Time       { return p.createdAt }
func (p Product) UpdatedAt() time.Time       { return p.updatedAt }
func (p Product) Version() int64             { return p.version }
func (p Product) Details() Details           { return p.detailsValue() }
func (p Product) detailsValue() Details {
	return Details{Name: p.name, Description: p.description, Category: p.category.String(),
		Attributes: p.attributes.Map(), Price: p.price, Images: p.Images(), TaxClass: string(p.taxClass), WeightGrams: p.weightGrams}
}

// State is the stored shape of a product, for adapters only.
type State struct {
	SKU         string
	ProductID   string   // "" (stored before variants) reads as SKU: a family of one
	Options     []Option // nil before variants
	Name        string
	Description string
	Category    string
	Attributes  map[string]any
	Price       money.Money
	Images      []string
	TaxClass    string // "" (stored before tax classes) reads as standard
	WeightGrams int
	OnHand      int
	Reserved    int
	Archived    bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
}

// State returns the stored shape.
func (p Product) State() State {
	return State{SKU: p.sku.String(), ProductID: p.ProductID().String(), Options: p.Options(), Name: p.name, Description: p.description, Category: p.category.String(),
		Attributes: p.attributes.Map(), Price: p.price, Images: p.Images(), TaxClass: string(p.taxClass), WeightGrams: p.weightGrams,
		OnHand: p.onHand, Reserved: p.reserved,
		Archived: p.archived, CreatedAt: p.createdAt, UpdatedAt: p.updatedAt, Version: p.version}
}

// RestoreProduct rebuilds a stored product. It validates like NewProduct so a
// corrupted document surfaces as an error instead of a half-valid value.
func RestoreProduct(s State) (Product, error) {
	sku, err := NewSKU(s.SKU)
	if err != nil {
		return Product{}, err
	}
	v, err := Details{Name: s.Name, Description: s.Description, Category: s.Category, Attributes: s.Attributes,
		Price: s.Price, Images: s.Images, TaxClass: s.TaxClass, WeightGrams: s.WeightGrams}.validate()
	if err != nil {
		return Product{}, fmt.Errorf("restore %s: %w", s.SKU, err)
	}
	if s.Reserved < 0 || s.OnHand < s.Reserved {
		return Product{}, fmt.Errorf("%w: restore %s: stock counters onHand=%d reserved=%d", ErrInvalid, s.SKU, s.OnHand, s.Reserved)
	}
	p := Product{sku: sku, onHand: s.OnHand, reserved: s.Reserved, archived: s.Archived,
		createdAt: s.CreatedAt.UTC(), updatedAt: s.UpdatedAt.UTC(), version: s.Version}
	p.setDetails(v)
	if s.ProductID != "" && s.ProductID != sku.String() {
		if p.productID, err = NewSKU(s.ProductID); err != nil {
			return Product{}, fmt.Errorf("restore %s: product id: %w", s.SKU, err)
		}
	}
	if len(s.Options) > 0 {
		if p.options, err = NewOptions(s.Options); err != nil {
			return Product{}, fmt.Errorf("restore %s: %w", s.SKU, err)
		}
	}
	return p, nil
}
