// Package catalog owns the product catalogue's rules: the SKU, category and
// attribute value types, the Product entity with its stock counters, product
// families of variants, the reservation of stock for an order, the listing
// query, and the wire contract (commands and outcome events) the checkout
// saga talks to. It does no I/O; adapters and the application service live
// in the top-level catalog package.
//
// Variants (variant.go): every variant is a Product — the SKU-level record
// every stock path works on — carrying its family's product id (the SKU the
// family started from, so a product stored before variants is its own
// family) and its option values. The family has no record of its own: its
// option names and value order are derived from its variants, which leaves
// no second document to keep in step on a store without transactions. The
// rules (same option names, unique combinations among the variants on sale)
// are checked by the service when a variant is added or edited; two
// processes adding the same combination at the same instant could both
// pass (one process serialises its own).
package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors; callers wrap them with %w and the HTTP edge maps them.
var (
	ErrInvalid           = errors.New("catalog: invalid input")
	ErrNotFound          = errors.New("catalog: product not found")
	ErrDuplicate         = errors.New("catalog: product already exists")
	ErrConflict          = errors.New("catalog: product changed concurrently")
	ErrArchived          = errors.New("catalog: product is archived")
	ErrInsufficientStock = errors.New("catalog: insufficient stock")
	ErrNotReserved       = errors.New("catalog: order has no active reservation")
	ErrAlreadyCommitted  = errors.New("catalog: reservation already committed")
)

// SKU identifies a product: 3–32 upper-case letters, digits and dashes. The
// narrow alphabet keeps SKUs safe as document ids, cache keys and URL
// segments, and makes operator injection through a SKU impossible.
type SKU struct{ value string }

var skuPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,31}$`)

// NewSKU validates s (surrounding spaces are trimmed, letters upper-cased).
func NewSKU(s string) (SKU, error) {
	v := strings.ToUpper(strings.TrimSpace(s))
	if !skuPattern.MatchString(v) {
		return SKU{}, fmt.Errorf("%w: sku %q must be 3-32 letters, digits or dashes", ErrInvalid, truncate(s, 40))
	}
	return SKU{value: v}, nil
}

// String returns the canonical SKU.
func (s SKU) String() string { return s.value }

// IsZero reports whether s is the zero value.
func (s SKU) IsZero() bool { return s.value == "" }

// Category names a product group as shown to shoppers ("Kitchen", "Books &
// Media"). It is the filter value too, so its alphabet excludes "$" and ".".
type Category struct{ value string }

var categoryPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} &'-]{0,39}$`)

// NewCategory validates a category name of 1–40 letters, digits, spaces, "&",
// "'" and "-".
func NewCategory(s string) (Category, error) {
	v := strings.TrimSpace(s)
	if !categoryPattern.MatchString(v) {
		return Category{}, fmt.Errorf("%w: category %q must be 1-40 letters, digits, spaces, & ' or -", ErrInvalid, truncate(s, 40))
	}
	return Category{value: v}, nil
}

// String returns the name.
func (c Category) String() string { return c.value }

// Limits of free text and collections.
const (
	MaxNameLen        = 120
	MaxDescriptionLen = 4000
	MaxAttributes     = 30
	MaxAttrKeyLen     = 40
	MaxAttrValueLen   = 200
	MaxAttrListLen    = 20
	MaxImages         = 8
	MaxImageURLLen    = 500
	MaxStock          = 1_000_000
)

// Attributes are semi-structured product facts ("material": "oak",
// "weightKg": 1.2, "waterproof": true, "sizes": ["S","M"]). Values are
// strings, numbers, booleans or lists of strings; keys never start with "$"
// nor contain "." so they are safe as document field names.
type Attributes struct{ m map[string]any }

var imageFilePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,80}\.(svg|png|jpg|webp)$`)

var attrKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_ -]{0,39}$`)

// NewAttributes validates raw (as decoded from JSON or a document) and copies it.
func NewAttributes(raw map[string]any) (Attributes, error) {
	if len(raw) > MaxAttributes {
		return Attributes{}, fmt.Errorf("%w: at most %d attributes", ErrInvalid, MaxAttributes)
	}
	m := make(map[string]any, len(raw))
	for k, v := range raw {
		if !attrKeyPattern.MatchString(k) {
			return Attributes{}, fmt.Errorf("%w: attribute name %q must start with a letter and hold only letters, digits, space, _ or -", ErrInvalid, truncate(k, 40))
		}
		nv, err := attrValue(v)
		if err != nil {
			return Attributes{}, fmt.Errorf("%w: attribute %q: %w", ErrInvalid, k, err)
		}
		m[k] = nv
	}
	return Attributes{m: m}, nil
}

func attrValue(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, checkText(x, MaxAttrValueLen)
	case bool:
		return x, nil
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case []string:
		return attrList(len(x), func(i int) any { return x[i] })
	case []any:
		return attrList(len(x), func(i int) any { return x[i] })
	default:
		return nil, errors.New("must be a string, number, boolean or list of strings")
	}
}

func attrList(n int, at func(int) any) (any, error) {
	if n > MaxAttrListLen {
		return nil, fmt.Errorf("at most %d list items", MaxAttrListLen)
	}
	out := make([]string, n)
	for i := range n {
		s, ok := at(i).(string)
		if !ok {
			return nil, errors.New("lists may hold only strings")
		}
		if err := checkText(s, MaxAttrValueLen); err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// Map returns a copy of the attributes.
func (a Attributes) Map() map[string]any {
	m := make(map[string]any, len(a.m))
	for k, v := range a.m {
		if l, ok := v.([]string); ok {
			v = append([]string(nil), l...)
		}
		m[k] = v
	}
	return m
}

// checkText refuses invalid UTF-8, control characters other than newline
// and tab, and text longer than max runes.
func checkText(s string, max int) error {
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > max {
		return fmt.Errorf("is longer than %d characters", max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return errors.New("holds control characters")
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
