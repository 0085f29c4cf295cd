package identity

import (
	_ "embed"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"unicode/utf8"
)

// Password policy bounds (NIST SP 800-63B: at least 8, allow long passphrases;
// the upper bound keeps the hash cost of a hostile request fixed).
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

//go:embed common_passwords.txt
var commonPasswordsFile string

// commonSet is built once on first use from the embedded list; a sync.OnceValue
// keeps package loading free of side effects.
var commonSet = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 9000)
	for line := range strings.Lines(commonPasswordsFile) {
		w := strings.TrimSpace(line)
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		set[strings.ToLower(w)] = struct{}{}
	}
	return set
})

// IsCommonPassword reports whether plain is on the bundled list of common
// passwords (case-insensitive).
func IsCommonPassword(plain string) bool {
	_, ok := commonSet()[strings.ToLower(plain)]
	return ok
}

// CommonPasswordCount is the number of entries of the bundled list.
func CommonPasswordCount() int { return len(commonSet()) }

// Password is a plain-text password that passed the policy. It exists only
// between the request and the hasher; String and LogValue redact it so it
// cannot leak into a log line by accident.
type Password struct{ plain string }

// NewPassword checks plain against the policy: 8–128 characters (runes), not
// on the common list, not the account's own email address.
func NewPassword(plain string, email Email) (Password, error) {
	if !utf8.ValidString(plain) {
		return Password{}, ErrPasswordLength
	}
	n := utf8.RuneCountInString(plain)
	if n < MinPasswordLen || n > MaxPasswordLen {
		return Password{}, fmt.Errorf("%w (got %d)", ErrPasswordLength, n)
	}
	if IsCommonPassword(plain) {
		return Password{}, ErrPasswordCommon
	}
	if !email.IsZero() && (strings.EqualFold(plain, email.String()) || strings.EqualFold(plain, localPart(email))) {
		return Password{}, ErrPasswordIsEmail
	}
	return Password{plain: plain}, nil
}

// Plain returns the password for hashing. Call it only to hash or compare.
func (p Password) Plain() string { return p.plain }

// String redacts the password.
func (Password) String() string { return "[redacted]" }

// GoString redacts the password for %#v.
func (Password) GoString() string { return "identity.Password{[redacted]}" }

// LogValue redacts the password in slog records.
func (Password) LogValue() slog.Value { return slog.StringValue("[redacted]") }

func localPart(e Email) string {
	s := e.String()
	return s[:strings.LastIndexByte(s, '@')]
}
