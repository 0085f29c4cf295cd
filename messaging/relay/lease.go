package relay

import (
	"context"
	"log/slog"
	"time"
)

// WithLease runs lead whenever this process holds the lease name, and stands
// by otherwise, until ctx ends. lead's context ends when the lease is lost;
// when lead returns the lease is released with a context that outlives ctx,
// so a stopping leader hands over at once instead of when its connection
// times out. A nil Locker leads alone. what names the leader in the log;
// retry is the wait after a failed Acquire or a lead that failed. The relay
// and the read models' catch-up runners share this protocol.
func WithLease(ctx context.Context, l Locker, name, what string, log *slog.Logger, retry time.Duration, lead func(context.Context) error) {
	for ctx.Err() == nil {
		var lease Lease = soloLease{}
		if l != nil {
			log.InfoContext(ctx, "standing by for the "+what+" lease")
			var err error
			if lease, err = l.Acquire(ctx, name); err != nil {
				if ctx.Err() != nil {
					return
				}
				log.Error("acquiring the "+what+" lease failed; retrying", "error", err)
				Sleep(ctx, retry)
				continue
			}
		}
		lctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-lease.Lost():
				log.Warn(what + " lease lost; standing by")
				cancel()
			case <-lctx.Done():
			}
		}()
		err := lead(lctx)
		cancel()
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if rerr := lease.Release(rctx); rerr != nil {
			log.Warn("releasing the "+what+" lease failed", "error", rerr)
		}
		rcancel()
		if err != nil && ctx.Err() == nil {
			log.Error(what+" stopped; standing by", "error", err)
			Sleep(ctx, retry)
		}
	}
}
