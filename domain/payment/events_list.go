package payment

// Events lists a zero value of every payment event, for registries and the
// generated event catalogue (cmd/docgen).
func Events() []Event {
	return []Event{PaymentRequested{}, PaymentActionRequired{}, PaymentAuthorized{}, PaymentFailed{},
		PaymentCaptured{}, PaymentVoided{}, PaymentRefunded{}}
}
