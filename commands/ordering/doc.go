// Package ordering holds the ordering commands (one file each: the command
// struct with its fixed wire name and its handler) and the Handlers that load
// an order from the event store, decide, and append with the expected
// revision. The checkout saga and the admin API send these commands; they are
// idempotent under redelivery (a transition already made is a no-op).
package ordering
