// Package payment holds the payment commands (one file each: the command with
// its fixed wire name, and its handler) and the Handlers that load a payment
// from the event store, ask the aggregate whether a gateway call is allowed,
// make the call with an idempotency key derived from the payment id and the
// operation, and append the outcome with the expected revision. A redelivered
// command therefore never moves money twice: either the aggregate already
// knows the outcome (no call), or the gateway recognises the key.
package payment
