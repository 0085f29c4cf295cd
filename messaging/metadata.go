package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/logging"
	"github.com/evshop/shop/platform/telemetry"
)

// Message metadata keys. They are part of the wire contract between the relay
// and every consumer, so they never change; add new keys instead.
const (
	MetaName          = "name" // event type or command wire name (the cqrs marshaler reads it too)
	MetaEventID       = "event_id"
	MetaStream        = "stream"
	MetaRevision      = "revision"
	MetaPosition      = "position"
	MetaTime          = "time" // RFC 3339 with nanoseconds, UTC
	MetaCorrelationID = "correlation_id"
	MetaCausationID   = "causation_id"
	MetaUserID        = "user_id"
	MetaSchemaVersion = "schema_version"
	MetaTraceParent   = "traceparent" // W3C trace context (platform/telemetry)

	// Dead-letter keys; the first three use Watermill's poison-queue names so
	// Watermill tooling reads them too.
	MetaReason       = "reason_poisoned"
	MetaHandler      = "handler_poisoned"
	MetaTopic        = "topic_poisoned"
	MetaDeadLetterID = "dead_letter_id"
	MetaRedriveTo    = "redrive_to"
	MetaFailedAt     = "failed_at"
)

// ErrMalformedMessage is returned when a message cannot be turned back into
// an event or command; it is permanent, retrying cannot help.
var ErrMalformedMessage = errors.New("messaging: malformed message")

// EncodeEvent turns a recorded event into the message the relay publishes:
// the event id is the message id (consumers dedupe on it), the payload is the
// event data and everything else travels in metadata.
func EncodeEvent(e eventstore.RecordedEvent) *message.Message {
	payload := e.Data
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	}
	msg := message.NewMessage(e.ID, message.Payload(payload))
	md := msg.Metadata
	md.Set(MetaName, e.Type)
	md.Set(MetaEventID, e.ID)
	md.Set(MetaStream, e.Stream)
	md.Set(MetaRevision, strconv.FormatUint(e.Revision, 10))
	md.Set(MetaPosition, strconv.FormatUint(e.Position, 10))
	md.Set(MetaTime, e.Time.UTC().Format(time.RFC3339Nano))
	setIfNotEmpty(md, MetaCorrelationID, e.Metadata.CorrelationID)
	setIfNotEmpty(md, MetaCausationID, e.Metadata.CausationID)
	setIfNotEmpty(md, MetaUserID, e.Metadata.UserID)
	setIfNotEmpty(md, MetaTraceParent, e.Metadata.TraceParent)
	if e.Metadata.SchemaVersion != 0 {
		md.Set(MetaSchemaVersion, strconv.Itoa(e.Metadata.SchemaVersion))
	}
	return msg
}

// DecodeEvent rebuilds the envelope from a message made by EncodeEvent. Every
// field comes from outside the process, so each is checked; a failure wraps
// ErrMalformedMessage.
func DecodeEvent(msg *message.Message) (eventstore.RecordedEvent, error) {
	md := msg.Metadata
	bad := func(what string, err error) (eventstore.RecordedEvent, error) {
		if err != nil {
			return eventstore.RecordedEvent{}, fmt.Errorf("%w: %s: %v", ErrMalformedMessage, what, err)
		}
		return eventstore.RecordedEvent{}, fmt.Errorf("%w: %s", ErrMalformedMessage, what)
	}
	e := eventstore.RecordedEvent{
		ID:     md.Get(MetaEventID),
		Stream: md.Get(MetaStream),
		Type:   md.Get(MetaName),
		Metadata: eventstore.Metadata{
			CorrelationID: md.Get(MetaCorrelationID),
			CausationID:   md.Get(MetaCausationID),
			UserID:        md.Get(MetaUserID),
			TraceParent:   md.Get(MetaTraceParent),
		},
	}
	if e.ID == "" {
		e.ID = msg.UUID
	}
	if e.ID == "" || e.Stream == "" || e.Type == "" {
		return bad("event id, stream and name are required", nil)
	}
	var err error
	if e.Revision, err = strconv.ParseUint(md.Get(MetaRevision), 10, 64); err != nil {
		return bad("revision", err)
	}
	if e.Position, err = strconv.ParseUint(md.Get(MetaPosition), 10, 64); err != nil {
		return bad("position", err)
	}
	if e.Time, err = time.Parse(time.RFC3339Nano, md.Get(MetaTime)); err != nil {
		return bad("time", err)
	}
	if v := md.Get(MetaSchemaVersion); v != "" {
		if e.Metadata.SchemaVersion, err = strconv.Atoi(v); err != nil {
			return bad("schema version", err)
		}
	}
	if !json.Valid(msg.Payload) {
		return bad("payload is not JSON", nil)
	}
	if string(msg.Payload) != "null" {
		e.Data = json.RawMessage(append([]byte(nil), msg.Payload...))
	}
	return e, nil
}

func setIfNotEmpty(md message.Metadata, k, v string) {
	if v != "" {
		md.Set(k, v)
	}
}

type ctxKey int

const (
	causationKey ctxKey = iota
	userKey
)

// WithCorrelation stores the correlation id (the id shared by every message of
// one business conversation) in ctx. It is the same value platform/logging
// adds to every log line, so logs and messages line up.
func WithCorrelation(ctx context.Context, id string) context.Context {
	return logging.WithCorrelationID(ctx, id)
}

// CorrelationID returns the correlation id carried by ctx, if any.
func CorrelationID(ctx context.Context) string { return logging.CorrelationID(ctx) }

// WithCausation stores the causation id (the id of the message or event that
// caused the work now being done) in ctx.
func WithCausation(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, causationKey, id)
}

// CausationID returns the causation id carried by ctx, if any.
func CausationID(ctx context.Context) string {
	s, _ := ctx.Value(causationKey).(string)
	return s
}

// WithUserID stores the id of the user on whose behalf a command is sent.
func WithUserID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, userKey, id)
}

// UserID returns the user id carried by ctx, if any.
func UserID(ctx context.Context) string {
	s, _ := ctx.Value(userKey).(string)
	return s
}

// EventMetadata returns the metadata to stamp on events appended while
// handling a message in ctx: same correlation, caused by the handled message.
func EventMetadata(ctx context.Context) eventstore.Metadata {
	return eventstore.Metadata{CorrelationID: CorrelationID(ctx), CausationID: CausationID(ctx), UserID: UserID(ctx),
		TraceParent: traceParent(ctx)}
}

// traceParent is the W3C trace context of ctx's span, empty without one.
func traceParent(ctx context.Context) string {
	carrier := map[string]string{}
	telemetry.Inject(ctx, carrier)
	return carrier[MetaTraceParent]
}

// consumerContext is what a handler sees: the conversation's correlation id,
// the handled message as the cause of whatever the handler does next, and
// the user on whose behalf it acts.
func consumerContext(ctx context.Context, msg *message.Message) context.Context {
	if id := msg.Metadata.Get(MetaCorrelationID); id != "" {
		ctx = WithCorrelation(ctx, id)
	}
	if id := msg.Metadata.Get(MetaUserID); id != "" {
		ctx = WithUserID(ctx, id)
	}
	cause := msg.Metadata.Get(MetaEventID)
	if cause == "" {
		cause = msg.UUID
	}
	return WithCausation(ctx, cause)
}

// stampProducer copies the ids in ctx onto an outgoing message. A message
// sent outside any conversation starts one: its own id becomes the
// correlation id.
func stampProducer(ctx context.Context, msg *message.Message) {
	corr := CorrelationID(ctx)
	if corr == "" {
		corr = msg.UUID
	}
	msg.Metadata.Set(MetaCorrelationID, corr)
	setIfNotEmpty(msg.Metadata, MetaCausationID, CausationID(ctx))
	setIfNotEmpty(msg.Metadata, MetaUserID, UserID(ctx))
	setIfNotEmpty(msg.Metadata, MetaTraceParent, traceParent(ctx))
}
