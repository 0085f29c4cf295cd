package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/evshop/shop/export"
)

// queryFlags declares the filters shared by export and stats.
type queryFlags struct {
	prefixes, types multi
	since, until    string
	from, to        uint64
}

func (q *queryFlags) declare(fs *pflag.FlagSet) {
	fs.Var(&q.prefixes, "stream-prefix", "only streams starting with this (repeatable), e.g. order-")
	fs.Var(&q.types, "type", "only this event type or glob (repeatable), e.g. 'ordering.*'")
	fs.StringVar(&q.since, "since", "", "only events at or after this RFC 3339 time")
	fs.StringVar(&q.until, "until", "", "only events before this RFC 3339 time")
	fs.Uint64Var(&q.from, "from-position", 0, "only events at or after this global position")
	fs.Uint64Var(&q.to, "to-position", 0, "only events at or before this global position (0: no bound)")
}

func (a *app) eventsCommand() *cobra.Command {
	return group("events", "Export or count the event history", a.eventsExportCommand(), a.eventsStatsCommand())
}

func (q *queryFlags) query() (export.Query, error) {
	out := export.Query{StreamPrefixes: q.prefixes, Types: q.types, FromPosition: q.from, ToPosition: q.to}
	for _, t := range []struct {
		name, v string
		dst     *time.Time
	}{{"since", q.since, &out.Since}, {"until", q.until, &out.Until}} {
		if t.v == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, t.v)
		if err != nil {
			return out, usagef("--%s %q is not an RFC 3339 time (e.g. 2026-03-01T00:00:00Z)", t.name, t.v)
		}
		*t.dst = v
	}
	if err := out.Validate(); err != nil {
		return out, usagef("%v", err)
	}
	return out, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// fileSink writes each output to a temporary file renamed into place on
// success, so a failed or interrupted export leaves no half file behind.
type fileSink struct {
	dir    string // parquet: one file per type in dir
	single string // one file (jsonl, csv, or parquet of one type); "" with dir == "" means stdout
	stdout io.Writer
	opened []*atomicFile
}

type atomicFile struct {
	*os.File
	final string
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

func (s *fileSink) Open(typ string) (io.WriteCloser, error) {
	name := s.single
	if s.dir != "" {
		name = filepath.Join(s.dir, unsafeName.ReplaceAllString(typ, "_")+".parquet")
	}
	if name == "" {
		return nopWriteCloser{s.stdout}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.partial")
	if err != nil {
		return nil, err
	}
	af := &atomicFile{File: f, final: name}
	s.opened = append(s.opened, af)
	return af, nil
}

// finish renames the outputs into place (ok) or deletes them.
func (s *fileSink) finish(ok bool) error {
	var first error
	for _, f := range s.opened {
		f.Close() //nolint:errcheck // closed by the writer already
		if ok {
			if err := os.Rename(f.Name(), f.final); err != nil && first == nil {
				first = err
			}
		} else {
			os.Remove(f.Name()) //nolint:errcheck
		}
	}
	return first
}

// exportFlags are the flags of events export.
type exportFlags struct {
	query              queryFlags
	format, out        string
	noRedact, personal bool
}

func (a *app) eventsExportCommand() *cobra.Command {
	var f exportFlags
	c := &cobra.Command{
		Use:   "export",
		Short: "Stream history to JSON Lines, CSV or Parquet (personal data left out unless asked for)",
		Args:  argsError(cobra.NoArgs),
		RunE:  func(c *cobra.Command, _ []string) error { return a.eventsExport(c.Context(), f) },
	}
	fs := c.Flags()
	f.query.declare(fs)
	fs.StringVar(&f.format, "format", "jsonl", "jsonl, csv or parquet")
	fs.StringVar(&f.out, "out", "", "output file ('-' or empty: stdout); for parquet a directory (one file per type), or a .parquet file with one exact --type")
	fs.BoolVar(&f.noRedact, "no-redact", false, "keep password- and secret-like fields; payment tokens, sealed tokens and card numbers are replaced regardless")
	fs.BoolVar(&f.personal, "include-personal-data", false, "keep personal data (names, emails, addresses, card last digits, VAT ids), replaced by default")
	return c
}

func (a *app) eventsExport(ctx context.Context, ef exportFlags) error {
	q, err := ef.query.query()
	if err != nil {
		return err
	}
	f, err := export.ParseFormat(ef.format)
	if err != nil {
		return usagef("--format: %v", err)
	}
	sink := &fileSink{stdout: a.env.stdout}
	oneType := len(q.Types) == 1 && !strings.ContainsAny(q.Types[0], `*?[\`)
	switch {
	case ef.out == "" || ef.out == "-":
		if f == export.FormatParquet && !oneType {
			return usagef("parquet writes one file per event type: give --out DIR, or exactly one exact --type for stdout")
		}
	case f == export.FormatParquet && !(oneType && strings.HasSuffix(ef.out, ".parquet")):
		if err := os.MkdirAll(ef.out, 0o755); err != nil {
			return err
		}
		sink.dir = ef.out
	default:
		sink.single = ef.out
	}
	es, err := a.backend.Events(ctx)
	if err != nil {
		return err
	}
	opts := export.Options{Query: q, Format: f, IncludePersonalData: ef.personal}
	if ef.noRedact {
		opts.Redact = []string{}
	}
	bar := a.progressBar("export")
	if bar != nil {
		opts.Progress = func(p export.Progress) {
			bar.update(p.Fraction(), p.Events, p.StartedAt, fmt.Sprintf("pass %d/%d", p.Pass, p.Passes))
		}
	}
	res, err := export.Export(ctx, es, sink, opts)
	bar.done()
	if ferr := sink.finish(err == nil); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if sink.single != "" || sink.dir != "" {
		fmt.Fprintf(a.env.stderr, "exported %d events (%d types) up to position %d\n", res.Events, len(res.PerType), res.Last)
	}
	return nil
}

func (a *app) eventsStatsCommand() *cobra.Command {
	var qf queryFlags
	var asJSON bool
	c := &cobra.Command{
		Use:   "stats",
		Short: "Count events per day and type (same filters as export)",
		Args:  argsError(cobra.NoArgs),
		RunE:  func(c *cobra.Command, _ []string) error { return a.eventsStats(c.Context(), &qf, asJSON) },
	}
	qf.declare(c.Flags())
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return c
}

func (a *app) eventsStats(ctx context.Context, qf *queryFlags, asJSON bool) error {
	q, err := qf.query()
	if err != nil {
		return err
	}
	es, err := a.backend.Events(ctx)
	if err != nil {
		return err
	}
	bar := a.progressBar("stats")
	var progress func(export.Progress)
	if bar != nil {
		progress = func(p export.Progress) { bar.update(p.Fraction(), p.Events, p.StartedAt, "") }
	}
	stats, err := export.Stats(ctx, es, q, progress)
	bar.done()
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(a.env.stdout).Encode(stats)
	}
	tw := tabwriter.NewWriter(a.env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\tTYPE\tCOUNT")
	var total uint64
	for _, s := range stats {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", s.Day, s.Type, s.Count)
		total += s.Count
	}
	fmt.Fprintf(tw, "total\t\t%s\n", strconv.FormatUint(total, 10))
	return tw.Flush()
}
