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

// ParseStaffRole returns the staff role named s (support or admin): the
// roles admins grant and revoke. Customer is every account's own role and
// is refused with ErrNotStaffRole; an unknown name with ErrInvalidRole.
func ParseStaffRole(s string) (Role, error) {
	r, err := ParseRole(s)
	if err != nil {
		return "", err
	}
	if !r.IsStaff() {
		return "", ErrNotStaffRole
	}
	return r, nil
}

// IsStaff reports whether r is a back-office role (support or admin).
func (r Role) IsStaff() bool { return r == RoleSupport || r == RoleAdmin }
