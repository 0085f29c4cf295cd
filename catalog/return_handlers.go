package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	"github.com/google/uuid"

	"github.com/evshop/shop/catalog/stockmoves"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// HandlerReturnToStock names the command queue of returned goods. Stable.
const HandlerReturnToStock = "catalog.return-to-stock"

// ReturnHandlers puts returned goods back on hand or writes them off.
type ReturnHandlers struct {
	svc *Service
	log eventstore.Store
}

// NewReturnHandlers validates its dependencies.
func NewReturnHandlers(svc *Service, log eventstore.Store) (*ReturnHandlers, error) {
	if svc == nil || log == nil {
		return nil, errors.New("catalog: NewReturnHandlers needs a service and the event store")
	}
	return &ReturnHandlers{svc: svc, log: log}, nil
}

// CommandHandlers adapts the handler to Watermill's CQRS command processor.
func (h *ReturnHandlers) CommandHandlers() []cqrs.CommandHandler {
	return []cqrs.CommandHandler{cqrs.NewCommandHandler(HandlerReturnToStock, h.ReturnToStock)}
}

// returnMarkID is the id of the StockReturned mark of one return, SKU and
// disposition: the same command always looks for, and records, the same id.
func returnMarkID(cmd *domain.ReturnToStock) string {
	return uuid.NewSHA1(eventNamespace, []byte("return/"+cmd.ReturnID+"/"+cmd.SKU+"/"+cmd.Disposition)).String()
}

// ReturnToStock restocks (or writes off) a return's units once per
// (returnId, sku, disposition): a command whose mark is already in the
// order's stock stream is a no-op. The units move through MoveStock with
// the reference "return:<id>/<sku>/<disposition>" (once, whatever is redelivered), and
// land in the stock history as returned or written off.
func (h *ReturnHandlers) ReturnToStock(ctx context.Context, cmd *domain.ReturnToStock) error {
	orderID, err := domain.NewOrderID(cmd.OrderID)
	if err != nil {
		return invalid(err)
	}
	if !strings.HasPrefix(cmd.ReturnID, orderID+"-r") || len(cmd.ReturnID) > 80 {
		return messaging.Permanent(fmt.Errorf("%w: return id %q is not one of order %s", domain.ErrInvalid, cmd.ReturnID, orderID))
	}
	if cmd.Quantity < 1 || cmd.Quantity > domain.MaxStock {
		return messaging.Permanent(fmt.Errorf("%w: quantity %d", domain.ErrInvalid, cmd.Quantity))
	}
	if cmd.Disposition != domain.DispositionRestock && cmd.Disposition != domain.DispositionDamaged {
		return messaging.Permanent(fmt.Errorf("%w: disposition %q", domain.ErrInvalid, cmd.Disposition))
	}
	sku, err := domain.NewSKU(cmd.SKU)
	if err != nil {
		return invalid(err)
	}
	mark := returnMarkID(cmd)
	stream := domain.StockStream(orderID)
	for ev, err := range h.log.Read(ctx, stream, 0) {
		if err != nil {
			return err
		}
		if ev.ID == mark {
			return nil
		}
	}
	// The movement is idempotent by its reference, so a crash before the
	// mark below moves nothing twice on redelivery.
	move := Movement{SKU: sku.String(), Reason: stockmoves.ReasonReturned, Delta: cmd.Quantity,
		Note: "return " + cmd.ReturnID, Actor: messaging.UserID(ctx), Ref: "return:" + cmd.ReturnID + "/" + sku.String() + "/" + cmd.Disposition}
	if cmd.Disposition == domain.DispositionDamaged {
		// Sold units that come back unsellable: recorded, nothing on hand changes.
		move.Reason, move.Delta, move.Quantity = stockmoves.ReasonWrittenOff, 0, cmd.Quantity
	}
	if _, _, err := h.svc.MoveStock(ctx, move); err != nil {
		return invalid(err)
	}
	data, err := json.Marshal(domain.StockReturned{ReturnID: cmd.ReturnID, OrderID: orderID, SKU: sku.String(), Quantity: cmd.Quantity, Disposition: cmd.Disposition})
	if err != nil {
		return err
	}
	_, err = h.log.Append(ctx, stream, eventstore.Any(), eventstore.EventData{ID: mark, Type: domain.EventStockReturned, Data: data, Metadata: messaging.EventMetadata(ctx)})
	return err
}
