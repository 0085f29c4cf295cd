package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/evshop/shop/export"
)

func (a *app) orderCommand() *cobra.Command {
	return group("order", "Look at one order's history", a.orderTimelineCommand())
}

func (a *app) orderTimelineCommand() *cobra.Command {
	var scan string
	var asJSON bool
	c := &cobra.Command{
		Use:   "timeline ORDER_ID",
		Short: "Every event of one order, its checkout, payments and stock, in order",
		Args:  argsError(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			return a.orderTimeline(c.Context(), args[0], scan, asJSON)
		},
	}
	c.Flags().StringVar(&scan, "scan", "window", "also find events of other streams by correlation id: window (around the order), all, none")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON Lines (the stored envelopes) instead of a table")
	return c
}

func (a *app) orderTimeline(ctx context.Context, orderID, scan string, asJSON bool) error {
	pos := []string{orderID}
	sc, err := export.ParseScan(scan)
	if err != nil {
		return usagef("--scan: %v", err)
	}
	es, err := a.backend.Events(ctx)
	if err != nil {
		return err
	}
	evs, err := export.Timeline(ctx, es, pos[0], export.TimelineOptions{Scan: sc})
	if err != nil {
		if errors.Is(err, export.ErrInvalidOrderID) {
			return usagef("%v", err)
		}
		return err
	}
	if len(evs) == 0 {
		return fmt.Errorf("no events for order %s", pos[0])
	}
	if asJSON {
		enc := json.NewEncoder(a.env.stdout)
		for _, ev := range evs {
			ev.Data = export.RedactJSON(ev.Data)
			if err := enc.Encode(ev); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(a.env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POSITION\tTIME\tSTREAM\tREV\tTYPE\tDATA")
	for _, ev := range evs {
		data := string(export.RedactJSON(ev.Data))
		if len(data) > 120 {
			data = data[:117] + "..."
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", ev.Position, ev.Time.UTC().Format(time.RFC3339), ev.Stream, ev.Revision, ev.Type, data)
	}
	return tw.Flush()
}
