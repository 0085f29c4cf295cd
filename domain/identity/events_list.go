package identity

// Events lists a zero value of every identity event, for registries and the
// generated event catalogue (cmd/docgen).
func Events() []Event {
	return []Event{UserRegistered{}, VerificationRequested{}, RegistrationAttempted{}, EmailVerified{},
		PasswordResetRequested{}, PasswordChanged{}, RoleGranted{}, RoleRevoked{}, StaffInvited{}}
}
