package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/evshop/shop/export"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/sales"
)

// env is the process surroundings, replaced by tests.
type env struct {
	stdout, stderr io.Writer
	lookup         func(string) (string, bool)
	stderrTTY      bool
}

// backend opens what a subcommand needs, lazily: exporting needs only the
// event store, rebuilding also the read models, redriving the broker.
type backend interface {
	Events(ctx context.Context) (export.StreamReader, error)
	Runner(ctx context.Context) (*rebuild.Runner, error)
	DeadLetters(ctx context.Context) (deadLetters, error)
	Sales(ctx context.Context) (sales.Store, error)
	Close()
}

// deadLetters is what `shopctl deadletters` uses: the store, plus the bus's
// redrive (it republishes to the one handler that gave up).
type deadLetters interface {
	List(ctx context.Context, opts messaging.ListOptions) ([]messaging.DeadLetter, error)
	Get(ctx context.Context, id string) (messaging.DeadLetter, error)
	Redrive(ctx context.Context, id string) error
}

// usageError makes run exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

const usage = `usage: shopctl [settings] <command> [flags] [args]

commands:
  events export   [--stream-prefix P]... [--type T]... [--since RFC3339] [--until RFC3339]
                  [--from-position N] [--to-position N] [--format jsonl|csv|parquet] [--out FILE|DIR]
                  [--no-redact]
  events stats    (same filters) [--json]
  order timeline  ORDER_ID [--scan window|all|none] [--json]
  projections list [--json]
  projections status NAME [--json]
  projections rebuild NAME|--all [--restart]
  deadletters list [--handler H] [--limit N] [--json]
  deadletters show ID
  deadletters redrive ID...|--all [--handler H]
  ` + reportUsage + `

settings (flag before the command, or env var):
`

// app is one invocation.
type app struct {
	env     env
	backend backend
	log     *slog.Logger
}

// run parses the settings and dispatches; newBackend is nil outside tests.
func run(ctx context.Context, args []string, e env, newBackend func(settings) backend) int {
	var s settings
	rest, err := config.Load(&s, config.Options{Name: "shopctl", Args: args, Lookup: e.lookup})
	vars, _ := config.Describe(&s, nil)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, usage+config.Markdown(vars, nil))
		return 0
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "shopctl: %v\n\n%s", err, usage+config.Markdown(vars, nil))
		return 2
	}
	a := &app{env: e, log: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: logLevel(s)}))}
	if newBackend != nil {
		a.backend = newBackend(s)
	} else {
		a.backend = newServerBackend(s, a.log)
	}
	defer a.backend.Close()
	err = a.dispatch(ctx, rest)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "shopctl: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(e.stderr, "shopctl: %v\n", err)
		return 1
	}
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	if len(args) < 2 {
		return usagef("missing command")
	}
	cmd, rest := args[0]+" "+args[1], args[2:]
	switch cmd {
	case "events export":
		return a.eventsExport(ctx, rest)
	case "events stats":
		return a.eventsStats(ctx, rest)
	case "order timeline":
		return a.orderTimeline(ctx, rest)
	case "projections list":
		return a.projectionsList(ctx, rest)
	case "projections status":
		return a.projectionsStatus(ctx, rest)
	case "projections rebuild":
		return a.projectionsRebuild(ctx, rest)
	case "deadletters list":
		return a.deadlettersList(ctx, rest)
	case "deadletters show":
		return a.deadlettersShow(ctx, rest)
	case "deadletters redrive":
		return a.deadlettersRedrive(ctx, rest)
	case "report sales":
		return reportSales(ctx, rest, a.backend.Sales, time.Now(), a.env.stdout)
	}
	return usagef("unknown command %q", strings.Join(args[:2], " "))
}

// flags returns a flag set whose errors become usage errors.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags and positional arguments in any order ("timeline ID
// --scan all" and "timeline --scan all ID" both work).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	*m = append(*m, s)
	return nil
}
