package messaging

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	"github.com/ThreeDotsLabs/watermill/message"
)

// Command is implemented by every command type. The name is the wire
// contract (e.g. "catalog.ReserveStock.v1"); it names the command's queue and
// never derives from the Go type name, so renaming a type is safe.
type Command interface {
	CommandName() string
}

// commandMarshaler is Watermill's JSON marshaler named by CommandName. A
// payload that does not decode is permanent: it would fail on every retry.
type commandJSON struct{ cqrs.JSONMarshaler }

func commandMarshaler() commandJSON {
	return commandJSON{cqrs.JSONMarshaler{GenerateName: func(v any) string {
		if c, ok := v.(Command); ok {
			return c.CommandName()
		}
		return ""
	}}}
}

func (m commandJSON) Unmarshal(msg *message.Message, v any) error {
	if err := m.JSONMarshaler.Unmarshal(msg, v); err != nil {
		return fmt.Errorf("%w: command %s: %v", ErrMalformedMessage, msg.Metadata.Get(MetaName), err)
	}
	return nil
}

func commandName(v any) (string, error) {
	c, ok := v.(Command)
	if !ok {
		return "", fmt.Errorf("%w: %T", ErrNotCommand, v)
	}
	name := c.CommandName()
	if !namePattern.MatchString(name) {
		return "", fmt.Errorf("%w: command name %q must match %s", ErrInvalidConfig, name, namePattern)
	}
	return name, nil
}

// Send publishes cmd to its queue (AMQP: confirmed by the broker). The
// correlation, causation and user ids in ctx travel with it; without a
// correlation id the command starts a new conversation.
func (b *Bus) Send(ctx context.Context, cmd any) error {
	if _, err := commandName(cmd); err != nil {
		return err
	}
	if err := b.cmdBus.Send(ctx, cmd); err != nil {
		return fmt.Errorf("messaging: send %T: %w", cmd, err)
	}
	return nil
}

// AddCommandHandler consumes the command type returned by h.NewCommand from
// its durable queue; build h with cqrs.NewCommandHandler. The handler's ctx
// carries the sender's correlation id and the command's id as causation id
// (stamp both on the events it appends: see EventMetadata). It must be
// called before Run.
func (b *Bus) AddCommandHandler(h cqrs.CommandHandler) error {
	name, err := commandName(h.NewCommand())
	if err != nil {
		return err
	}
	if !namePattern.MatchString(h.HandlerName()) {
		return fmt.Errorf("%w: command handler name %q must match %s", ErrInvalidConfig, h.HandlerName(), namePattern)
	}
	if err := b.claim("command:" + name); err != nil {
		return err
	}
	if err := b.claim(h.HandlerName()); err != nil {
		return err
	}
	rh, err := b.cmdProc.AddHandler(h)
	if err != nil {
		return fmt.Errorf("messaging: command handler %s: %w", h.HandlerName(), err)
	}
	topic := b.commandTopic(name)
	rh.AddMiddleware(b.pipeline(route{handler: h.HandlerName(), kind: kindCommand, topic: topic, redriveTo: topic})...)
	return nil
}
