// Package wiring builds the shop's services from settings: it opens the
// infrastructure a mode needs (in-memory for the embedded shop, real servers
// otherwise) and assembles each service from its commands, projections and
// API. cmd/shop calls every builder in one process; cmd/<service> calls one.
// Keeping this in one place means the one-process shop and the separate
// binaries cannot drift apart.
package wiring
