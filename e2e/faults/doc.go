// Package faults holds the fault tests of the server-mode shop (issue 11):
// during 1,000 concurrent checkouts through the gateway, RabbitMQ is
// restarted, a service process is killed with SIGKILL and restarted, and the
// relay is restarted; afterwards every order must be terminal, none lost, no
// payment captured twice, stock balanced, exactly one confirmation email per
// paid order, and every projection equal to a fresh rebuild.
//
// The tests share the machine's servers with every other test, so they run
// serially in this package, always bring a stopped server back (even when
// the test fails or is interrupted) and leave no queue or database behind.
// They are skipped by -short only.
package faults
