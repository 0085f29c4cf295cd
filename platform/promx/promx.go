// Package promx holds the Prometheus helpers the services share.
package promx

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// RegisterOrExisting registers c on reg, or returns the collector already
// registered under the same description: two parts of one process (the
// one-process shop, tests) then share one series instead of failing. A nil
// reg leaves c unregistered.
func RegisterOrExisting[T prometheus.Collector](reg prometheus.Registerer, c T) T {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(T); ok {
				return existing
			}
		}
	}
	return c
}
