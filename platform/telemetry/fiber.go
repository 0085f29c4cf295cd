package telemetry

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/evshop/shop/platform/httpx"
)

// MiddlewareConfig configures Middleware. The zero value is ready to use.
type MiddlewareConfig struct {
	// TracerProvider starts the server spans; nil means the global one
	// installed by Setup.
	TracerProvider trace.TracerProvider
	// Skip reports requests that get no span. Nil skips the probes and the
	// metrics scrape, which would otherwise be most of the spans exported.
	Skip func(c *fiber.Ctx) bool
}

// Middleware starts a server span per request, as the child of the
// traceparent the caller sent (if it is well formed), and puts it in the
// request's user context so handlers and the bus see it. It then writes the
// new span's traceparent back into the request headers: a handler that
// forwards c.Request() upstream (the gateway's reverse proxy) thereby sends
// this span as the parent, and the trace continues across services without
// each proxy route having to inject by hand.
func Middleware(cfg MiddlewareConfig) fiber.Handler {
	skip := cfg.Skip
	if skip == nil {
		skip = skipProbes
	}
	return func(c *fiber.Ctx) error {
		if skip(c) {
			return c.Next()
		}
		tr := tracer(cfg.TracerProvider)
		carrier := fasthttpCarrier{&c.Request().Header}
		ctx := w3c.Extract(c.UserContext(), carrier)
		// Fiber may reuse the request buffers, so the strings kept in the
		// span are copies.
		method := strings.Clone(c.Method())
		ctx, span := tr.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		if !span.IsRecording() {
			// Tracing off, or this trace not sampled: the span records
			// nothing, so it gets no attributes (building them was most of
			// this middleware's cost on every request), but the caller's
			// trace still travels on.
			if span.SpanContext().IsValid() {
				w3c.Inject(ctx, carrier)
				c.SetUserContext(ctx)
			}
			return c.Next()
		}
		span.SetAttributes(semconv.HTTPRequestMethodKey.String(method), semconv.URLPath(strings.Clone(c.Path())))
		w3c.Inject(ctx, carrier)
		c.SetUserContext(ctx)

		err := c.Next()

		// The route is known only after routing; it names the span the way
		// the http_requests_total metric labels it, so the two line up.
		route := strings.Clone(c.Route().Path)
		span.SetName(method + " " + route)
		status := statusOf(c, err)
		span.SetAttributes(semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(status))
		if status >= 500 {
			// 4xx are the caller's mistake, not a failure of this span
			// (OpenTelemetry's HTTP server convention).
			span.SetStatus(codes.Error, "")
			if err != nil {
				span.RecordError(err)
			}
		}
		return err
	}
}

// statusOf returns the status the error handler will send for err, which
// has not run yet while middleware unwinds.
func statusOf(c *fiber.Ctx, err error) int {
	if err == nil {
		return c.Response().StatusCode()
	}
	var p *httpx.Problem
	var fe *fiber.Error
	switch {
	case errors.As(err, &p):
		return p.Status
	case errors.As(err, &fe):
		return fe.Code
	default:
		return fiber.StatusInternalServerError
	}
}

func skipProbes(c *fiber.Ctx) bool {
	switch c.Path() {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return false
}

// fasthttpCarrier adapts Fiber's request headers to the propagation API.
type fasthttpCarrier struct{ h *fasthttp.RequestHeader }

func (f fasthttpCarrier) Get(key string) string { return string(f.h.Peek(key)) }

func (f fasthttpCarrier) Set(key, value string) { f.h.Set(key, value) }

func (f fasthttpCarrier) Keys() []string {
	var keys []string
	f.h.VisitAll(func(k, _ []byte) { keys = append(keys, string(k)) })
	return keys
}

// InjectFiber writes the span context of c's user context into the request
// headers of an outgoing fasthttp request (a Fiber client or proxy call that
// does not forward c.Request() itself).
func InjectFiber(c *fiber.Ctx, req *fasthttp.Request) {
	w3c.Inject(c.UserContext(), fasthttpCarrier{&req.Header})
}
