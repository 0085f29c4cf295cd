package identity

import "time"

// Wire names of the identity events. They are the contract with the bus and
// the notifier: never derive them from Go type names, never change them; a
// new shape gets a new version suffix.
const (
	TypeUserRegistered         = "identity.UserRegistered.v1"
	TypeVerificationRequested  = "identity.VerificationRequested.v1"
	TypeRegistrationAttempted  = "identity.RegistrationAttempted.v1"
	TypeEmailVerified          = "identity.EmailVerified.v1"
	TypePasswordResetRequested = "identity.PasswordResetRequested.v1"
	TypePasswordChanged        = "identity.PasswordChanged.v1"
	TypeRoleGranted            = "identity.RoleGranted.v1"
	TypeRoleRevoked            = "identity.RoleRevoked.v1"
	TypeStaffInvited           = "identity.StaffInvited.v1"
)

// EventTypes lists every wire name this context emits.
func EventTypes() []string {
	return []string{TypeUserRegistered, TypeVerificationRequested, TypeRegistrationAttempted, TypeEmailVerified,
		TypePasswordResetRequested, TypePasswordChanged, TypeRoleGranted, TypeRoleRevoked, TypeStaffInvited}
}

// StreamPrefix starts the stream name of every user ("user-<id>").
const StreamPrefix = "user-"

// Stream returns the stream name of the user with id.
func Stream(userID string) string { return StreamPrefix + userID }

// Event is a fact about one user. Events that must lead to a mail with a link
// carry the link's token only sealed (platform/sealed, aad = user id), never
// in plain text.
type Event interface {
	EventType() string
	AggregateID() string
}

// UserRegistered: an account was created (by sign-up or admin bootstrap).
// SealedToken holds the email-verification token when the address still needs
// verifying.
type UserRegistered struct {
	UserID        string    `json:"userId"`
	Email         string    `json:"email"`
	Name          string    `json:"name"`
	Roles         []Role    `json:"roles"`
	EmailVerified bool      `json:"emailVerified"`
	SealedToken   string    `json:"sealedToken,omitempty"`
	ExpiresAt     time.Time `json:"expiresAt,omitzero"`
	OccurredAt    time.Time `json:"occurredAt"`
}

// VerificationRequested: someone signed up again with an address whose account
// is not verified yet, so a fresh verification link is sent.
type VerificationRequested struct {
	UserID      string    `json:"userId"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	SealedToken string    `json:"sealedToken"`
	ExpiresAt   time.Time `json:"expiresAt"`
	OccurredAt  time.Time `json:"occurredAt"`
}

// RegistrationAttempted: someone signed up with the address of an existing,
// verified account. The owner is told by mail; the caller sees the same
// answer as a new sign-up so the API does not reveal which addresses exist.
type RegistrationAttempted struct {
	UserID     string    `json:"userId"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	OccurredAt time.Time `json:"occurredAt"`
}

// EmailVerified: the owner proved control of the address.
type EmailVerified struct {
	UserID     string    `json:"userId"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	OccurredAt time.Time `json:"occurredAt"`
}

// PasswordResetRequested: a reset link (valid until ExpiresAt) is to be mailed.
type PasswordResetRequested struct {
	UserID      string    `json:"userId"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	SealedToken string    `json:"sealedToken"`
	ExpiresAt   time.Time `json:"expiresAt"`
	OccurredAt  time.Time `json:"occurredAt"`
}

// Reasons a password changed.
const (
	PasswordChangedByReset      = "reset"
	PasswordChangedByUser       = "change"
	PasswordChangedByBootstrap  = "bootstrap"  // the operator's admin bootstrap replaced an unverified account's password
	PasswordChangedByInvitation = "invitation" // the invitee chose the first password from the staff invitation
)

// PasswordChanged: the password was replaced; every session was revoked.
type PasswordChanged struct {
	UserID     string    `json:"userId"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Reason     string    `json:"reason"`
	OccurredAt time.Time `json:"occurredAt"`
}

// ActorBootstrap is who granted the roles of the operator's admin bootstrap
// (env or CLI): no user did.
const ActorBootstrap = "bootstrap"

// RoleGranted: the user gained a role. GrantedBy is the id of the admin who
// granted it, or ActorBootstrap; events stored before it existed have none.
// ViaInvitation marks the grant of a staff invitation, whose StaffInvited
// mail already tells the person, so no separate role mail is sent.
type RoleGranted struct {
	UserID        string    `json:"userId"`
	Email         string    `json:"email"`
	Name          string    `json:"name"`
	Role          Role      `json:"role"`
	GrantedBy     string    `json:"grantedBy,omitempty"`
	ViaInvitation bool      `json:"viaInvitation,omitempty"`
	OccurredAt    time.Time `json:"occurredAt"`
}

// RoleRevoked: the user lost a role; RevokedBy is the admin's user id.
type RoleRevoked struct {
	UserID     string    `json:"userId"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Role       Role      `json:"role"`
	RevokedBy  string    `json:"revokedBy"`
	OccurredAt time.Time `json:"occurredAt"`
}

// StaffInvited: an admin invited the address to the staff with Role; the
// mail carries a single-use link (SealedToken, valid until ExpiresAt) to
// choose a password, which also verifies the address.
type StaffInvited struct {
	UserID      string    `json:"userId"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Role        Role      `json:"role"`
	InvitedBy   string    `json:"invitedBy"`
	SealedToken string    `json:"sealedToken"`
	ExpiresAt   time.Time `json:"expiresAt"`
	OccurredAt  time.Time `json:"occurredAt"`
}

func (UserRegistered) EventType() string         { return TypeUserRegistered }
func (VerificationRequested) EventType() string  { return TypeVerificationRequested }
func (RegistrationAttempted) EventType() string  { return TypeRegistrationAttempted }
func (EmailVerified) EventType() string          { return TypeEmailVerified }
func (PasswordResetRequested) EventType() string { return TypePasswordResetRequested }
func (PasswordChanged) EventType() string        { return TypePasswordChanged }
func (RoleGranted) EventType() string            { return TypeRoleGranted }
func (RoleRevoked) EventType() string            { return TypeRoleRevoked }
func (StaffInvited) EventType() string           { return TypeStaffInvited }

func (e UserRegistered) AggregateID() string         { return e.UserID }
func (e VerificationRequested) AggregateID() string  { return e.UserID }
func (e RegistrationAttempted) AggregateID() string  { return e.UserID }
func (e EmailVerified) AggregateID() string          { return e.UserID }
func (e PasswordResetRequested) AggregateID() string { return e.UserID }
func (e PasswordChanged) AggregateID() string        { return e.UserID }
func (e RoleGranted) AggregateID() string            { return e.UserID }
func (e RoleRevoked) AggregateID() string            { return e.UserID }
func (e StaffInvited) AggregateID() string           { return e.UserID }
