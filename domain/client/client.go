// Package client owns a customer's own data: the profile (name, phone,
// saved addresses with one default shipping address) and preferences
// (language, currency, marketing opt-in, favourite categories, a bounded set
// of free-form key/values). Values are built only by validating
// constructors; every key and text is checked so nothing shaped like a
// MongoDB operator or a dotted path can be stored.
package client

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors.
var (
	ErrInvalid  = errors.New("client: invalid input")
	ErrNotFound = errors.New("client: profile not found")
)

// Bounds.
const (
	MaxAddresses  = 10
	MaxFavourites = 10
	MaxExtra      = 20
	MaxExtraKey   = 40
	MaxExtraValue = 256
	MaxText       = 100
)

// AddressData is an address as read from or written to the outside.
type AddressData struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	Default    bool   `json:"default"`
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
}

// ProfileData is a profile as read from or written to the outside.
type ProfileData struct {
	Name      string        `json:"name"`
	Phone     string        `json:"phone"`
	Addresses []AddressData `json:"addresses"`
}

// Profile is a validated profile.
type Profile struct{ d ProfileData }

var (
	phonePattern   = regexp.MustCompile(`^\+?[0-9 ()-]{4,24}$`)
	postalPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	idPattern      = regexp.MustCompile(`^[A-Za-z0-9-]{1,40}$`)
)

// NewProfile validates d. Addresses without an id get one from newID; when
// none is marked default the first becomes the default, and two defaults
// are refused.
func NewProfile(d ProfileData, newID func() string) (Profile, error) {
	out := ProfileData{Name: strings.TrimSpace(d.Name), Phone: strings.TrimSpace(d.Phone), Addresses: []AddressData{}}
	if err := text("name", out.Name, MaxText); err != nil {
		return Profile{}, err
	}
	if out.Phone != "" && !phonePattern.MatchString(out.Phone) {
		return Profile{}, fmt.Errorf("%w: phone must be digits, spaces, ()- and an optional leading +", ErrInvalid)
	}
	if len(d.Addresses) > MaxAddresses {
		return Profile{}, fmt.Errorf("%w: at most %d addresses", ErrInvalid, MaxAddresses)
	}
	defaults := 0
	seen := map[string]bool{}
	for i, a := range d.Addresses {
		v, err := address(a, newID)
		if err != nil {
			return Profile{}, fmt.Errorf("addresses[%d]: %w", i, err)
		}
		if seen[v.ID] {
			return Profile{}, fmt.Errorf("%w: addresses[%d]: duplicate id", ErrInvalid, i)
		}
		seen[v.ID] = true
		if v.Default {
			defaults++
		}
		out.Addresses = append(out.Addresses, v)
	}
	if defaults > 1 {
		return Profile{}, fmt.Errorf("%w: only one address can be the default", ErrInvalid)
	}
	if defaults == 0 && len(out.Addresses) > 0 {
		out.Addresses[0].Default = true
	}
	return Profile{d: out}, nil
}

func address(a AddressData, newID func() string) (AddressData, error) {
	v := AddressData{ID: strings.TrimSpace(a.ID), Label: strings.TrimSpace(a.Label), Default: a.Default,
		Name: strings.TrimSpace(a.Name), Line1: strings.TrimSpace(a.Line1), Line2: strings.TrimSpace(a.Line2),
		City: strings.TrimSpace(a.City), PostalCode: strings.TrimSpace(a.PostalCode), Country: strings.ToUpper(strings.TrimSpace(a.Country))}
	if v.ID == "" {
		v.ID = newID()
	}
	if !idPattern.MatchString(v.ID) {
		return v, fmt.Errorf("%w: id must be 1-40 letters, digits or dashes", ErrInvalid)
	}
	for _, f := range []struct{ name, val string }{{"label", v.Label}, {"name", v.Name}, {"line1", v.Line1}, {"line2", v.Line2}, {"city", v.City}} {
		if err := text(f.name, f.val, MaxText); err != nil {
			return v, err
		}
	}
	if v.Name == "" || v.Line1 == "" || v.City == "" {
		return v, fmt.Errorf("%w: name, line1 and city are required", ErrInvalid)
	}
	if !postalPattern.MatchString(v.PostalCode) {
		return v, fmt.Errorf("%w: postalCode must be 2-12 letters, digits, spaces or dashes", ErrInvalid)
	}
	if !countryPattern.MatchString(v.Country) {
		return v, fmt.Errorf("%w: country must be an ISO 3166 alpha-2 code", ErrInvalid)
	}
	return v, nil
}

// Data returns a copy of the profile's fields.
func (p Profile) Data() ProfileData {
	d := p.d
	d.Addresses = append([]AddressData{}, p.d.Addresses...)
	return d
}

// DefaultAddress returns the default shipping address, if any.
func (p Profile) DefaultAddress() (AddressData, bool) {
	for _, a := range p.d.Addresses {
		if a.Default {
			return a, true
		}
	}
	return AddressData{}, false
}

// PreferencesData are preferences as read from or written to the outside.
type PreferencesData struct {
	Language            string            `json:"language"`
	Currency            string            `json:"currency"`
	MarketingOptIn      bool              `json:"marketingOptIn"`
	FavouriteCategories []string          `json:"favouriteCategories"`
	Extra               map[string]string `json:"extra"`
}

// Preferences are validated preferences.
type Preferences struct{ d PreferencesData }

var (
	languagePattern = regexp.MustCompile(`^[a-z]{2}(-[A-Z]{2})?$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
	categoryPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} &'-]{0,39}$`)
	extraKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,39}$`)
)

// DefaultPreferences are used until the customer saves their own. Marketing
// is opt-in, so it starts off.
func DefaultPreferences() Preferences {
	return Preferences{d: PreferencesData{Language: "en", Currency: "EUR", FavouriteCategories: []string{}, Extra: map[string]string{}}}
}

// NewPreferences validates d.
func NewPreferences(d PreferencesData) (Preferences, error) {
	out := PreferencesData{Language: d.Language, Currency: d.Currency, MarketingOptIn: d.MarketingOptIn,
		FavouriteCategories: []string{}, Extra: map[string]string{}}
	if !languagePattern.MatchString(out.Language) {
		return Preferences{}, fmt.Errorf("%w: language must look like en or en-GB", ErrInvalid)
	}
	if !currencyPattern.MatchString(out.Currency) {
		return Preferences{}, fmt.Errorf("%w: currency must be an ISO 4217 code", ErrInvalid)
	}
	if len(d.FavouriteCategories) > MaxFavourites {
		return Preferences{}, fmt.Errorf("%w: at most %d favourite categories", ErrInvalid, MaxFavourites)
	}
	for _, c := range d.FavouriteCategories {
		c = strings.TrimSpace(c)
		if !categoryPattern.MatchString(c) {
			return Preferences{}, fmt.Errorf("%w: favourite category %q is not a category name", ErrInvalid, cut(c))
		}
		if !slices.Contains(out.FavouriteCategories, c) {
			out.FavouriteCategories = append(out.FavouriteCategories, c)
		}
	}
	if len(d.Extra) > MaxExtra {
		return Preferences{}, fmt.Errorf("%w: at most %d extra preferences", ErrInvalid, MaxExtra)
	}
	for k, v := range d.Extra {
		if !extraKeyPattern.MatchString(k) {
			return Preferences{}, fmt.Errorf("%w: extra key %q must start with a letter and hold only letters, digits, _ or -", ErrInvalid, cut(k))
		}
		if err := text("extra."+k, v, MaxExtraValue); err != nil {
			return Preferences{}, err
		}
		out.Extra[k] = v
	}
	return Preferences{d: out}, nil
}

// Data returns a copy of the preferences.
func (p Preferences) Data() PreferencesData {
	d := p.d
	d.FavouriteCategories = append([]string{}, p.d.FavouriteCategories...)
	d.Extra = maps.Clone(p.d.Extra)
	if d.Extra == nil {
		d.Extra = map[string]string{}
	}
	return d
}

func text(field, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return fmt.Errorf("%w: %s must be at most %d characters of text", ErrInvalid, field, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %s holds control characters", ErrInvalid, field)
		}
	}
	return nil
}

func cut(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
