package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/valyala/fasthttp"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/projections/projectionstest"
)

// HTTPRequest is one request for Serve: fuzz targets build them from
// arbitrary bytes, so nothing here is validated.
type HTTPRequest struct {
	Method string
	Target string // path and query, e.g. "/api/basket/items?x=1"
	Header [][2]string
	Body   []byte
}

// HTTPResponse is what Serve got back.
type HTTPResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// Serve runs r through app's handler in this goroutine, without a network
// connection or a server goroutine, so a fuzz target can send thousands of
// requests a second and a panic in a handler crashes the fuzz input that
// caused it (apps without the recover middleware).
func Serve(app *fiber.App, r HTTPRequest) HTTPResponse {
	var req fasthttp.Request
	req.Header.SetMethod(r.Method)
	req.SetRequestURI(r.Target)
	req.Header.SetHost("shop.test")
	for _, h := range r.Header {
		req.Header.Set(h[0], h[1])
	}
	if r.Body != nil {
		req.SetBody(r.Body)
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	app.Handler()(&ctx)
	return HTTPResponse{
		Status:      ctx.Response.StatusCode(),
		ContentType: string(ctx.Response.Header.ContentType()),
		Body:        append([]byte(nil), ctx.Response.Body()...),
	}
}

// CheckHostile fails t unless res is an acceptable answer to hostile input:
// never a 5xx, and every 4xx an RFC 9457 problem+json whose status matches.
// 2xx/3xx answers are allowed: fuzzed input is sometimes valid.
func CheckHostile(t testing.TB, what string, res HTTPResponse) {
	t.Helper()
	if res.Status >= 500 || res.Status < 100 {
		t.Fatalf("%s: status %d; body %.300q", what, res.Status, res.Body)
	}
	if res.Status >= 400 {
		CheckProblem(t, what, res.Status, res.ContentType, res.Body)
	}
}

// CheckProblem fails t unless the answer is a problem+json of that status.
func CheckProblem(t testing.TB, what string, status int, contentType string, body []byte) {
	t.Helper()
	if !strings.HasPrefix(contentType, "application/problem+json") {
		t.Fatalf("%s: %d with content type %q, want application/problem+json; body %.300q", what, status, contentType, body)
	}
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Status != status || p.Title == "" {
		t.Fatalf("%s: problem body %.300q does not carry status %d (%v)", what, body, status, err)
	}
}

// EventHistory is a realistic shop history in global order: orders with
// their checkout, stock, payment and returns streams, and baskets
// (projectionstest.Seed on a memory store). Fuzz targets of message handlers
// replay a prefix of it and seed their corpus with its events.
func EventHistory(tb testing.TB, orders, baskets int) []eventstore.RecordedEvent {
	tb.Helper()
	ctx := context.Background()
	store := memory.New()
	if _, err := projectionstest.Seed(ctx, store, 11, orders, baskets); err != nil {
		tb.Fatal(err)
	}
	// The generator draws fresh UUIDs each run; a fuzz corpus needs the same
	// history in every worker, so each id is renamed by order of appearance.
	ids := map[string]string{}
	rename := func(s string) string {
		return uuidPattern.ReplaceAllStringFunc(s, func(id string) string {
			if _, ok := ids[id]; !ok {
				ids[id] = uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "evshop-history-%d", len(ids))).String()
			}
			return ids[id]
		})
	}
	var out []eventstore.RecordedEvent
	for e, err := range store.ReadAll(ctx, 0, eventstore.Filter{}) {
		if err != nil {
			tb.Fatal(err)
		}
		e.ID, e.Stream, e.Data = rename(e.ID), rename(e.Stream), []byte(rename(string(e.Data)))
		e.Metadata = eventstore.Metadata{}
		e.Time = projectionstest.Start.Add(time.Duration(e.Position) * time.Second)
		out = append(out, e)
	}
	return out
}

var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// EventHandlerFunc is a message handler's Handle.
type EventHandlerFunc func(ctx context.Context, e eventstore.RecordedEvent) error

// FuzzEventHandler fuzzes a message handler's unmarshalling. Every input
// builds a fresh handler (build), replays the first cut events of history
// into it, then hands it one event with a fuzzed type, stream and payload at
// the next revision of that stream (skew makes it a redelivery or a gap).
// The handler may refuse the event with an error (that is what sends a
// poison message to the dead-letter queue); it must not panic. check, when
// not nil, then reads the handler's state (queries must not panic either).
// Every history event and extra is a seed.
func FuzzEventHandler(f *testing.F, history, extra []eventstore.RecordedEvent, build func(t *testing.T) (EventHandlerFunc, func(t *testing.T))) {
	for i, e := range history {
		f.Add(uint16(i), uint8(0), e.Type, e.Stream, []byte(e.Data))
	}
	for _, e := range extra {
		f.Add(uint16(len(history)), uint8(0), e.Type, e.Stream, []byte(e.Data))
	}
	f.Fuzz(func(t *testing.T, cut uint16, skew uint8, typ, stream string, data []byte) {
		ctx := context.Background()
		handle, check := build(t)
		n := int(cut) % (len(history) + 1)
		var rev uint64
		for _, e := range history[:n] {
			if e.Stream == stream {
				rev++
			}
			_ = handle(ctx, e) // replaying real history; refusals are the handler's business
		}
		switch {
		case skew%3 == 1:
			rev++ // a gap
		case skew%3 == 2 && rev > 0:
			rev-- // a redelivery of an older revision
		}
		e := eventstore.RecordedEvent{
			ID:     uuid.NewSHA1(uuid.NameSpaceOID, append([]byte(typ+"\x00"+stream+"\x00"), data...)).String(),
			Stream: stream, Revision: rev, Position: uint64(n) + 1, Type: typ, Data: data,
			Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		}
		_ = handle(ctx, e)
		_ = handle(ctx, e) // and its redelivery
		if check != nil {
			check(t)
		}
	})
}
