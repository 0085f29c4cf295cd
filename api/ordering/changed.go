package ordering

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/projections/orders"
)

// maxWait bounds Prefer: wait on an order read: well within the servers'
// write timeout and the gateway's proxy timeout (30 s each) and the 15 s a
// stopping shop gives the requests in flight.
const maxWait = 10 * time.Second

// respond sends o as GET /{id} answers it: with its ETag, or 304 when the
// client holds that version (If-None-Match), after waiting for a change
// when the client asked to (Prefer: wait). Only an order the caller may
// read gets here, and waiting changes nothing of who may read it.
func (a *API) respond(c *fiber.Ctx, id string, o orders.Order) error {
	held := c.Get(fiber.HeaderIfNoneMatch)
	if held != "" && matches(held, o.Version) {
		if wait, ok := preferWait(c.Get("Prefer")); ok {
			c.Set("Preference-Applied", "wait="+strconv.Itoa(int(wait/time.Second)))
			if wait > 0 {
				was := o.Version
				// Served from memory while nothing changed on a store that
				// tells where its streams end (current's fast path): pause
				// briefly. Otherwise every read reaches the read model and
				// the stream, so pause as a polling client would.
				first, most := 2*time.Millisecond, 10*time.Millisecond
				if a.heads == nil {
					first, most = 20*time.Millisecond, 250*time.Millisecond
				}
				changed, err := a.await(c.UserContext(), id, wait, first, most, func(o orders.Order) bool { return o.Version != was })
				if err != nil {
					return err
				}
				if changed.Version != 0 {
					o = changed
				}
			}
		}
	}
	c.Set(fiber.HeaderETag, etag(o.Version))
	if held != "" && matches(held, o.Version) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return sendOrder(c, o)
}

// etag is the weak entity tag of an order at version: its representation
// follows from the events up to that version.
func etag(version uint64) string { return `W/"` + strconv.FormatUint(version, 10) + `"` }

// matches reports whether an If-None-Match value names the order at version
// (weak comparison, RFC 9110 §13.1.2; "*" names any current order).
func matches(header string, version uint64) bool {
	want := etag(version)[2:] // the opaque tag, quotes included
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}

// preferWait reads the wait preference of a Prefer header (RFC 7240 §4.3:
// "wait=<delta-seconds>", among other preferences, each possibly with
// parameters after ';'), capped at maxWait; ok is false when there is none
// or its value is not a number of seconds (a preference the server does
// not understand is ignored, RFC 7240 §2).
func preferWait(header string) (wait time.Duration, ok bool) {
	for pref := range strings.SplitSeq(header, ",") {
		pref, _, _ = strings.Cut(pref, ";")
		name, value, found := strings.Cut(strings.TrimSpace(pref), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(name), "wait") {
			continue
		}
		value = strings.Trim(strings.TrimSpace(value), `"`)
		if value == "" || strings.TrimLeft(value, "0123456789") != "" {
			return 0, false
		}
		if n, err := strconv.Atoi(value); err == nil && n < int(maxWait/time.Second) {
			return time.Duration(n) * time.Second, true
		}
		return maxWait, true // however many digits
	}
	return 0, false
}
