// Package authntest gives the services' HTTP tests a token verifier without
// keys: each test names its callers by token.
package authntest

import "github.com/evshop/shop/platform/authn"

// Verifier maps a token to its principal; any other token is invalid.
type Verifier map[string]authn.Principal

// Verify implements authn.Verifier.
func (v Verifier) Verify(token string) (authn.Principal, error) {
	if p, ok := v[token]; ok {
		return p, nil
	}
	return authn.Principal{}, authn.ErrInvalidToken
}
