package wiring

import "github.com/gofiber/fiber/v2"

// Route is a part of the public API served by one service: the gateway
// mounts it in-process (embedded) and each service binary serves it itself.
type Route struct {
	Service string // upstream key, e.g. "ORDERS" → UPSTREAM_ORDERS
	Prefix  string // e.g. "/api/orders"
	Mount   func(fiber.Router)
}

// MountAll mounts routes on app under their prefixes.
func MountAll(app fiber.Router, routes []Route) {
	for _, r := range routes {
		r.Mount(app.Group(r.Prefix))
	}
}
