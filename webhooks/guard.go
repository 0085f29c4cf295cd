package webhooks

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Guard keeps deliveries away from the shop's own network (server-side
// request forgery): a target is refused when any address its host resolves
// to is loopback, private, link-local, carrier-grade NAT, a cloud metadata
// service, unspecified, multicast or otherwise reserved, unless an
// allow-listed prefix contains it. The check runs when an endpoint is
// registered (a clear 422) and again at every connection (Control), so a
// host that later resolves elsewhere (DNS rebinding) is refused all the
// same.
type Guard struct {
	allow        []netip.Prefix
	requireHTTPS bool
	resolver     Resolver
}

// Resolver looks hosts up; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// NewGuard returns a guard that lets the allow-listed prefixes through.
// requireHTTPS (server mode) refuses plain http except to allow-listed
// addresses. A nil resolver uses net.DefaultResolver.
func NewGuard(allow []netip.Prefix, requireHTTPS bool, r Resolver) *Guard {
	if r == nil {
		r = net.DefaultResolver
	}
	return &Guard{allow: allow, requireHTTPS: requireHTTPS, resolver: r}
}

// refused are the ranges no delivery reaches unless allow-listed, each with
// the reason an admin is shown. Metadata addresses come before the ranges
// holding them so the reason names them.
var refused = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("169.254.169.254/32"), "a cloud metadata address"},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "a cloud metadata address"},
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address"},
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("fc00::/7"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a reserved address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"}, // and the broadcast address
	{netip.MustParsePrefix("64:ff9b::/96"), "a NAT64 address"},   // reaches any IPv4 address, private ones too
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a NAT64 address"},
}

func (g *Guard) allowListed(ip netip.Addr) bool {
	for _, p := range g.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// checkAddr returns why ip may not be reached ("" when it may).
func (g *Guard) checkAddr(ip netip.Addr, plainHTTP bool) string {
	ip = ip.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if g.allowListed(ip) {
		return ""
	}
	if plainHTTP && g.requireHTTPS {
		return "reachable over plain http only when allow-listed; use https"
	}
	for _, r := range refused {
		if r.prefix.Contains(ip) {
			return r.why
		}
	}
	if ip.Zone() != "" {
		return "a zoned address"
	}
	return ""
}

// Check resolves the URL's host (already validated by Spec.Validate) and
// refuses it if any of its addresses may not be reached.
func (g *Guard) Check(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return invalid("url", "is not a URL")
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if ip, perr := netip.ParseAddr(host); perr == nil {
		addrs = []netip.Addr{ip}
	} else {
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second) // an admin waits for the answer
		addrs, err = g.resolver.LookupNetIP(lctx, "ip", host)
		cancel()
	}
	if err != nil || len(addrs) == 0 {
		return invalid("url", "host %q does not resolve", host)
	}
	for _, ip := range addrs {
		if why := g.checkAddr(ip, u.Scheme == "http"); why != "" {
			return invalid("url", "resolves to %s (%s), which deliveries may not reach", ip, why)
		}
	}
	return nil
}

type plainHTTPKey struct{}

// withPlainHTTP marks a request's context as going out over plain http,
// which Control then allows only to allow-listed addresses.
func withPlainHTTP(ctx context.Context) context.Context {
	return context.WithValue(ctx, plainHTTPKey{}, true)
}

// Control is a net.Dialer.ControlContext: it runs after the host was
// resolved, on the address actually dialled.
func (g *Guard) Control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhooks: refusing to dial %s: %w", address, err)
	}
	plain, _ := ctx.Value(plainHTTPKey{}).(bool)
	if why := g.checkAddr(ap.Addr(), plain); why != "" {
		return fmt.Errorf("webhooks: refusing to dial %s: %s", address, why)
	}
	return nil
}
