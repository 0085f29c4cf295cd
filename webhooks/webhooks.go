// Package webhooks owns the shop's outbound webhooks: the endpoints admins
// register, the public payloads (a versioned contract of their own, mapped
// from internal events in one place, payload.go), their signature, the
// server-side request forgery guard, and the worker that reads the event
// store from a checkpoint into a delivery outbox and sends each endpoint's
// deliveries on its own, retrying with backoff for a day. Adapters of the
// Store port live in memstore and pgstore; storetest is their contract.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
)

// Errors of the Store port and of endpoint validation.
var (
	ErrNotFound = errors.New("webhooks: not found")
	// ErrInvalid is wrapped by Spec.Validate and the guard (as
	// *InvalidError), so the API answers 422 with the reason.
	ErrInvalid = errors.New("webhooks: invalid endpoint")
)

// InvalidError names the field that failed and why.
type InvalidError struct{ Field, Reason string }

func (e *InvalidError) Error() string { return "webhooks: " + e.Field + " " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Endpoint is a registered receiver. Secret signs every delivery; the API
// shows it once, when it is set.
type Endpoint struct {
	ID          string
	URL         string
	Description string
	EventTypes  []string
	Secret      string
	Enabled     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Subscribed reports whether the endpoint wants events of type t.
func (e Endpoint) Subscribed(t string) bool { return slices.Contains(e.EventTypes, t) }

// Spec is what an admin sends to register or change an endpoint.
type Spec struct {
	URL         string
	Description string
	EventTypes  []string
	Enabled     bool
}

// Limits of an endpoint's fields.
const (
	MaxURLLength         = 2048
	MaxDescriptionLength = 200
	MinSecretLength      = 24
	MaxSecretLength      = 256
)

// Validate checks everything but the target's addresses (Guard.Check does
// that) and normalises the event types (sorted, unique).
func (s *Spec) Validate() error {
	if s.URL == "" || len(s.URL) > MaxURLLength {
		return invalid("url", "must be 1–%d characters", MaxURLLength)
	}
	u, err := url.Parse(s.URL)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Hostname() == "":
		return invalid("url", "is not an absolute URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return invalid("url", "must be https (or http where allowed)")
	case u.User != nil:
		return invalid("url", "must not carry credentials; use the signing secret")
	case u.Fragment != "":
		return invalid("url", "must not have a fragment")
	}
	if len(s.Description) > MaxDescriptionLength || strings.ContainsFunc(s.Description, unicode.IsControl) {
		return invalid("description", "must be at most %d printable characters", MaxDescriptionLength)
	}
	if len(s.EventTypes) == 0 {
		return invalid("eventTypes", "must name at least one event type")
	}
	for _, t := range s.EventTypes {
		if !slices.Contains(EventTypes(), t) {
			return invalid("eventTypes", "%q is not one of %s", t, strings.Join(EventTypes(), ", "))
		}
	}
	s.EventTypes = slices.Compact(slices.Sorted(slices.Values(s.EventTypes)))
	return nil
}

// ValidateSecret checks an admin-chosen signing secret.
func ValidateSecret(secret string) error {
	if len(secret) < MinSecretLength || len(secret) > MaxSecretLength ||
		strings.ContainsFunc(secret, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsGraphic(r) || unicode.IsSpace(r) }) {
		return invalid("secret", "must be %d–%d printable ASCII characters without spaces", MinSecretLength, MaxSecretLength)
	}
	return nil
}

// NewSecret generates a signing secret.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand never fails
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// NewEndpoint builds a new endpoint from a validated spec.
func NewEndpoint(s Spec, secret string, now time.Time) Endpoint {
	return Endpoint{ID: uuid.NewString(), URL: s.URL, Description: s.Description, EventTypes: s.EventTypes,
		Secret: secret, Enabled: s.Enabled, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
}

// Status is where a delivery stands.
type Status string

// Delivery statuses.
const (
	StatusPending   Status = "pending"   // waiting for its next attempt
	StatusDelivered Status = "delivered" // the endpoint answered 2xx
	StatusFailed    Status = "failed"    // retries ran out; a redelivery starts them again
)

// Delivery is one event for one endpoint: the outbox row and its log
// entry. Payload is the exact body sent, fixed when the event was
// dispatched, so retries and redeliveries send the same bytes.
type Delivery struct {
	ID         string
	EndpointID string
	EventID    string
	EventType  string
	Payload    []byte
	Status     Status
	Attempts   int
	// NextAttemptAt is when a pending delivery is due; Deadline, after
	// which a failed attempt fails the delivery for good.
	NextAttemptAt time.Time
	Deadline      time.Time
	LastAttemptAt time.Time // zero before the first attempt
	LastStatus    int       // HTTP status of the last attempt; 0 if none came back
	LastError     string
	CreatedAt     time.Time
}

// Attempt is the outcome of one try, recorded by Store.Record.
type Attempt struct {
	At         time.Time
	StatusCode int
	Error      string
	// Status is the delivery's new status; Next, when pending, its next
	// attempt.
	Status Status
	Next   time.Time
}

// Store is the port every adapter implements (memory, PostgreSQL); the
// storetest suite pins its behaviour.
type Store interface {
	CreateEndpoint(ctx context.Context, e Endpoint) error
	// UpdateEndpoint replaces the endpoint with e.ID; ErrNotFound if none.
	UpdateEndpoint(ctx context.Context, e Endpoint) error
	Endpoint(ctx context.Context, id string) (Endpoint, error)
	// Endpoints lists every endpoint, oldest first.
	Endpoints(ctx context.Context) ([]Endpoint, error)
	// DeleteEndpoint removes the endpoint and its deliveries.
	DeleteEndpoint(ctx context.Context, id string) error

	// Checkpoint is the position of the last event dispatched (0: none).
	Checkpoint(ctx context.Context) (uint64, error)
	// Enqueue stores the deliveries and raises the checkpoint to through,
	// together: a crash never loses nor doubles a dispatched event. A
	// delivery of an event already queued for that endpoint is ignored.
	Enqueue(ctx context.Context, through uint64, ds []Delivery) error
	// Due returns up to limit pending deliveries of one endpoint whose next
	// attempt is at or before now, the earliest first.
	Due(ctx context.Context, endpointID string, now time.Time, limit int) ([]Delivery, error)
	// Record stores an attempt's outcome.
	Record(ctx context.Context, deliveryID string, a Attempt) error
	// Deliveries is an endpoint's delivery log, newest first.
	Deliveries(ctx context.Context, endpointID string, limit int) ([]Delivery, error)
	Delivery(ctx context.Context, id string) (Delivery, error)
	// Redeliver makes a delivery pending again, due at now, with retries
	// until deadline.
	Redeliver(ctx context.Context, id string, now, deadline time.Time) error
}
