package telemetry

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/propagation"
)

// W3C header and metadata keys. Message metadata uses the same lower-case
// names as HTTP so a trace reads the same in a broker UI and in a proxy log.
const (
	KeyTraceparent = "traceparent"
	KeyTracestate  = "tracestate"
	KeyBaggage     = "baggage"
)

// w3c is stateless; one value serves every call.
var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// Propagator returns the W3C trace-context and baggage propagator. The
// helpers below use it directly rather than the global one, so context is
// carried even in a process that never called Setup (tests, tools).
func Propagator() propagation.TextMapPropagator { return w3c }

// Inject writes the span context of ctx (and its baggage) into message
// metadata, e.g. a Watermill message's Metadata map. A nil map or a ctx
// without a valid span leaves md unchanged.
func Inject(ctx context.Context, md map[string]string) {
	if md == nil {
		return
	}
	w3c.Inject(ctx, propagation.MapCarrier(md))
}

// Extract returns ctx carrying the remote span context found in message
// metadata. Malformed values are ignored (the W3C parser rejects them), so a
// hostile message can at worst start a new trace.
func Extract(ctx context.Context, md map[string]string) context.Context {
	if md == nil {
		return ctx
	}
	return w3c.Extract(ctx, propagation.MapCarrier(md))
}

// InjectHTTP writes the span context of ctx into the headers of an outgoing
// net/http request.
func InjectHTTP(ctx context.Context, h http.Header) {
	w3c.Inject(ctx, propagation.HeaderCarrier(h))
}

// ExtractHTTP reads a remote span context from net/http headers.
func ExtractHTTP(ctx context.Context, h http.Header) context.Context {
	return w3c.Extract(ctx, propagation.HeaderCarrier(h))
}
