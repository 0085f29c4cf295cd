package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/evshop/shop/platform/redact"
)

// Kind is the inferred type of a data field.
type Kind uint8

// Kinds, from the narrowest. A field seen with two incompatible kinds
// becomes KindJSON (its JSON text), so no value is ever lost.
const (
	KindNull   Kind = iota // only null seen so far
	KindBool               // true/false
	KindInt                // integers that fit int64 (money minor units, quantities)
	KindFloat              // any other number
	KindString             // text
	KindTime               // RFC 3339 text
	KindObject             // nested object: its own fields
	KindJSON               // arrays, and fields with mixed kinds
)

func (k Kind) String() string {
	return [...]string{"null", "bool", "int", "float", "string", "time", "object", "json"}[k]
}

// Field is one inferred data field (a tree: objects have children).
type Field struct {
	Kind     Kind
	children map[string]*Field
}

func (f *Field) child(name string) *Field {
	if f.children == nil {
		f.children = map[string]*Field{}
	}
	c, ok := f.children[name]
	if !ok {
		c = &Field{}
		f.children[name] = c
	}
	return c
}

// Names lists the children of an object field, sorted.
func (f *Field) Names() []string {
	out := make([]string, 0, len(f.children))
	for n := range f.children {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Child returns the child called name (nil if none).
func (f *Field) Child(name string) *Field { return f.children[name] }

func isTime(s string) bool {
	if len(s) < 20 || len(s) > 40 || s[4] != '-' || s[10] != 'T' {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// observe widens f to accept v (decoded with UseNumber).
func (f *Field) observe(v any) {
	var k Kind
	switch x := v.(type) {
	case nil:
		return
	case bool:
		k = KindBool
	case json.Number:
		k = KindFloat
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			k = KindInt
		}
	case string:
		k = KindString
		if isTime(x) {
			k = KindTime
		}
	case map[string]any:
		if len(x) == 0 {
			k = KindJSON
			break
		}
		if f.Kind == KindNull || f.Kind == KindObject {
			f.Kind = KindObject
			for name, cv := range x {
				f.child(name).observe(cv)
			}
			return
		}
		k = KindJSON
	default:
		k = KindJSON
	}
	switch {
	case f.Kind == k:
	case f.Kind == KindNull:
		f.Kind = k
	case (f.Kind == KindInt && k == KindFloat) || (f.Kind == KindFloat && k == KindInt):
		f.Kind = KindFloat
	case (f.Kind == KindString && k == KindTime) || (f.Kind == KindTime && k == KindString):
		f.Kind = KindString
	default:
		f.Kind, f.children = KindJSON, nil
	}
}

// Schema is what pass one learns about the selected events: for each type
// the shape of its data, and the last position seen (pass two stops there,
// so events appended in between cannot bring an unknown field).
type Schema struct {
	Types map[string]*Field
	Count map[string]uint64
	Last  uint64
}

func newSchema() *Schema { return &Schema{Types: map[string]*Field{}, Count: map[string]uint64{}} }

// TypeNames lists the types seen, sorted.
func (s *Schema) TypeNames() []string {
	out := make([]string, 0, len(s.Types))
	for n := range s.Types {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func (s *Schema) observe(typ string, data map[string]any) {
	f, ok := s.Types[typ]
	if !ok {
		f = &Field{Kind: KindObject}
		s.Types[typ] = f
	}
	s.Count[typ]++
	for name, v := range data {
		f.child(name).observe(v)
	}
}

// Union merges every type's fields into one tree (CSV has one header).
func (s *Schema) Union() *Field {
	u := &Field{Kind: KindObject}
	var merge func(dst, src *Field)
	merge = func(dst, src *Field) {
		for name, c := range src.children {
			d := dst.child(name)
			switch {
			case c.Kind == KindObject && (d.Kind == KindNull || d.Kind == KindObject):
				d.Kind = KindObject
				merge(d, c)
			case c.Kind == KindNull:
			case d.Kind == KindNull:
				d.Kind = c.Kind
			case d.Kind != c.Kind:
				probe := &Field{Kind: d.Kind}
				probe.observe(sample(c.Kind))
				d.Kind, d.children = probe.Kind, nil
			}
		}
	}
	for _, t := range s.TypeNames() {
		merge(u, s.Types[t])
	}
	return u
}

// sample is a value of kind k, to reuse observe's widening rules.
func sample(k Kind) any {
	switch k {
	case KindBool:
		return true
	case KindInt:
		return json.Number("1")
	case KindFloat:
		return json.Number("1.5")
	case KindString:
		return "x"
	case KindTime:
		return "2026-01-01T00:00:00Z"
	default:
		return []any{}
	}
}

// Column is one leaf of a flattened field tree.
type Column struct {
	Name string   // dotted path, e.g. "total.amount"
	Path []string // the same, one key per level
	Kind Kind
}

// Columns flattens f to its leaves, sorted by path.
func (f *Field) Columns() []Column {
	var out []Column
	var walk func(path []string, f *Field)
	walk = func(path []string, f *Field) {
		for _, n := range f.Names() {
			c := f.children[n]
			p := append(slices.Clone(path), n)
			if c.Kind == KindObject {
				walk(p, c)
				continue
			}
			out = append(out, Column{Name: strings.Join(p, "."), Path: p, Kind: c.Kind})
		}
	}
	walk(nil, f)
	return out
}

// decodeData parses event data with numbers kept exact. Data that is not
// an object (or absent) yields an empty map.
func decodeData(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 {
		return map[string]any{}, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("export: event data: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return map[string]any{"value": v}, nil
	}
	return m, nil
}

// DefaultRedact names the data keys whose values exports replace, at any
// depth: every key containing one of these, in any case (see platform/redact).
var DefaultRedact = redact.Default

// AlwaysRedact is redacted whatever Options.Redact says: payment tokens,
// sealed tokens and card numbers never leave in an export.
var AlwaysRedact = redact.Always

// Redacted is what replaces a redacted value.
const Redacted = redact.Redacted

// scrubber hides what an export must not show: the values of the redacted
// keys, and personal data (redact.Personal) unless the export asked for it.
type scrubber struct {
	keys     []string
	personal bool // hide personal data
}

func newScrubber(o Options) scrubber {
	return scrubber{keys: redact.Keys(o.Redact), personal: !o.IncludePersonalData}
}

// value scrubs decoded data of an event of type typ in place.
func (s scrubber) value(typ string, v any) {
	redact.Value(v, s.keys)
	if s.personal {
		redact.PersonalValue(typ, v)
	}
}

// raw returns raw scrubbed; untouched (and not re-encoded) when nothing
// to hide can occur in it.
func (s scrubber) raw(typ string, raw json.RawMessage) (json.RawMessage, error) {
	if !redact.MayHold(raw, s.keys) && !(s.personal && redact.MayHoldPersonal(raw)) {
		return raw, nil
	}
	m, err := decodeData(raw)
	if err != nil {
		return nil, err
	}
	s.value(typ, m)
	return json.Marshal(m)
}

// cellText renders a value for CSV according to the column's kind.
func cellText(k Kind, v any) string {
	if v == nil {
		return ""
	}
	if k == KindJSON {
		b, _ := json.Marshal(v)
		return string(b)
	}
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// lookup follows a column path into decoded data.
func lookup(m map[string]any, path []string) any {
	var cur any = m
	for _, part := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[part]
	}
	return cur
}

// RedactJSON returns event data with the DefaultRedact keys replaced, for
// printing single events (timelines); data that cannot be parsed is
// withheld entirely rather than shown unredacted.
func RedactJSON(raw json.RawMessage) json.RawMessage {
	out, err := scrubber{keys: redact.Keys(nil)}.raw("", raw)
	if err != nil {
		return json.RawMessage(`"[unparsable data withheld]"`)
	}
	return out
}
