package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	"github.com/google/uuid"

	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// Stable handler names: they name the command queues, so renaming one would
// orphan a queue.
const (
	HandlerReserveStock = "catalog.reserve-stock"
	HandlerReleaseStock = "catalog.release-stock"
	HandlerCommitStock  = "catalog.commit-stock"
)

// EventAppender is where stock outcome events go. The lead wires it to the
// event store (expected revision Any) so the relay publishes them; event ids
// are derived from the order id and event type, so a redelivered command
// re-appends the same ids and the store's idempotent append ignores them.
type EventAppender interface {
	Append(ctx context.Context, stream string, events ...eventstore.EventData) error
}

// StockHandlers executes the checkout saga's stock commands.
type StockHandlers struct {
	svc *Service
	out EventAppender
}

// NewStockHandlers validates its dependencies.
func NewStockHandlers(svc *Service, out EventAppender) (*StockHandlers, error) {
	if svc == nil || out == nil {
		return nil, errors.New("catalog: NewStockHandlers needs a service and an event appender")
	}
	return &StockHandlers{svc: svc, out: out}, nil
}

// CommandHandlers adapts the handlers to Watermill's CQRS command processor.
func (h *StockHandlers) CommandHandlers() []cqrs.CommandHandler {
	return []cqrs.CommandHandler{
		cqrs.NewCommandHandler(HandlerReserveStock, h.ReserveStock),
		cqrs.NewCommandHandler(HandlerReleaseStock, h.ReleaseStock),
		cqrs.NewCommandHandler(HandlerCommitStock, h.CommitStock),
	}
}

// eventNamespace makes outcome event ids deterministic per order and type.
var eventNamespace = uuid.MustParse("5b0f2a51-7d0e-4c8e-9a52-6f1f7c1d2e3a")

func (h *StockHandlers) emit(ctx context.Context, orderID string, e interface{ EventName() string }) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	id := uuid.NewSHA1(eventNamespace, []byte(orderID+"/"+e.EventName())).String()
	return h.out.Append(ctx, domain.StockStream(orderID), eventstore.EventData{
		ID: id, Type: e.EventName(), Data: data, Metadata: messaging.EventMetadata(ctx),
	})
}

// invalid turns a command that can never succeed into a permanent failure
// (dead-lettered at once, not retried).
func invalid(err error) error {
	if errors.Is(err, domain.ErrInvalid) {
		return messaging.Permanent(err)
	}
	return err
}

// ReserveStock holds every line or none and emits StockReserved or
// StockReservationFailed. Out of stock is an outcome, not an error.
func (h *StockHandlers) ReserveStock(ctx context.Context, cmd *domain.ReserveStock) error {
	orderID, err := domain.NewOrderID(cmd.OrderID)
	if err != nil {
		return invalid(err)
	}
	lines := make([]domain.Line, 0, len(cmd.Lines))
	var bad []string
	for _, l := range cmd.Lines {
		line, err := domain.NewLine(l.SKU, l.Quantity)
		if err != nil {
			bad = append(bad, l.SKU)
			continue
		}
		lines = append(lines, line)
	}
	if len(bad) > 0 || len(lines) == 0 || len(lines) > domain.MaxReservationLines {
		// The order itself is known, so the saga gets an answer and can
		// cancel instead of waiting for its deadline.
		return h.emit(ctx, orderID, domain.StockReservationFailed{OrderID: orderID, Reason: "invalid order lines", SKUs: nonNil(bad)})
	}
	r, err := h.svc.Reserve(ctx, orderID, lines)
	if err != nil {
		return invalid(err)
	}
	switch r.Status() {
	case domain.StatusReserved, domain.StatusCommitted:
		return h.emit(ctx, orderID, domain.StockReserved{OrderID: orderID})
	case domain.StatusReleased:
		return h.emit(ctx, orderID, domain.StockReservationFailed{OrderID: orderID, Reason: domain.ReasonReleased, SKUs: []string{}})
	default:
		return h.emit(ctx, orderID, domain.StockReservationFailed{OrderID: orderID, Reason: r.Reason(), SKUs: nonNil(r.FailedSKUs())})
	}
}

// ReleaseStock gives the order's units back and emits StockReleased.
// Releasing a committed order is refused permanently (the saga refunds
// instead).
func (h *StockHandlers) ReleaseStock(ctx context.Context, cmd *domain.ReleaseStock) error {
	orderID, err := domain.NewOrderID(cmd.OrderID)
	if err != nil {
		return invalid(err)
	}
	if _, err := h.svc.Release(ctx, orderID); err != nil {
		if errors.Is(err, domain.ErrAlreadyCommitted) {
			return messaging.Permanent(err)
		}
		return invalid(err)
	}
	return h.emit(ctx, orderID, domain.StockReleased{OrderID: orderID})
}

// CommitStock turns held units into sold ones and emits StockCommitted.
func (h *StockHandlers) CommitStock(ctx context.Context, cmd *domain.CommitStock) error {
	orderID, err := domain.NewOrderID(cmd.OrderID)
	if err != nil {
		return invalid(err)
	}
	if _, err := h.svc.Commit(ctx, orderID); err != nil {
		if errors.Is(err, domain.ErrNotReserved) {
			return messaging.Permanent(fmt.Errorf("commit stock: %w", err))
		}
		return invalid(err)
	}
	return h.emit(ctx, orderID, domain.StockCommitted{OrderID: orderID})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
