// Package redact hides secrets in event and message data before it leaves
// through a support view or a file: payment tokens (OrderPlaced,
// AuthorizePayment), sealed verification and reset tokens (identity events),
// card numbers and anything named like a password or secret. It matches data
// keys, at any depth and in any letter case, by what they contain, so
// sealedToken, refreshToken and clientSecret are covered by name.
package redact

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// Redacted replaces a hidden value.
const Redacted = "[redacted]"

// Default names what is hidden unless a caller lists other keys: every key
// containing one of these, in any case.
var Default = []string{"token", "sealed", "cardNumber", "password", "secret"}

// Always is hidden whatever a caller lists: payment tokens, sealed tokens and
// card numbers never leave.
var Always = []string{"token", "sealed", "cardNumber"}

// Keys is what a caller listing keys hides (Default when nil), with Always
// added, lower-cased for matching.
func Keys(keys []string) []string {
	if keys == nil {
		keys = Default
	}
	out := make([]string, 0, len(keys)+len(Always))
	for _, k := range slices.Concat(keys, Always) {
		if k = strings.ToLower(k); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// Matches reports whether the data key name contains one of keys (as
// returned by Keys).
func Matches(name string, keys []string) bool {
	name = strings.ToLower(name)
	for _, k := range keys {
		if strings.Contains(name, k) {
			return true
		}
	}
	return false
}

// Value replaces, in place, the values of matching keys inside decoded JSON
// (maps and slices at any depth).
func Value(v any, keys []string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if Matches(k, keys) {
				x[k] = Redacted
				continue
			}
			Value(c, keys)
		}
	case []any:
		for _, c := range x {
			Value(c, keys)
		}
	}
}

// MayHold is a cheap pre-check: false means raw cannot hold a matching key.
func MayHold(raw []byte, keys []string) bool {
	lower := bytes.ToLower(raw)
	for _, k := range keys {
		if bytes.Contains(lower, []byte(k)) {
			return true
		}
	}
	return false
}

// JSON returns raw with the Default keys hidden; raw that cannot hold one is
// returned as is, and raw that is not JSON is withheld entirely rather than
// shown unredacted.
func JSON(raw []byte) []byte {
	keys := Keys(nil)
	if !MayHold(raw, keys) {
		return raw
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return []byte(`"[unparsable data withheld]"`)
	}
	Value(v, keys)
	out, err := json.Marshal(v)
	if err != nil {
		return []byte(`"[unparsable data withheld]"`)
	}
	return out
}

// PersonalField says where personal data sits in event data.
type PersonalField struct {
	// Key is a data key (any depth, any letter case, matched whole) whose
	// value is personal; an object under it (an address) goes entirely.
	Key string
	// TypePrefix, when set, limits the key to event types starting with
	// it: "name" is a person's in identity events and a product's in
	// order and basket lines.
	TypePrefix string
}

// Personal is the one list of personal data in event data: names, email
// addresses, phone numbers, postal addresses, card last digits and VAT
// ids. Exports leave these out unless asked for explicitly; add a field
// here when an event gains one.
var Personal = []PersonalField{
	{Key: "email"}, {Key: "phone"}, {Key: "last4"},
	{Key: "shippingAddress"}, {Key: "billingAddress"}, {Key: "address"}, {Key: "addresses"},
	{Key: "vatId"}, {Key: "vatNumber"},
	{Key: "name", TypePrefix: "identity."},
}

// personalKeys are the lower-cased keys of Personal that apply to typ.
func personalKeys(typ string) map[string]bool {
	out := map[string]bool{}
	for _, f := range Personal {
		if strings.HasPrefix(typ, f.TypePrefix) {
			out[strings.ToLower(f.Key)] = true
		}
	}
	return out
}

// PersonalValue replaces, in place, the personal data (Personal) inside
// decoded JSON data of an event of type typ.
func PersonalValue(typ string, v any) { personalValue(v, personalKeys(typ)) }

func personalValue(v any, keys map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if keys[strings.ToLower(k)] {
				x[k] = Redacted
				continue
			}
			personalValue(c, keys)
		}
	case []any:
		for _, c := range x {
			personalValue(c, keys)
		}
	}
}

// MayHoldPersonal is a cheap pre-check: false means raw holds no key of
// Personal.
func MayHoldPersonal(raw []byte) bool {
	lower := bytes.ToLower(raw)
	for _, f := range Personal {
		if bytes.Contains(lower, []byte(`"`+strings.ToLower(f.Key)+`"`)) {
			return true
		}
	}
	return false
}
