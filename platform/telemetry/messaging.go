package telemetry

import (
	"context"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// metaName is the metadata key holding the event or command wire name
// (messaging.MetaName); repeated here so this package does not depend on the
// bus it instruments.
const metaName = "name"

// ConsumeMiddleware returns a Watermill handler middleware that continues
// the trace carried in the message metadata: it starts a consumer span named
// after the router handler (a stable queue name) and the message's wire name,
// and sets it as the message context, so commands or events the handler
// publishes through a Publisher from Wrap carry it on. tp nil means the
// global provider.
func ConsumeMiddleware(tp trace.TracerProvider) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx, span := StartConsume(msg.Context(), message.HandlerNameFromCtx(msg.Context()), msg, tp)
			defer span.End()
			msg.SetContext(ctx)
			out, err := h(msg)
			if err != nil {
				span.SetStatus(codes.Error, "")
				span.RecordError(err)
			}
			for _, m := range out {
				Inject(ctx, m.Metadata)
			}
			return out, err
		}
	}
}

// StartConsume starts the consumer span of msg for handler, as the child of
// the span context in its metadata. It is exported for consumers that do not
// run inside a Watermill router (the relay's own tests, tools).
func StartConsume(ctx context.Context, handler string, msg *message.Message, tp trace.TracerProvider) (context.Context, trace.Span) {
	ctx = Extract(ctx, msg.Metadata)
	name := msg.Metadata.Get(metaName)
	spanName := strings.TrimSpace(handler + " " + name)
	if spanName == "" {
		spanName = "process"
	}
	return tracer(tp).Start(ctx, "process "+spanName, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			semconv.MessagingSystemRabbitMQ,
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingConsumerGroupName(handler),
			semconv.MessagingMessageID(msg.UUID),
			semconv.MessagingOperationName(name),
		))
}

// Wrap returns pub with every published message carrying the trace context
// of its own message context (msg.Context()), unless it already has one.
// Decorating the publisher, not each call site, means a new command type is
// traced without anyone remembering to inject.
func Wrap(pub message.Publisher) message.Publisher { return publisher{pub} }

type publisher struct{ message.Publisher }

func (p publisher) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		if m.Metadata == nil {
			m.Metadata = message.Metadata{}
		}
		if m.Metadata.Get(KeyTraceparent) == "" {
			Inject(m.Context(), m.Metadata)
		}
	}
	return p.Publisher.Publish(topic, msgs...)
}
