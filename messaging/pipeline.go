package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/google/uuid"

	"github.com/evshop/shop/platform/panics"
	"github.com/evshop/shop/platform/telemetry"
)

// Permanent marks err as not worth retrying (a validation failure, a message
// that can never be understood): the message goes to the dead-letter store
// at once instead of after the retries.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// IsPermanent reports whether err was marked by Permanent or is a malformed
// message.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p) || errors.Is(err, ErrMalformedMessage)
}

// errShuttingDown wraps context.Canceled so Watermill does not log the nack
// of a message held back during shutdown as a handler failure.
var errShuttingDown = fmt.Errorf("messaging: shutting down: %w", context.Canceled)

// Kinds of consumer, the kind label of messaging_delivered_total.
const (
	kindEvent      = "event"
	kindCommand    = "command"
	kindDeadLetter = "deadletter"
)

// route describes one consumer for the shared pipeline.
type route struct {
	handler   string          // stable logical name: metrics, logs, dead letters
	kind      string          // kindEvent, kindCommand or kindDeadLetter
	topic     string          // what it consumes (an event handler's queue for AMQP)
	redriveTo string          // topic on the direct publisher that reaches only this handler
	types     map[string]bool // nil accepts every message
}

// pipeline is the middleware every consumer gets, outermost first:
// delivery count → type filter → drain gate → context, logs, metrics and
// dead-lettering → bounded retries with backoff → panic recovery → the
// handler.
func (b *Bus) pipeline(r route) []message.HandlerMiddleware {
	ms := []message.HandlerMiddleware{b.countDelivery(r)}
	if r.types != nil {
		ms = append(ms, b.filterTypes(r))
	}
	return append(ms, b.gate, b.consume(r), b.retry(r), b.recoverer)
}

// countDelivery counts every message the broker (or Go channel) delivered
// to the consumer, whatever becomes of it: the cost side of routing, which
// messaging_handled_total does not show.
func (b *Bus) countDelivery(r route) message.HandlerMiddleware {
	delivered := b.metrics.delivered.WithLabelValues(r.handler, r.kind)
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			delivered.Inc()
			return h(msg)
		}
	}
}

// filterTypes acks, without handling, the events a handler does not handle.
// Routing delivers none of them; they arrive only from a binding left over
// from an older version of the handler (or the old fan-out exchange during
// an upgrade), and are counted so that such a binding shows.
func (b *Bus) filterTypes(r route) message.HandlerMiddleware {
	ignored := b.metrics.ignored.WithLabelValues(r.handler)
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if !r.types[msg.Metadata.Get(MetaName)] {
				ignored.Inc()
				return nil, nil
			}
			return h(msg)
		}
	}
}

// gate holds back messages delivered after shutdown began: they wait until
// the transport takes them back (nack), so only in-flight work is drained.
func (b *Bus) gate(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		if !b.drain.enter() {
			<-msg.Context().Done()
			return nil, errShuttingDown
		}
		defer b.drain.leave()
		return h(msg)
	}
}

func (b *Bus) consume(r route) message.HandlerMiddleware {
	handled := b.metrics.handled.WithLabelValues(r.handler)
	failed := b.metrics.failed.WithLabelValues(r.handler)
	dead := b.metrics.deadLettered.WithLabelValues(r.handler)
	duration := b.metrics.duration.WithLabelValues(r.handler)
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx, span := telemetry.StartConsume(consumerContext(msg.Context(), msg), r.handler, msg, nil)
			defer span.End()
			msg.SetContext(ctx)
			log := b.log.With("handler", r.handler, "message_id", msg.UUID,
				"name", msg.Metadata.Get(MetaName), "causation_id", msg.Metadata.Get(MetaCausationID))
			start := time.Now()
			_, err := h(msg)
			took := time.Since(start)
			duration.Observe(took.Seconds())
			if err == nil {
				handled.Inc()
				log.DebugContext(ctx, "message handled", "duration", took)
				return nil, nil
			}
			if msg.Context().Err() != nil {
				// Shutdown (or a lost connection) interrupted the handler:
				// the message goes back to its queue, it did not fail.
				log.InfoContext(ctx, "handling interrupted; message returned to the queue", "error", err)
				return nil, errors.Join(errShuttingDown, err)
			}
			failed.Inc()
			if perr := b.deadLetter(ctx, r, msg, err); perr != nil {
				log.ErrorContext(ctx, "dead-lettering failed; message returned to the queue", "error", err, "dead_letter_error", perr)
				return nil, errors.Join(err, perr)
			}
			dead.Inc()
			log.ErrorContext(ctx, "message dead-lettered", "error", err, "duration", took)
			return nil, nil
		}
	}
}

func (b *Bus) retry(r route) message.HandlerMiddleware {
	retried := b.metrics.retried.WithLabelValues(r.handler)
	max := max(b.cfg.Retry.MaxRetries, 0)
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			rt := middleware.Retry{
				MaxRetries:          max,
				InitialInterval:     b.cfg.Retry.Initial,
				MaxInterval:         b.cfg.Retry.Max,
				Multiplier:          b.cfg.Retry.Multiplier,
				RandomizationFactor: 0.2,
				ShouldRetry: func(p middleware.RetryParams) bool {
					if IsPermanent(p.Err) || msg.Context().Err() != nil || p.RetryNum >= max {
						return false
					}
					retried.Inc()
					b.log.WarnContext(msg.Context(), "handler failed, retrying", "handler", r.handler,
						"message_id", msg.UUID, "attempt", p.RetryNum+1, "error", p.Err)
					return true
				},
			}
			return rt.Middleware(h)(msg)
		}
	}
}

// maxReason keeps a runaway error message from bloating the dead letter.
const maxReason = 4096

func (b *Bus) deadLetter(ctx context.Context, r route, msg *message.Message, cause error) error {
	dl := msg.Copy()
	reason := cause.Error()
	if len(reason) > maxReason {
		reason = reason[:maxReason]
	}
	dl.Metadata.Set(MetaReason, reason)
	dl.Metadata.Set(MetaHandler, r.handler)
	dl.Metadata.Set(MetaTopic, r.topic)
	dl.Metadata.Set(MetaRedriveTo, r.redriveTo)
	dl.Metadata.Set(MetaDeadLetterID, uuid.NewString())
	dl.Metadata.Set(MetaFailedAt, time.Now().UTC().Format(time.RFC3339Nano))
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	dl.SetContext(pctx)
	return b.tr.direct().Publish(b.DeadLetterTopic(), dl)
}

// recoverer turns a handler's panic into an error (retried, then
// dead-lettered like any failure) and counts it where every recovered panic
// of the process is counted (platform/panics).
func (b *Bus) recoverer(h message.HandlerFunc) message.HandlerFunc {
	h = middleware.Recoverer(h)
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if _, ok := errors.AsType[middleware.RecoveredPanicError](err); ok {
			b.panics.Recovered(panics.WhereBus)
		}
		return out, err
	}
}
