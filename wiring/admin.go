package wiring

import (
	"context"
)

// Admin is the support back office that is not part of one service:
// projections (status, rebuild) and dead letters.
type Admin struct {
	Routes []Route
}

// Admin assembles the back-office APIs.
func (in *Infra) Admin(ctx context.Context) (*Admin, error) {
	return &Admin{}, nil
}
