package wiring

import (
	"github.com/ThreeDotsLabs/watermill/components/cqrs"

	"github.com/evshop/shop/messaging"
)

// Handler describes one consumer this Infra registered on the bus. The
// documentation generator (cmd/docgen) reads them to list, from the wiring
// itself, who consumes each event and who handles each command.
type Handler struct {
	// Name is the stable handler name (it names the queue).
	Name string
	// Events are the event types an event handler receives (empty: every
	// event); nil for a command handler.
	Events []string
	// Command is a zero value of the command a command handler consumes
	// (what cqrs.CommandHandler.NewCommand returns); nil for events.
	Command any
}

// Handlers lists the consumers registered so far, in registration order.
func (in *Infra) Handlers() []Handler { return append([]Handler(nil), in.handlers...) }

// commandHandlers registers command handlers on the bus and records them.
func (in *Infra) commandHandlers(bus *messaging.Bus, hs []cqrs.CommandHandler) error {
	for _, h := range hs {
		if err := bus.AddCommandHandler(h); err != nil {
			return err
		}
		in.handlers = append(in.handlers, Handler{Name: h.HandlerName(), Command: h.NewCommand()})
	}
	return nil
}

// recordEventHandler notes an event handler added through On.
func (in *Infra) recordEventHandler(h messaging.EventHandler) {
	in.handlers = append(in.handlers, Handler{Name: h.Name, Events: append([]string{}, h.Types...)})
}
