package telemetry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestNewProviderConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		service string
		env     map[string]string
		wantErr bool
		wantOn  bool
	}{
		{name: "no endpoint is a no-op", service: "gateway", env: nil},
		{name: "disabled wins over endpoint", service: "gateway", env: map[string]string{EnvEndpoint: "http://collector:4318", EnvSDKDisabled: "true"}},
		{name: "generic endpoint", service: "ordering", env: map[string]string{EnvEndpoint: "http://collector:4318"}, wantOn: true},
		{name: "traces endpoint", service: "ordering", env: map[string]string{EnvTracesEndpoint: "https://collector:4318/v1/traces"}, wantOn: true},
		{name: "bad scheme", service: "ordering", env: map[string]string{EnvEndpoint: "collector:4318"}, wantErr: true},
		{name: "grpc scheme", service: "ordering", env: map[string]string{EnvEndpoint: "grpc://collector:4317"}, wantErr: true},
		{name: "credentials in URL", service: "ordering", env: map[string]string{EnvEndpoint: "http://u:p@collector:4318"}, wantErr: true},
		{name: "bad disabled flag", service: "ordering", env: map[string]string{EnvSDKDisabled: "yes"}, wantErr: true},
		{name: "empty service name", service: "", wantErr: true},
		{name: "upper-case service name", service: "Gateway", wantErr: true},
		{name: "service name with space", service: "gate way", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tp, shutdown, err := NewProvider(context.Background(), tt.service, envOf(tt.env))
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidConfig) {
					t.Fatalf("err = %v, want ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewProvider: %v", err)
			}
			t.Cleanup(func() { _ = shutdown(context.Background()) })
			_, isNoop := tp.(noop.TracerProvider)
			if isNoop == tt.wantOn {
				t.Fatalf("provider %T: exporting = %v, want %v", tp, !isNoop, tt.wantOn)
			}
		})
	}
}

func TestEndpointFromEnvAppendsSignalPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{EnvEndpoint: "http://c:4318"}, "http://c:4318/v1/traces"},
		{map[string]string{EnvEndpoint: "http://c:4318/otlp/"}, "http://c:4318/otlp/v1/traces"},
		{map[string]string{EnvTracesEndpoint: "http://c:4318/custom"}, "http://c:4318/custom"},
		{map[string]string{EnvEndpoint: "http://a:1", EnvTracesEndpoint: "http://b:2/t"}, "http://b:2/t"},
	}
	for _, tt := range tests {
		got, err := endpointFromEnv(envOf(tt.env))
		if err != nil || got != tt.want {
			t.Errorf("endpointFromEnv(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}

// TestExportsOverOTLPHTTP sends a span to a local HTTP server standing in for
// the collector and checks it arrives on the OTLP traces path.
func TestExportsOverOTLPHTTP(t *testing.T) {
	t.Parallel()
	var posts atomic.Int32
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && len(body) > 0 {
			path.Store(r.URL.Path)
			posts.Add(1)
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)

	ctx := context.Background()
	tp, shutdown, err := NewProvider(ctx, "checkout", envOf(map[string]string{EnvEndpoint: srv.URL}))
	if err != nil {
		t.Fatalf("NewProvider: %v", err)
	}
	_, span := tp.Tracer("test").Start(ctx, "work")
	span.End()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := shutdown(sctx); err != nil { // flushes the batch
		t.Fatalf("shutdown: %v", err)
	}
	if posts.Load() == 0 {
		t.Fatal("collector received no export")
	}
	if got := path.Load(); got != "/v1/traces" {
		t.Fatalf("export path = %v, want /v1/traces", got)
	}
}

func TestSetupInstallsW3CPropagator(t *testing.T) {
	// Not parallel: Setup replaces process-wide OpenTelemetry globals.
	t.Setenv(EnvEndpoint, "")
	t.Setenv(EnvTracesEndpoint, "")
	shutdown, err := Setup(context.Background(), "relay")
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	defer func() { _ = shutdown(context.Background()) }()
	// With tracing off, a remote parent still passes through untouched.
	md := map[string]string{KeyTraceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
	ctx := Extract(context.Background(), md)
	ctx, span := tracer(nil).Start(ctx, "child")
	defer span.End()
	out := map[string]string{}
	Inject(ctx, out)
	if got := trace.SpanContextFromContext(ctx).TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("trace id = %s", got)
	}
	if out[KeyTraceparent] != md[KeyTraceparent] {
		t.Fatalf("no-op tracing changed traceparent: %q", out[KeyTraceparent])
	}
}
