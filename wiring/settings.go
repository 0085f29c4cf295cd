package wiring

import "github.com/evshop/shop/wiring/settings"

// The settings types live in wiring/settings (no adapter imports, so tools
// read them without linking the services); these names keep the builders'
// signatures short.

// Modes of running.
const (
	ModeEmbedded = settings.ModeEmbedded
	ModeServer   = settings.ModeServer
)

// Settings groups, one per service plus Common.
type (
	Common         = settings.Common
	Tokens         = settings.Tokens
	Cookies        = settings.Cookies
	Proxies        = settings.Proxies
	MailLink       = settings.MailLink
	PublicSite     = settings.PublicSite
	PaymentMethods = settings.PaymentMethods
	Pricing        = settings.Pricing
	Projections    = settings.Projections
	Relay          = settings.Relay
	Auth           = settings.Auth
	Client         = settings.Client
	Catalog        = settings.Catalog
	Stock          = settings.Stock
	Basket         = settings.Basket
	Ordering       = settings.Ordering
	Payment        = settings.Payment
	Checkout       = settings.Checkout
	Notifier       = settings.Notifier
	Webhooks       = settings.Webhooks
	Admin          = settings.Admin
	Gateway        = settings.Gateway
	Upstreams      = settings.Upstreams
)

// Each binary's settings.
type (
	ShopSettings     = settings.ShopSettings
	AuthSettings     = settings.AuthSettings
	ClientSettings   = settings.ClientSettings
	CatalogSettings  = settings.CatalogSettings
	BasketSettings   = settings.BasketSettings
	OrderingSettings = settings.OrderingSettings
	PaymentSettings  = settings.PaymentSettings
	CheckoutSettings = settings.CheckoutSettings
	NotifierSettings = settings.NotifierSettings
	AdminSettings    = settings.AdminSettings
	GatewaySettings  = settings.GatewaySettings
	RelaySettings    = settings.RelaySettings
)

// LoadShop reads the one-process shop's settings (tests and tools that run
// the shop in process).
func LoadShop(lookup func(string) (string, bool), args ...string) (*ShopSettings, error) {
	return settings.LoadShop(lookup, args...)
}

// LoopbackOnly reports whether a listen address accepts connections from
// this machine only (see settings.LoopbackOnly).
func LoopbackOnly(addr string) bool { return settings.LoopbackOnly(addr) }
