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
)
