// Package identity owns the rules of shop accounts: what a valid email, name
// and password are, which roles exist, and how a user's life cycle (register,
// verify the email, reset or change the password) is decided and recorded as
// events. It does no I/O: hashing, storage and tokens live in the layers
// above, which hand this package opaque values.
package identity
