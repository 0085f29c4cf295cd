package wiring

import "github.com/gofiber/fiber/v2"

// PublicAPI is the public API's route table, the one list of which service
// serves which prefix: each service builder mounts its handlers under its
// prefixes, the gateway proxies each prefix to UPSTREAM_<Service> in server
// mode, and a test checks that the one-process shop serves exactly these
// prefixes and that every operation served is in the OpenAPI document.
var PublicAPI = []struct{ Service, Prefix string }{
	{"AUTH", "/api/auth"},
	{"AUTH", "/api/admin/staff"},
	{"CLIENTS", "/api/clients"},
	{"CLIENTS", "/api/admin/customers"},
	{"CATALOG", "/api/catalog"},
	{"BASKET", "/api/basket"},
	{"BASKET", "/api/admin/discounts"},
	{"ORDERS", "/api/orders"},
	{"ORDERS", "/api/admin/orders"},
	{"ORDERS", "/api/admin/returns"},
	{"ORDERS", "/api/admin/sales"},
	{"ORDERS", "/api/shipping"},
	{"PAYMENTS", "/api/payments"},
	{"ADMIN", "/api/admin/projections"},
	{"ADMIN", "/api/admin/deadletters"},
	{"NOTIFICATIONS", "/api/notifications"},
	{"NOTIFICATIONS", "/api/admin/notifications"},
	{"NOTIFICATIONS", "/api/admin/webhooks"},
}

// Route is a part of the public API served by one service: the gateway
// mounts it in-process (embedded) and each service binary serves it itself.
// Its Prefix is one of PublicAPI's.
type Route struct {
	Prefix string // e.g. "/api/orders"
	Mount  func(fiber.Router)
}

// MountAll mounts routes on app under their prefixes.
func MountAll(app fiber.Router, routes []Route) {
	for _, r := range routes {
		r.Mount(app.Group(r.Prefix))
	}
}
