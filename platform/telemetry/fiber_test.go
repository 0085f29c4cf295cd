package telemetry

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/evshop/shop/platform/httpx"
)

const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
	callerTP    = "00-" + callerTrace + "-" + callerSpan + "-01"
)

// seen is what a handler observed of the trace while it ran.
type seen struct {
	ctxSpan     trace.SpanContext
	traceparent string // the request header a forwarding proxy would send
}

func newTracedApp(tp trace.TracerProvider, got *seen) *fiber.App {
	app := fiber.New(httpx.AppConfig(slog.New(slog.NewTextHandler(io.Discard, nil))))
	app.Use(Middleware(MiddlewareConfig{TracerProvider: tp}))
	record := func(c *fiber.Ctx) {
		got.ctxSpan = trace.SpanContextFromContext(c.UserContext())
		got.traceparent = string(c.Request().Header.Peek(KeyTraceparent))
	}
	app.Get("/healthz", func(c *fiber.Ctx) error { record(c); return c.SendString("ok") })
	app.Get("/api/orders/:id", func(c *fiber.Ctx) error {
		record(c)
		switch c.Params("id") {
		case "missing":
			return httpx.NotFound("no such order")
		case "boom":
			return errors.New("database down")
		}
		return c.JSON(fiber.Map{"id": c.Params("id")})
	})
	return app
}

func attr(s sdktrace.ReadOnlySpan, key attribute.Key) attribute.Value {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func TestMiddlewareContinuesAndForwardsTrace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		path        string
		traceparent string
		wantStatus  int
		wantError   bool
		wantChild   bool // of the caller's span
	}{
		{name: "continues caller trace", path: "/api/orders/o-1", traceparent: callerTP, wantStatus: 200, wantChild: true},
		{name: "starts a root without traceparent", path: "/api/orders/o-1", wantStatus: 200},
		{name: "malformed traceparent starts a root", path: "/api/orders/o-1", traceparent: "00-zz-yy-01", wantStatus: 200},
		{name: "4xx is not a span error", path: "/api/orders/missing", traceparent: callerTP, wantStatus: 404, wantChild: true},
		{name: "5xx is a span error", path: "/api/orders/boom", traceparent: callerTP, wantStatus: 500, wantError: true, wantChild: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tp, rec := recorded(t)
			var got seen
			app := newTracedApp(tp, &got)
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			if tt.traceparent != "" {
				req.Header.Set(KeyTraceparent, tt.traceparent)
			}
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			ended := rec.Ended()
			if len(ended) != 1 {
				t.Fatalf("spans = %d, want 1", len(ended))
			}
			span := ended[0]
			if span.Name() != "GET /api/orders/:id" || span.SpanKind() != trace.SpanKindServer {
				t.Fatalf("span %q kind %v", span.Name(), span.SpanKind())
			}
			if r := attr(span, "http.route").AsString(); r != "/api/orders/:id" {
				t.Fatalf("http.route = %q", r)
			}
			if s := attr(span, "http.response.status_code").AsInt64(); s != int64(tt.wantStatus) {
				t.Fatalf("status attribute = %d, want %d", s, tt.wantStatus)
			}
			if isErr := span.Status().Code == codes.Error; isErr != tt.wantError {
				t.Fatalf("span status %v, want error %v", span.Status(), tt.wantError)
			}
			isChild := span.Parent().SpanID().String() == callerSpan && span.SpanContext().TraceID().String() == callerTrace
			if isChild != tt.wantChild {
				t.Fatalf("child of caller = %v, want %v (parent %v)", isChild, tt.wantChild, span.Parent())
			}
			if !tt.wantChild && span.Parent().IsValid() {
				t.Fatalf("root span has parent %v", span.Parent())
			}
			// The handler runs inside the server span, and a forwarded
			// request would carry that span as the parent.
			if got.ctxSpan.SpanID() != span.SpanContext().SpanID() {
				t.Fatalf("handler context span %v, want %v", got.ctxSpan.SpanID(), span.SpanContext().SpanID())
			}
			want := "00-" + span.SpanContext().TraceID().String() + "-" + span.SpanContext().SpanID().String() + "-01"
			if got.traceparent != want {
				t.Fatalf("forwarded traceparent = %q, want %q", got.traceparent, want)
			}
		})
	}
}

func TestMiddlewareSkipsProbes(t *testing.T) {
	t.Parallel()
	tp, rec := recorded(t)
	var got seen
	app := newTracedApp(tp, &got)
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set(KeyTraceparent, callerTP)
	resp, err := app.Test(req, -1)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	if n := len(rec.Ended()); n != 0 {
		t.Fatalf("probe produced %d spans", n)
	}
	if got.traceparent != callerTP {
		t.Fatalf("probe request header rewritten to %q", got.traceparent)
	}
}

// TestTraceCrossesTwoServices runs a gateway that proxies to an upstream
// service, both instrumented, over real loopback HTTP: the upstream span must
// be a child of the gateway span in the caller's trace.
func TestTraceCrossesTwoServices(t *testing.T) {
	t.Parallel()
	tp, rec := recorded(t)
	var upstreamSeen seen
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, span := tp.Tracer("upstream").Start(ExtractHTTP(r.Context(), r.Header), "upstream", trace.WithSpanKind(trace.SpanKindServer))
		upstreamSeen.ctxSpan = span.SpanContext()
		span.End()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(upstream.Close)

	gw := fiber.New()
	gw.Use(Middleware(MiddlewareConfig{TracerProvider: tp}))
	gw.Get("/api/*", func(c *fiber.Ctx) error {
		// What a reverse proxy does: forward the incoming request as is.
		req := fasthttp.AcquireRequest()
		defer fasthttp.ReleaseRequest(req)
		resp := fasthttp.AcquireResponse()
		defer fasthttp.ReleaseResponse(resp)
		c.Request().CopyTo(req)
		req.SetRequestURI(upstream.URL + "/" + c.Params("*"))
		if err := fasthttp.Do(req, resp); err != nil {
			return err
		}
		return c.SendStatus(resp.StatusCode())
	})
	req := httptest.NewRequest(http.MethodGet, "/api/orders", nil)
	req.Header.Set(KeyTraceparent, callerTP)
	resp, err := gw.Test(req, -1)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("gateway: %v %v", resp, err)
	}
	var gwSpan, upSpan sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		switch {
		case strings.HasPrefix(s.Name(), "GET "):
			gwSpan = s
		case s.Name() == "upstream":
			upSpan = s
		}
	}
	if gwSpan == nil || upSpan == nil {
		t.Fatalf("missing spans: %v", rec.Ended())
	}
	if upSpan.Parent().SpanID() != gwSpan.SpanContext().SpanID() || upSpan.SpanContext().TraceID().String() != callerTrace {
		t.Fatalf("upstream parent %v trace %v; gateway span %v", upSpan.Parent(), upSpan.SpanContext().TraceID(), gwSpan.SpanContext())
	}
}

// TestMiddlewareWithoutRecording: with tracing off (the no-op provider) or a
// caller's trace that is not sampled, the span records nothing, yet the
// caller's trace still reaches the handlers and the forwarded request, and a
// request without one gets none.
func TestMiddlewareWithoutRecording(t *testing.T) {
	t.Parallel()
	unsampledTP := "00-" + callerTrace + "-" + callerSpan + "-00"
	sampledOff := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	t.Cleanup(func() { sampledOff.Shutdown(t.Context()) }) //nolint:errcheck
	tests := []struct {
		name        string
		tp          trace.TracerProvider
		traceparent string
		wantTrace   string // "" = no valid span context in the handler
	}{
		{"no-op provider, caller's trace", noop.NewTracerProvider(), callerTP, callerTrace},
		{"no-op provider, no trace", noop.NewTracerProvider(), "", ""},
		{"never sampled, caller's unsampled trace", sampledOff, unsampledTP, callerTrace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got seen
			app := newTracedApp(tt.tp, &got)
			req := httptest.NewRequest(http.MethodGet, "/api/orders/o-1", nil)
			if tt.traceparent != "" {
				req.Header.Set(KeyTraceparent, tt.traceparent)
			}
			resp, err := app.Test(req, -1)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("GET: %v %v", resp, err)
			}
			if tt.wantTrace == "" {
				if got.ctxSpan.IsValid() || got.traceparent != "" {
					t.Fatalf("handler saw trace %v, header %q; want none", got.ctxSpan, got.traceparent)
				}
				return
			}
			if got.ctxSpan.TraceID().String() != tt.wantTrace || !strings.Contains(got.traceparent, tt.wantTrace) {
				t.Fatalf("handler saw trace %v, header %q; want %s", got.ctxSpan.TraceID(), got.traceparent, tt.wantTrace)
			}
		})
	}
}
