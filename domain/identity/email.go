package identity

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// maxEmailLen is the longest address SMTP can carry (RFC 5321 path limit).
const maxEmailLen = 254

// Email is a normalised, syntactically valid address. Normalising (trim and
// lower-case) makes "Ann@Shop.test" and "ann@shop.test" one account, which
// is what customers expect even if RFC 5321 allows case-sensitive local parts.
type Email struct{ v string }

// NewEmail parses raw into an Email or returns an error wrapping ErrInvalidEmail.
func NewEmail(raw string) (Email, error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "" || len(s) > maxEmailLen || !utf8.ValidString(s) {
		return Email{}, fmt.Errorf("%w: length", ErrInvalidEmail)
	}
	addr, err := mail.ParseAddress(s)
	// ParseAddress also accepts "Name <a@b>"; only a bare address is an email here.
	if err != nil || addr.Address != s || addr.Name != "" {
		return Email{}, fmt.Errorf("%w: syntax", ErrInvalidEmail)
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.ContainsAny(s, " \t\r\n") {
		return Email{}, fmt.Errorf("%w: domain", ErrInvalidEmail)
	}
	return Email{v: s}, nil
}

// String returns the normalised address.
func (e Email) String() string { return e.v }

// IsZero reports whether e was never set.
func (e Email) IsZero() bool { return e.v == "" }
