package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/projections/rebuild"
)

func (a *app) printStatuses(sts []rebuild.Status, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(a.env.stdout).Encode(sts)
	}
	tw := tabwriter.NewWriter(a.env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCHECKPOINT\tHEAD\tLAG EVENTS\tLAG SECONDS\tSTATE\tREBUILD")
	for _, s := range sts {
		lag := fmt.Sprint(s.LagEvents)
		if s.LagCapped {
			lag = "≥" + lag
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.1f\t%s\t%s\n", s.Name, s.Checkpoint, s.Head, lag, s.LagSeconds, s.State, rebuildNote(s.Rebuild))
	}
	return tw.Flush()
}

func rebuildNote(p *rebuild.Progress) string {
	if p == nil {
		return "-"
	}
	note := fmt.Sprintf("%s %.1f%% applied=%d pos=%d/%d", p.Phase, p.Fraction()*100, p.Applied, p.Position, p.Target)
	if !p.UpdatedAt.IsZero() {
		note += " at " + p.UpdatedAt.UTC().Format(time.RFC3339)
	}
	if p.Error != "" {
		note += " error: " + p.Error
	}
	return note
}

func (a *app) projectionsList(ctx context.Context, args []string) error {
	fs := newFlags("projections list")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("projections list takes no arguments")
	}
	r, err := a.backend.Runner(ctx)
	if err != nil {
		return err
	}
	sts, err := r.List(ctx)
	if err != nil {
		return err
	}
	return a.printStatuses(sts, *asJSON)
}

func (a *app) projectionsStatus(ctx context.Context, args []string) error {
	fs := newFlags("projections status")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || !rebuild.ValidName(pos[0]) {
		return usagef("projections status takes one projection NAME")
	}
	r, err := a.backend.Runner(ctx)
	if err != nil {
		return err
	}
	st, err := r.Status(ctx, pos[0])
	if errors.Is(err, rebuild.ErrUnknownProjection) {
		return usagef("%v (known: %s)", err, strings.Join(r.Registry().Names(), ", "))
	}
	if err != nil {
		return err
	}
	return a.printStatuses([]rebuild.Status{st}, *asJSON)
}

func (a *app) projectionsRebuild(ctx context.Context, args []string) error {
	fs := newFlags("projections rebuild")
	all := fs.Bool("all", false, "rebuild every projection, one after the other")
	restart := fs.Bool("restart", false, "drop a shadow left by an interrupted rebuild and replay from zero (default: resume it)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *all == (len(pos) > 0) || len(pos) > 1 || (len(pos) == 1 && !rebuild.ValidName(pos[0])) {
		return usagef("projections rebuild takes one projection NAME or --all")
	}
	r, err := a.backend.Runner(ctx)
	if err != nil {
		return err
	}
	names := pos
	if *all {
		names = r.Registry().Names()
	} else if _, err := r.Registry().Get(pos[0]); err != nil {
		return usagef("%v (known: %s)", err, strings.Join(r.Registry().Names(), ", "))
	}
	for _, n := range names {
		bar := a.progressBar(n)
		opts := rebuild.Options{Restart: *restart}
		if bar != nil {
			opts.Progress = func(p rebuild.Progress) { bar.update(p.Fraction(), p.Applied, p.StartedAt, string(p.Phase)) }
		}
		p, err := r.Rebuild(ctx, n, opts)
		bar.done()
		if err != nil {
			if errors.Is(err, rebuild.ErrBusy) {
				return fmt.Errorf("%s: %w (see `shopctl projections status %s`)", n, err, n)
			}
			return err
		}
		fmt.Fprintf(a.env.stderr, "%s: rebuilt from %d events in %s, swapped at position %d\n",
			n, p.Applied, p.UpdatedAt.Sub(p.StartedAt).Round(time.Millisecond), p.Position)
	}
	return nil
}

func (a *app) deadlettersList(ctx context.Context, args []string) error {
	fs := newFlags("deadletters list")
	handler := fs.String("handler", "", "only this handler's dead letters")
	limit := fs.Int("limit", 100, "at most this many (1..1000)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *limit < 1 || *limit > 1000 {
		return usagef("deadletters list takes no arguments and --limit in 1..1000")
	}
	dls, err := a.backend.DeadLetters(ctx)
	if err != nil {
		return err
	}
	list, err := dls.List(ctx, messaging.ListOptions{Handler: *handler, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(a.env.stdout).Encode(list)
	}
	tw := tabwriter.NewWriter(a.env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFAILED AT\tHANDLER\tMESSAGE\tREASON")
	for _, d := range list {
		reason := d.Reason
		if len(reason) > 80 {
			reason = reason[:77] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.FailedAt.UTC().Format(time.RFC3339), d.Handler, d.MessageID, reason)
	}
	return tw.Flush()
}

func (a *app) deadlettersShow(ctx context.Context, args []string) error {
	pos, err := parse(newFlags("deadletters show"), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("deadletters show takes one ID")
	}
	dls, err := a.backend.DeadLetters(ctx)
	if err != nil {
		return err
	}
	d, err := dls.Get(ctx, pos[0])
	if err != nil {
		return err
	}
	view := struct {
		messaging.DeadLetter
		Payload json.RawMessage `json:"Payload"`
	}{DeadLetter: d}
	if json.Valid(d.Payload) {
		view.Payload = d.Payload
	} else {
		view.Payload, _ = json.Marshal(string(d.Payload))
	}
	enc := json.NewEncoder(a.env.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(view)
}

func (a *app) deadlettersRedrive(ctx context.Context, args []string) error {
	fs := newFlags("deadletters redrive")
	all := fs.Bool("all", false, "redrive every listed dead letter (with --handler: that handler's)")
	handler := fs.String("handler", "", "with --all: only this handler's")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *all == (len(pos) > 0) || (*handler != "" && !*all) {
		return usagef("deadletters redrive takes IDs, or --all [--handler H]")
	}
	dls, err := a.backend.DeadLetters(ctx)
	if err != nil {
		return err
	}
	ids := pos
	if *all {
		list, err := dls.List(ctx, messaging.ListOptions{Handler: *handler, Limit: 1000})
		if err != nil {
			return err
		}
		for _, d := range list {
			ids = append(ids, d.ID)
		}
	}
	var errs []error
	for _, id := range ids {
		if err := dls.Redrive(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
			continue
		}
		fmt.Fprintf(a.env.stderr, "redrove %s\n", id)
	}
	return errors.Join(errs...)
}
