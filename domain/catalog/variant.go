package catalog

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/evshop/shop/domain/money"
)

// Variants. A product family is the set of SKUs that share a product id:
// the SKU it started from (a single-SKU product is a family of one, so
// products stored before variants read as their own family). Each variant
// is a full Product — its own price, stock, weight, images and attributes —
// and carries its option values (size=M, colour=Red) in the family's order.
//
// The family has no record of its own: its option names and the order of
// their values are derived from its variants (names from any variant, since
// all carry the same ones; values in the order the variants were added).
// That keeps every stock path and every adapter on one SKU-level record, and
// leaves no second document to keep in step with the variants on a store
// without transactions (FerretDB).

// Limits of options.
const (
	MaxOptions     = 3
	MaxOptionLen   = 30
	MaxVariants    = 100
	OptionLabelSep = " / "
	// DisplayNameSep separates a variant's name from its option label in
	// the name baskets, orders, invoices and emails show ("Tee — M / Red").
	DisplayNameSep = " — "
	// MaxDisplayNameBytes bounds a variant's display name: basket lines
	// take names of at most 200 bytes.
	MaxDisplayNameBytes = 200
)

// InvalidField is an ErrInvalid naming the input field at fault, so the
// HTTP edge can answer a field error without reading the message.
type InvalidField struct {
	Field  string
	Reason string
}

func (e *InvalidField) Error() string { return "catalog: invalid input: " + e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *InvalidField) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &InvalidField{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Option is one option value of a variant: Name "Size", Value "M".
type Option struct {
	Name  string
	Value string
}

var optionNamePattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} _-]{0,29}$`)

// NewOptions validates a variant's option values: at most MaxOptions, names
// of letters, digits, space, _ or - and distinct (case-insensitively),
// values short single-line text. Surrounding spaces are trimmed.
func NewOptions(in []Option) ([]Option, error) {
	if len(in) > MaxOptions {
		return nil, invalid("options", "at most %d", MaxOptions)
	}
	out := make([]Option, 0, len(in))
	seen := map[string]bool{}
	for _, o := range in {
		name, value := strings.TrimSpace(o.Name), strings.TrimSpace(o.Value)
		if !optionNamePattern.MatchString(name) {
			return nil, invalid("options", "name %q must be 1-%d letters, digits, spaces, _ or -", truncate(o.Name, 40), MaxOptionLen)
		}
		if seen[strings.ToLower(name)] {
			return nil, invalid("options", "%q is named twice", name)
		}
		seen[strings.ToLower(name)] = true
		if value == "" {
			return nil, invalid("options", "%s needs a value", name)
		}
		if err := checkText(value, MaxOptionLen); err != nil || strings.ContainsAny(value, "\n\t") {
			return nil, invalid("options", "the value of %s must be one line of at most %d characters", name, MaxOptionLen)
		}
		out = append(out, Option{Name: name, Value: value})
	}
	return out, nil
}

// ProductID is the family the product belongs to: the SKU it started from.
func (p Product) ProductID() SKU {
	if p.productID.IsZero() {
		return p.sku
	}
	return p.productID
}

// IsPrimary reports whether p is the SKU its family started from (the one
// listings show the family by while it is on sale).
func (p Product) IsPrimary() bool { return p.ProductID() == p.sku }

// Options are the variant's option values, in the family's name order.
func (p Product) Options() []Option { return slices.Clone(p.options) }

// Label is the variant's option values joined ("M / Red"); "" without options.
func (p Product) Label() string {
	vs := make([]string, len(p.options))
	for i, o := range p.options {
		vs[i] = o.Value
	}
	return strings.Join(vs, OptionLabelSep)
}

// DisplayName is the name a basket line, an order, an invoice or an email
// shows: the product's name with the variant's label ("Tee — M / Red").
// A variant's is cut to MaxDisplayNameBytes (the longest line name a
// basket takes), shortening the name and keeping the label whole.
func (p Product) DisplayName() string {
	l := p.Label()
	if l == "" {
		return p.name
	}
	full := p.name + DisplayNameSep + l
	if len(full) <= MaxDisplayNameBytes {
		return full
	}
	// Shorten the name first; a label too long on its own (many-byte
	// letters) is cut at the end.
	room := MaxDisplayNameBytes - len(DisplayNameSep) - len(l) - len("…")
	if room > 0 {
		return strings.TrimSpace(cutBytes(p.name, room)) + "…" + DisplayNameSep + l
	}
	return cutBytes(full, MaxDisplayNameBytes-len("…")) + "…"
}

// cutBytes returns the longest prefix of s of at most n bytes that ends
// on a rune boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for s != "" && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// optionKey is the variant's combination, compared case-insensitively.
func optionKey(opts []Option) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = strings.ToLower(o.Name) + "=" + strings.ToLower(o.Value)
	}
	return strings.Join(vs, "\x00")
}

func optionNames(opts []Option) string {
	ns := make([]string, len(opts))
	for i, o := range opts {
		ns[i] = strings.ToLower(o.Name)
	}
	return strings.Join(ns, "\x00")
}

// checkInFamily refuses v among siblings (the family's other SKUs, v's own
// SKU skipped): the variants on sale must all carry the same option names,
// and no two of them the same combination. Archived variants are out of the
// family's choice, so neither rule counts them.
func checkInFamily(siblings []Product, v Product) error {
	if v.archived {
		return nil
	}
	for _, s := range siblings {
		if s.sku == v.sku || s.archived {
			continue
		}
		if optionNames(s.options) != optionNames(v.options) {
			return invalid("options", "every variant of %s must have the options %s", v.ProductID(), describeNames(s.options))
		}
		if len(v.options) == 0 {
			return invalid("options", "a product with several variants needs options to tell them apart")
		}
		if optionKey(s.options) == optionKey(v.options) {
			return invalid("options", "%s already has the variant %s (%s)", v.ProductID(), v.Label(), s.sku)
		}
	}
	return nil
}

func describeNames(opts []Option) string {
	if len(opts) == 0 {
		return "(none)"
	}
	ns := make([]string, len(opts))
	for i, o := range opts {
		ns[i] = o.Name
	}
	return strings.Join(ns, ", ")
}

// VariantInput is a new variant: its SKU, option values and optional
// overrides of the product's price, weight, images and attributes (nil:
// the product's).
type VariantInput struct {
	SKU         SKU
	Options     []Option
	Price       *money.Money
	WeightGrams *int
	Images      []string
	Attributes  map[string]any
}

// NewVariant makes a new SKU of base's family (base is any of its SKUs;
// family all of them, base included). The variant shares the family's name,
// description, category and tax class, and takes base's price, weight,
// images and attributes unless in overrides them.
func NewVariant(base Product, family []Product, in VariantInput, onHand int, now time.Time) (Product, error) {
	if in.SKU.IsZero() {
		return Product{}, fmt.Errorf("%w: sku is required", ErrInvalid)
	}
	if len(family) >= MaxVariants {
		return Product{}, fmt.Errorf("%w: a product has at most %d variants", ErrInvalid, MaxVariants)
	}
	for _, s := range family {
		if s.sku == in.SKU {
			return Product{}, fmt.Errorf("%w: %s", ErrDuplicate, in.SKU)
		}
	}
	d := base.Details()
	if in.Price != nil {
		d.Price = *in.Price
	}
	if in.WeightGrams != nil {
		d.WeightGrams = *in.WeightGrams
	}
	if in.Images != nil {
		d.Images = in.Images
	}
	if in.Attributes != nil {
		d.Attributes = in.Attributes
	}
	opts, err := NewOptions(in.Options)
	if err != nil {
		return Product{}, err
	}
	if len(opts) == 0 {
		return Product{}, invalid("options", "a variant needs at least one option")
	}
	v, err := NewProduct(in.SKU, d, onHand, now)
	if err != nil {
		return Product{}, err
	}
	v.productID, v.options = base.ProductID(), opts
	if err := checkInFamily(family, v); err != nil {
		return Product{}, err
	}
	return v, nil
}

// WithShared returns p with the family-wide fields of d (name, description,
// category, tax class) and its own price, weight, images and attributes
// kept: an edit of one variant's shared fields is copied to its siblings.
func (p Product) WithShared(d Details, now time.Time) (Product, error) {
	own := p.Details()
	if own.Name == d.Name && own.Description == d.Description && own.Category == d.Category && own.TaxClass == d.TaxClass {
		return p, nil
	}
	own.Name, own.Description, own.Category, own.TaxClass = d.Name, d.Description, d.Category, d.TaxClass
	return p.WithDetails(own, now)
}

// SortFamily orders a family's SKUs as it is shown: by creation, then SKU.
func SortFamily(ps []Product) {
	slices.SortFunc(ps, func(a, b Product) int {
		if c := a.createdAt.Compare(b.createdAt); c != 0 {
			return c
		}
		return cmp.Compare(a.sku.value, b.sku.value)
	})
}

// OptionValues is one option of a family with its values in order.
type OptionValues struct {
	Name   string
	Values []string
}

// FamilyOptions derives a family's options from its variants (archived
// ones skipped unless all are): names in the variants' order, values in
// the order the variants were added.
func FamilyOptions(variants []Product) []OptionValues {
	vs := slices.Clone(variants)
	SortFamily(vs)
	live := slices.DeleteFunc(slices.Clone(vs), func(p Product) bool { return p.archived })
	if len(live) > 0 {
		vs = live
	}
	var out []OptionValues
	for _, v := range vs {
		for i, o := range v.options {
			if i == len(out) {
				out = append(out, OptionValues{Name: o.Name})
			}
			if i < len(out) && strings.EqualFold(out[i].Name, o.Name) && !slices.Contains(out[i].Values, o.Value) {
				out[i].Values = append(out[i].Values, o.Value)
			}
		}
	}
	return out
}

// FamilySummary is what a listing shows of a family beside the variant it
// is shown by: the price range and availability across its variants on
// sale (all of them when archived ones are listed too).
type FamilySummary struct {
	ProductID string
	FromPrice money.Money
	ToPrice   money.Money
	Variants  int
	// Available sums the units shoppers can buy across the variants.
	Available int
}

// Summarize picks how a listing shows a family from all its variants: by
// its primary SKU while that is visible, else by its first visible variant.
// Visible means on sale, or any when includeArchived. ok is false when no
// variant is visible (the family is not listed).
func Summarize(variants []Product, includeArchived bool) (shown Product, sum FamilySummary, ok bool) {
	vs := slices.Clone(variants)
	SortFamily(vs)
	for _, v := range vs {
		if v.archived && !includeArchived {
			continue
		}
		if !ok || (v.IsPrimary() && !shown.IsPrimary()) {
			shown = v
		}
		if !ok || v.price.Amount() < sum.FromPrice.Amount() {
			sum.FromPrice = v.price
		}
		if !ok || v.price.Amount() > sum.ToPrice.Amount() {
			sum.ToPrice = v.price
		}
		ok = true
		sum.Variants++
		sum.Available += max(v.Available(), 0)
	}
	if ok {
		sum.ProductID = shown.ProductID().String()
	}
	return shown, sum, ok
}

// Family is a product's family as a shopper picks from it.
type Family struct {
	Options  []OptionValues
	Variants []Product
}

// NewFamily derives the family view from all its SKUs; archived variants
// are dropped unless includeArchived.
func NewFamily(variants []Product, includeArchived bool) Family {
	vs := slices.Clone(variants)
	if !includeArchived {
		vs = slices.DeleteFunc(vs, func(p Product) bool { return p.archived })
	}
	SortFamily(vs)
	return Family{Options: FamilyOptions(variants), Variants: vs}
}

// Edit returns p with its details replaced and, when opts is not nil, its
// option values too (checked against family, all its SKUs), as one change.
func (p Product) Edit(d Details, opts *[]Option, family []Product, now time.Time) (Product, error) {
	next, err := p.WithDetails(d, now)
	if err != nil {
		return Product{}, err
	}
	if opts == nil {
		return next, nil
	}
	o, err := NewOptions(*opts)
	if err != nil {
		return Product{}, err
	}
	next.options = o
	if err := checkInFamily(family, next); err != nil {
		return Product{}, err
	}
	return next, nil
}
