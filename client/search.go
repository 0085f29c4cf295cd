package client

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	domain "github.com/evshop/shop/domain/client"
)

// Bounds of a customer search.
const (
	MaxSearchQuery = 100 // runes of the whole q
	MaxSearchWords = 4
	MaxPageSize    = 100
	MaxPage        = 10_000
	// DefaultPageSize is the page size when none is asked for.
	DefaultPageSize = 20
)

// InvalidQuery is a refused search parameter; it wraps domain.ErrInvalid
// and names the parameter so the HTTP edge can say which field is wrong.
type InvalidQuery struct{ Field, Reason string }

func (e *InvalidQuery) Error() string { return "client: invalid search: " + e.Field + " " + e.Reason }

// Unwrap makes errors.Is(err, domain.ErrInvalid) hold.
func (e *InvalidQuery) Unwrap() error { return domain.ErrInvalid }

// ParseCustomerQuery builds the query of a search box: q (free text, may be
// empty: every live profile), page and pageSize as given in the URL ("" for
// the defaults). A q that is a user id finds that profile; otherwise each of
// its words must begin a word of the name or the email address.
func ParseCustomerQuery(q, page, pageSize string) (CustomerQuery, error) {
	out := CustomerQuery{Page: 1, PageSize: DefaultPageSize}
	for _, p := range []struct {
		name, value string
		dst         *int
		max         int
	}{{"page", page, &out.Page, MaxPage}, {"pageSize", pageSize, &out.PageSize, MaxPageSize}} {
		if p.value == "" {
			continue
		}
		n, err := strconv.Atoi(p.value)
		if err != nil || n < 1 || n > p.max {
			return CustomerQuery{}, &InvalidQuery{Field: p.name, Reason: fmt.Sprintf("must be an integer from 1 to %d", p.max)}
		}
		*p.dst = n
	}
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxSearchQuery {
		return CustomerQuery{}, &InvalidQuery{Field: "q", Reason: fmt.Sprintf("must be at most %d characters", MaxSearchQuery)}
	}
	if strings.IndexFunc(q, unicode.IsControl) >= 0 {
		return CustomerQuery{}, &InvalidQuery{Field: "q", Reason: "must not contain control characters"}
	}
	q = strings.ToLower(strings.TrimSpace(q))
	if ValidUserID(q) {
		out.ID = q
		return out, nil
	}
	out.Words = strings.Fields(q)
	if len(out.Words) > MaxSearchWords {
		return CustomerQuery{}, &InvalidQuery{Field: "q", Reason: fmt.Sprintf("must be at most %d words", MaxSearchWords)}
	}
	return out, nil
}

// check refuses a query not built by ParseCustomerQuery's rules (a store
// relies on them: bounded words, bounded pages).
func (q CustomerQuery) check() error {
	switch {
	case q.Page < 1 || q.Page > MaxPage:
		return &InvalidQuery{Field: "page", Reason: "is out of range"}
	case q.PageSize < 1 || q.PageSize > MaxPageSize:
		return &InvalidQuery{Field: "pageSize", Reason: "is out of range"}
	case len(q.Words) > MaxSearchWords:
		return &InvalidQuery{Field: "q", Reason: "has too many words"}
	case q.ID != "" && !ValidUserID(q.ID):
		return &InvalidQuery{Field: "q", Reason: "is not a user id"}
	}
	for _, w := range q.Words {
		if w == "" || w != strings.ToLower(w) || utf8.RuneCountInString(w) > MaxSearchQuery {
			return &InvalidQuery{Field: "q", Reason: "has a malformed word"}
		}
	}
	return nil
}

// SearchTerms are the terms a profile is found by: each lower-case word of
// its name (and, for a hyphenated word, each of its parts) and its whole
// lower-case email address, without repeats. A tombstone has none.
func SearchTerms(p Profile) []string {
	if p.Erased {
		return nil
	}
	var out []string
	add := func(t string) {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, w := range strings.Fields(strings.ToLower(p.Profile.Data().Name)) {
		add(w)
		if strings.Contains(w, "-") {
			for _, part := range strings.Split(w, "-") {
				add(part)
			}
		}
	}
	add(strings.ToLower(strings.TrimSpace(p.Email)))
	return out
}

// Matches reports whether p is one of q's results. The memory store
// filters with it; the indexed stores must give the same answers (the
// contract suite checks them against each other's cases).
func (q CustomerQuery) Matches(p Profile) bool {
	if p.Erased || (q.ID != "" && p.UserID != q.ID) {
		return false
	}
	terms := SearchTerms(p)
	for _, w := range q.Words {
		if !slices.ContainsFunc(terms, func(t string) bool { return strings.HasPrefix(t, w) }) {
			return false
		}
	}
	return true
}

// Newer orders search results: newest profile first, then by user id.
func Newer(a, b Profile) int {
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.UserID, b.UserID)
}
