package identity

import "fmt"

// Role is what a user may do. The names match platform/authn's roles, which
// carry them in access tokens.
type Role string

// The three roles of the shop.
const (
	RoleCustomer Role = "customer"
	RoleSupport  Role = "support"
	RoleAdmin    Role = "admin"
)

// ParseRole returns the role named s or an error wrapping ErrInvalidRole.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleCustomer, RoleSupport, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("%w: %q", ErrInvalidRole, s)
}
