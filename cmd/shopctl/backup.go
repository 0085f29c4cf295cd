package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// backuper is the backend that can copy the shop: the embedded shop's data
// directory (EVENTSTORE=sqlite).
type backuper interface {
	Backup(ctx context.Context, dest string) (string, error)
}

func (a *app) backupCommand() *cobra.Command {
	var to string
	c := &cobra.Command{
		Use:   "backup --to DIR",
		Short: "Copy the embedded shop's data directory (database and secrets) into a new directory, while the shop runs",
		Long: `backup writes a consistent copy of the embedded shop (EVENTSTORE=sqlite,
DATA_DIR) into DIR, which must not exist or be empty: shop.db (one snapshot,
taken while the shop keeps serving) and secrets.json (its signing keys: keep
the copy as private as the data directory). To restore, stop the shop, copy
DIR's files into an empty DATA_DIR and start it there. A shop on servers is
backed up with its servers' tools (pg_dump, ...).`,
		Args: argsError(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if to == "" {
				return usagef("backup: --to is required")
			}
			b, ok := a.backend.(backuper)
			if !ok {
				return usagef("backup copies the embedded shop's data directory: set EVENTSTORE=sqlite (and DATA_DIR)")
			}
			dir, err := b.Backup(c.Context(), to)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.env.stdout, "backed up to %s (restore: copy its files into an empty DATA_DIR)\n", dir)
			return nil
		},
	}
	c.Flags().StringVar(&to, "to", "", "directory to write the copy into (new or empty)")
	return c
}
