package identity

import "errors"

// Sentinel errors of the identity rules. Callers test them with errors.Is;
// the HTTP edge maps them to problems.
var (
	ErrInvalidEmail    = errors.New("identity: invalid email")
	ErrInvalidName     = errors.New("identity: invalid name")
	ErrInvalidRole     = errors.New("identity: invalid role")
	ErrPasswordLength  = errors.New("identity: password must be 8-128 characters")
	ErrPasswordCommon  = errors.New("identity: password is too common")
	ErrPasswordIsEmail = errors.New("identity: password must not be the email address")
	ErrAlreadyVerified = errors.New("identity: email already verified")
	ErrInvalidUser     = errors.New("identity: invalid user")
	ErrPasswordSame    = errors.New("identity: new password equals the current one")
	// ErrNotStaffRole: only support and admin are granted and revoked as
	// staff roles; every account keeps customer.
	ErrNotStaffRole = errors.New("identity: only the support and admin roles can be granted or revoked")
	// ErrLastAdmin: revoking the admin role would leave no administrator
	// who can sign in.
	ErrLastAdmin = errors.New("identity: the last administrator cannot lose the admin role")
	// ErrInvitationPending: the account was invited to the staff and not
	// yet claimed; only its invitation (or a reset link) verifies it.
	ErrInvitationPending = errors.New("identity: the account has a pending staff invitation")
	// ErrAlreadyClaimed: the account is verified, so it is granted roles
	// directly instead of being (re-)invited.
	ErrAlreadyClaimed = errors.New("identity: the account is already verified")
)
