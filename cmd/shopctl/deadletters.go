package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/evshop/shop/messaging"
)

func (a *app) deadlettersCommand() *cobra.Command {
	return group("deadletters", "Messages a handler gave up on: list, show, redrive",
		a.deadlettersListCommand(), a.deadlettersShowCommand(), a.deadlettersRedriveCommand())
}

func (a *app) deadlettersListCommand() *cobra.Command {
	var handler string
	var limit int
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "Dead letters, newest first",
		Args:  argsError(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if limit < 1 || limit > 1000 {
				return usagef("--limit must be in 1..1000")
			}
			return a.deadlettersList(c.Context(), handler, limit, asJSON)
		},
	}
	c.Flags().StringVar(&handler, "handler", "", "only this handler's dead letters")
	c.Flags().IntVar(&limit, "limit", 100, "at most this many (1..1000)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func (a *app) deadlettersList(ctx context.Context, handler string, limit int, asJSON bool) error {
	dls, err := a.backend.DeadLetters(ctx)
	if err != nil {
		return err
	}
	list, err := dls.List(ctx, messaging.ListOptions{Handler: handler, Limit: limit})
	if err != nil {
		return err
	}
	if asJSON {
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

func (a *app) deadlettersShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "One dead letter with its payload",
		Args:  argsError(cobra.ExactArgs(1)),
		RunE:  func(c *cobra.Command, args []string) error { return a.deadlettersShow(c.Context(), args[0]) },
	}
}

func (a *app) deadlettersShow(ctx context.Context, id string) error {
	dls, err := a.backend.DeadLetters(ctx)
	if err != nil {
		return err
	}
	d, err := dls.Get(ctx, id)
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

func (a *app) deadlettersRedriveCommand() *cobra.Command {
	var all bool
	var handler string
	c := &cobra.Command{
		Use:   "redrive ID...|--all [--handler H]",
		Short: "Send dead letters back to the handler that gave up on them",
		RunE: func(c *cobra.Command, args []string) error {
			if all == (len(args) > 0) || (handler != "" && !all) {
				return usagef("deadletters redrive takes IDs, or --all [--handler H]")
			}
			return a.deadlettersRedrive(c.Context(), args, all, handler)
		},
	}
	c.Flags().BoolVar(&all, "all", false, "redrive every listed dead letter (with --handler: that handler's)")
	c.Flags().StringVar(&handler, "handler", "", "with --all: only this handler's")
	return c
}

func (a *app) deadlettersRedrive(ctx context.Context, pos []string, all bool, handler string) error {
	dls, err := a.backend.DeadLetters(ctx)
	if err != nil {
		return err
	}
	ids := pos
	if all {
		list, err := dls.List(ctx, messaging.ListOptions{Handler: handler, Limit: 1000})
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
