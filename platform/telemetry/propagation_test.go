package telemetry

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// recorded returns a real SDK provider whose spans are kept in memory.
func recorded(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, rec
}

func TestMetadataRoundTrip(t *testing.T) {
	t.Parallel()
	traceID, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	spanID, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	state, _ := trace.ParseTraceState("shop=checkout,vendor=x")
	tests := []struct {
		name  string
		flags trace.TraceFlags
		state trace.TraceState
		bag   string
	}{
		{name: "sampled", flags: trace.FlagsSampled},
		{name: "not sampled", flags: 0},
		{name: "with tracestate", flags: trace.FlagsSampled, state: state},
		{name: "with baggage", flags: trace.FlagsSampled, bag: "tenant=eu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, TraceFlags: tt.flags, TraceState: tt.state})
			ctx := trace.ContextWithSpanContext(context.Background(), sc)
			if tt.bag != "" {
				b, err := baggage.Parse(tt.bag)
				if err != nil {
					t.Fatal(err)
				}
				ctx = baggage.ContextWithBaggage(ctx, b)
			}
			md := map[string]string{"name": "ordering.OrderPlaced.v1"} // existing keys survive
			Inject(ctx, md)
			if md["name"] != "ordering.OrderPlaced.v1" {
				t.Fatalf("Inject clobbered metadata: %v", md)
			}
			if !strings.HasPrefix(md[KeyTraceparent], "00-"+traceID.String()+"-"+spanID.String()) {
				t.Fatalf("traceparent = %q", md[KeyTraceparent])
			}

			got := trace.SpanContextFromContext(Extract(context.Background(), md))
			if !got.IsRemote() || got.TraceID() != traceID || got.SpanID() != spanID || got.TraceFlags() != tt.flags {
				t.Fatalf("extracted %+v, want trace %s span %s flags %v", got, traceID, spanID, tt.flags)
			}
			if got.TraceState().String() != tt.state.String() {
				t.Fatalf("tracestate = %q, want %q", got.TraceState().String(), tt.state.String())
			}
			if tt.bag != "" {
				if v := baggage.FromContext(Extract(context.Background(), md)).Member("tenant").Value(); v != "eu" {
					t.Fatalf("baggage tenant = %q", v)
				}
			}
		})
	}
}

func TestExtractIgnoresMalformed(t *testing.T) {
	t.Parallel()
	for _, tp := range []string{
		"",
		"garbage",
		"00-00000000000000000000000000000000-b7ad6b7169203331-01", // all-zero trace id
		"00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", // all-zero span id
		"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",    // no flags
		"ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", // forbidden version
		"00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", // upper case
		"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-" + strings.Repeat("x", 4096),
	} {
		ctx := Extract(context.Background(), map[string]string{KeyTraceparent: tp})
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			t.Errorf("Extract(%q) gave a valid span context %v", tp, sc)
		}
	}
	// A nil map is a message without metadata: nothing to do, no panic.
	Inject(context.Background(), nil)
	if sc := trace.SpanContextFromContext(Extract(context.Background(), nil)); sc.IsValid() {
		t.Error("nil metadata gave a span context")
	}
}

func TestHTTPHeaderRoundTripContinuesTrace(t *testing.T) {
	t.Parallel()
	tp, rec := recorded(t)
	ctx, client := tp.Tracer("test").Start(context.Background(), "client")
	h := http.Header{}
	InjectHTTP(ctx, h)
	client.End()

	_, server := tp.Tracer("test").Start(ExtractHTTP(context.Background(), h), "server")
	server.End()

	ended := rec.Ended()
	if len(ended) != 2 {
		t.Fatalf("ended spans = %d, want 2", len(ended))
	}
	c, s := ended[0], ended[1]
	if s.Parent().SpanID() != c.SpanContext().SpanID() || s.SpanContext().TraceID() != c.SpanContext().TraceID() {
		t.Fatalf("server span %v is not a child of client span %v", s.Parent(), c.SpanContext())
	}
}
