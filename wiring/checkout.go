package wiring

import (
	"context"
	"time"

	"github.com/evshop/shop/sagas/checkout"
)

// Checkout assembles the checkout saga and its deadline scheduler.
func (in *Infra) Checkout(ctx context.Context, o Checkout) (*checkout.Saga, error) {
	store, err := in.EventStore(ctx)
	if err != nil {
		return nil, err
	}
	bus, err := in.Bus(ctx)
	if err != nil {
		return nil, err
	}
	saga, err := checkout.New(checkout.Config{Store: store, Sender: bus, Timeout: o.PaymentDeadline, Logger: in.Log, Metrics: in.Registry})
	if err != nil {
		return nil, err
	}
	if err := in.On(ctx, saga.EventHandler()); err != nil {
		return nil, err
	}
	in.Go("checkout deadlines", func(ctx context.Context) error { return saga.Run(ctx, time.Second) })
	return saga, nil
}
