package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// bar draws a one-line progress bar with rate and ETA on stderr. It is only
// made when stderr is a terminal, so logs and pipes never get control
// characters; every method is a no-op on a nil bar.
type bar struct {
	w     io.Writer
	label string
	last  time.Time
	drawn bool
}

func (a *app) progressBar(label string) *bar {
	if !a.env.stderrTTY {
		return nil
	}
	return &bar{w: a.env.stderr, label: label}
}

const barWidth = 30

// render formats one frame (kept apart from the clock for tests).
func render(label string, frac float64, n uint64, elapsed time.Duration, note string) string {
	frac = min(max(frac, 0), 1)
	full := int(frac * barWidth)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(n) / s
	}
	eta := "--:--"
	if frac > 0 && frac < 1 {
		left := time.Duration(float64(elapsed) * (1 - frac) / frac).Round(time.Second)
		eta = fmt.Sprintf("%02d:%02d", int(left.Minutes()), int(left.Seconds())%60)
	} else if frac >= 1 {
		eta = "00:00"
	}
	s := fmt.Sprintf("%s [%s%s] %5.1f%% %d events %.0f/s ETA %s", label, strings.Repeat("#", full),
		strings.Repeat("-", barWidth-full), frac*100, n, rate, eta)
	if note != "" {
		s += " " + note
	}
	return s
}

func (b *bar) update(frac float64, n uint64, started time.Time, note string) {
	if b == nil {
		return
	}
	now := time.Now()
	if b.drawn && now.Sub(b.last) < 100*time.Millisecond && frac < 1 {
		return
	}
	b.last, b.drawn = now, true
	fmt.Fprintf(b.w, "\r\x1b[2K%s", render(b.label, frac, n, now.Sub(started), note))
}

func (b *bar) done() {
	if b == nil || !b.drawn {
		return
	}
	fmt.Fprintln(b.w)
}
