package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

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

func (a *app) projectionsCommand() *cobra.Command {
	return group("projections", "Read models: lag, rebuild progress, blue/green rebuilds",
		a.projectionsListCommand(), a.projectionsStatusCommand(), a.projectionsRebuildCommand())
}

func (a *app) projectionsListCommand() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "Every rebuildable read model with its checkpoint, lag and last rebuild",
		Args:  argsError(cobra.NoArgs),
		RunE:  func(c *cobra.Command, _ []string) error { return a.projectionsList(c.Context(), asJSON) },
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func (a *app) projectionsList(ctx context.Context, asJSON bool) error {
	r, err := a.backend.Runner(ctx)
	if err != nil {
		return err
	}
	sts, err := r.List(ctx)
	if err != nil {
		return err
	}
	return a.printStatuses(sts, asJSON)
}

func (a *app) projectionsStatusCommand() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status NAME",
		Short: "One read model's checkpoint, lag and rebuild progress",
		Args:  argsError(names(1, 1)),
		RunE:  func(c *cobra.Command, args []string) error { return a.projectionsStatus(c.Context(), args, asJSON) },
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// names accepts between lo and hi projection names.
func names(lo, hi int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return fmt.Errorf("%s takes %s projection NAME", c.CommandPath(), map[bool]string{true: "one", false: "at most one"}[lo == 1])
		}
		for _, n := range args {
			if !rebuild.ValidName(n) {
				return fmt.Errorf("%q is no projection name", n)
			}
		}
		return nil
	}
}

func (a *app) projectionsStatus(ctx context.Context, pos []string, asJSON bool) error {
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
	return a.printStatuses([]rebuild.Status{st}, asJSON)
}

func (a *app) projectionsRebuildCommand() *cobra.Command {
	var all, restart bool
	c := &cobra.Command{
		Use:   "rebuild NAME|--all",
		Short: "Replay history into a shadow of the read model and swap it in",
		Args:  argsError(names(0, 1)),
		RunE: func(c *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return usagef("projections rebuild takes one projection NAME or --all")
			}
			return a.projectionsRebuild(c.Context(), args, all, restart)
		},
	}
	c.Flags().BoolVar(&all, "all", false, "rebuild every projection, one after the other")
	c.Flags().BoolVar(&restart, "restart", false, "drop a shadow left by an interrupted rebuild and replay from zero (default: resume it)")
	return c
}

func (a *app) projectionsRebuild(ctx context.Context, pos []string, all, restart bool) error {
	r, err := a.backend.Runner(ctx)
	if err != nil {
		return err
	}
	names := pos
	if all {
		names = r.Registry().Names()
	} else if _, err := r.Registry().Get(pos[0]); err != nil {
		return usagef("%v (known: %s)", err, strings.Join(r.Registry().Names(), ", "))
	}
	for _, n := range names {
		bar := a.progressBar(n)
		opts := rebuild.Options{Restart: restart}
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
