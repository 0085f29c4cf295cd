// Package telemetry owns OpenTelemetry tracing: the tracer provider every
// binary installs at start (OTLP over HTTP when an endpoint is configured, a
// no-op otherwise) and W3C trace-context propagation across the two ways a
// request leaves a process here: HTTP calls and RabbitMQ messages.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Environment variables read by Setup. They are the standard OpenTelemetry
// names, so the exporter's own variables (OTEL_EXPORTER_OTLP_HEADERS,
// OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES,
// …) work as documented upstream.
const (
	EnvEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	EnvTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	EnvSDKDisabled    = "OTEL_SDK_DISABLED"
)

// instrumentationName names the tracer of the spans this package starts.
const instrumentationName = "github.com/evshop/shop/platform/telemetry"

// ErrInvalidConfig is wrapped by Setup for a bad service name or endpoint.
var ErrInvalidConfig = errors.New("telemetry: invalid configuration")

var serviceNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// Shutdown flushes the spans still buffered and stops the exporter. It is
// safe to call once; the no-op provider's Shutdown does nothing.
type Shutdown func(ctx context.Context) error

// Setup installs the process-wide tracer provider and the W3C propagator
// (trace context and baggage). Spans are exported over OTLP/HTTP when
// OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only variant) is set and
// OTEL_SDK_DISABLED is not "true"; otherwise tracing is a no-op that still
// forwards an incoming traceparent, so a traced caller's trace is not broken
// by a service that does not export. Call the returned Shutdown before exit.
//
// OpenTelemetry's API keeps the provider in a global by design (libraries
// reach it without wiring); Setup is the only place this project sets it.
func Setup(ctx context.Context, serviceName string) (Shutdown, error) {
	tp, shutdown, err := NewProvider(ctx, serviceName, os.Getenv)
	if err != nil {
		return nil, err
	}
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(Propagator())
	return shutdown, nil
}

// NewProvider builds the tracer provider Setup installs without touching the
// globals; getenv is os.Getenv in production and a map lookup in tests.
func NewProvider(ctx context.Context, serviceName string, getenv func(string) string) (trace.TracerProvider, Shutdown, error) {
	if !serviceNamePattern.MatchString(serviceName) {
		return nil, nil, fmt.Errorf("%w: service name %q must be lower-case letters, digits and dashes", ErrInvalidConfig, serviceName)
	}
	endpoint, err := endpointFromEnv(getenv)
	if err != nil {
		return nil, nil, err
	}
	if endpoint == "" {
		return noop.NewTracerProvider(), func(context.Context) error { return nil }, nil
	}
	// The endpoint is passed explicitly so getenv stays the one source of it;
	// the exporter still reads OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and
	// _COMPRESSION itself.
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint))
	if err != nil {
		return nil, nil, fmt.Errorf("telemetry: OTLP exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(serviceName)))
	if err != nil {
		return nil, nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	// The default sampler is parent-based always-on and honours
	// OTEL_TRACES_SAMPLER, so operators lower the rate without a rebuild.
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(5*time.Second)),
		sdktrace.WithResource(res),
	)
	return tp, tp.Shutdown, nil
}

// endpointFromEnv returns the full OTLP traces URL, "" when tracing is off,
// or an error for a value the exporter would misread. Validating here makes a
// typo fail the start instead of silently dropping every span.
func endpointFromEnv(getenv func(string) string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(EnvSDKDisabled))); v {
	case "true":
		return "", nil
	case "", "false":
	default:
		return "", fmt.Errorf("%w: %s must be true or false, got %q", ErrInvalidConfig, EnvSDKDisabled, v)
	}
	name, raw := EnvTracesEndpoint, strings.TrimSpace(getenv(EnvTracesEndpoint))
	if raw == "" {
		name, raw = EnvEndpoint, strings.TrimSpace(getenv(EnvEndpoint))
	}
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		// The value is not echoed: an endpoint URL may carry credentials.
		return "", fmt.Errorf("%w: %s must be an http(s) URL without credentials", ErrInvalidConfig, name)
	}
	if name == EnvEndpoint {
		// The generic variable is a base URL; the signal path is appended
		// (OTLP exporter specification).
		u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/traces"
	}
	return u.String(), nil
}

// tracer returns the tracer of provider tp, or of the global provider when
// tp is nil (production, after Setup).
func tracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tp.Tracer(instrumentationName)
}
