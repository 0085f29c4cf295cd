package identity

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameRunes bounds a display name; it ends up in mails and pages.
const maxNameRunes = 100

// Name is a user's display name: 1–100 printable characters.
type Name struct{ v string }

// NewName validates raw (trimmed) or returns an error wrapping ErrInvalidName.
func NewName(raw string) (Name, error) {
	s := strings.TrimSpace(raw)
	if !utf8.ValidString(s) {
		return Name{}, fmt.Errorf("%w: not UTF-8", ErrInvalidName)
	}
	n := utf8.RuneCountInString(s)
	if n == 0 || n > maxNameRunes {
		return Name{}, fmt.Errorf("%w: must be 1-%d characters", ErrInvalidName, maxNameRunes)
	}
	for _, r := range s {
		// Control and format characters (e.g. bidi overrides) make names that
		// display differently from what they are.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return Name{}, fmt.Errorf("%w: control characters", ErrInvalidName)
		}
	}
	return Name{v: s}, nil
}

// String returns the name.
func (n Name) String() string { return n.v }
