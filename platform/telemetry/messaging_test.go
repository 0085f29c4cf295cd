package telemetry

import (
	"context"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// capture is a Publisher that keeps what it was given; it stands in for the
// broker only to observe metadata, which is all Wrap touches.
type capture struct{ got []*message.Message }

func (c *capture) Publish(_ string, msgs ...*message.Message) error {
	c.got = append(c.got, msgs...)
	return nil
}
func (c *capture) Close() error { return nil }

func TestTraceCrossesAMessageHop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handlerErr error
	}{
		{name: "handled"},
		{name: "handler fails", handlerErr: errors.New("stock service down")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tp, rec := recorded(t)
			// Producer: a handler context with a span publishes a command.
			ctx, producer := tp.Tracer("test").Start(context.Background(), "POST /api/basket/checkout")
			out := &capture{}
			msg := message.NewMessage("m-1", []byte(`{}`))
			msg.Metadata.Set("name", "catalog.ReserveStock.v1")
			msg.SetContext(ctx)
			if err := Wrap(out).Publish("commands", msg); err != nil {
				t.Fatal(err)
			}
			producer.End()
			if out.got[0].Metadata.Get(KeyTraceparent) == "" {
				t.Fatal("published message has no traceparent")
			}

			// Consumer: a fresh message as the broker would deliver it
			// (metadata only, no in-process context).
			delivered := message.NewMessage("m-1", out.got[0].Payload)
			for k, v := range out.got[0].Metadata {
				delivered.Metadata.Set(k, v)
			}
			var handlerSpan trace.SpanContext
			h := ConsumeMiddleware(tp)(func(m *message.Message) ([]*message.Message, error) {
				handlerSpan = trace.SpanContextFromContext(m.Context())
				next := message.NewMessage("m-2", []byte(`{}`))
				return []*message.Message{next}, tt.handlerErr
			})
			produced, err := h(delivered)
			if !errors.Is(err, tt.handlerErr) {
				t.Fatalf("err = %v", err)
			}

			var consumerSpan trace.SpanContext
			var consumerFailed bool
			for _, s := range rec.Ended() {
				if s.SpanKind() == trace.SpanKindConsumer {
					if s.Parent().SpanID() != producer.SpanContext().SpanID() {
						t.Fatalf("consumer parent %v, want producer %v", s.Parent().SpanID(), producer.SpanContext().SpanID())
					}
					if s.Name() != "process catalog.ReserveStock.v1" {
						t.Fatalf("consumer span name %q", s.Name())
					}
					consumerSpan = s.SpanContext()
					consumerFailed = s.Status().Code == codes.Error
				}
			}
			if !consumerSpan.IsValid() {
				t.Fatal("no consumer span")
			}
			if consumerSpan.TraceID() != producer.SpanContext().TraceID() || handlerSpan.SpanID() != consumerSpan.SpanID() {
				t.Fatalf("handler ran in %v, consumer span %v", handlerSpan, consumerSpan)
			}
			if consumerFailed != (tt.handlerErr != nil) {
				t.Fatalf("consumer span error = %v, want %v", consumerFailed, tt.handlerErr != nil)
			}
			// What the handler emits continues the same trace.
			sc := trace.SpanContextFromContext(Extract(context.Background(), produced[0].Metadata))
			if sc.SpanID() != consumerSpan.SpanID() || sc.TraceID() != consumerSpan.TraceID() {
				t.Fatalf("emitted message carries %v, want consumer span %v", sc, consumerSpan)
			}
		})
	}
}

func TestWrapKeepsExistingTraceparent(t *testing.T) {
	t.Parallel()
	tp, _ := recorded(t)
	ctx, span := tp.Tracer("test").Start(context.Background(), "other")
	defer span.End()
	out := &capture{}
	msg := message.NewMessage("m-1", nil)
	msg.Metadata.Set(KeyTraceparent, callerTP) // e.g. a redriven dead letter
	msg.SetContext(ctx)
	if err := Wrap(out).Publish("t", msg); err != nil {
		t.Fatal(err)
	}
	if got := out.got[0].Metadata.Get(KeyTraceparent); got != callerTP {
		t.Fatalf("traceparent overwritten: %q", got)
	}
	// A message without context or metadata gets none and does not panic.
	bare := &message.Message{UUID: "m-2"}
	if err := Wrap(out).Publish("t", bare); err != nil {
		t.Fatal(err)
	}
	if got := bare.Metadata.Get(KeyTraceparent); got != "" {
		t.Fatalf("context-less message got traceparent %q", got)
	}
}
