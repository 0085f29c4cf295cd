package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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

// app is one invocation: the settings and backend are set by the root
// command before any subcommand runs.
type app struct {
	env        env
	newBackend func(settings) backend
	backend    backend
	log        *slog.Logger
}

// commands are shopctl's command groups, one file each: a new command is a
// new file with its constructor, listed here.
func (a *app) commands() []*cobra.Command {
	return []*cobra.Command{
		a.eventsCommand(),
		a.orderCommand(),
		a.projectionsCommand(),
		a.deadlettersCommand(),
		a.reportCommand(),
		a.backupCommand(),
	}
}

// run executes args and returns the exit status: 0 success, 1 failure, 2
// bad usage (flags, arguments, settings). newBackend is nil outside tests.
func run(ctx context.Context, args []string, e env, newBackend func(settings) backend) int {
	a := &app{env: e, newBackend: newBackend}
	defer func() {
		if a.backend != nil {
			a.backend.Close()
		}
	}()
	root, err := a.rootCommand()
	if err != nil {
		fmt.Fprintf(e.stderr, "shopctl: %v\n", err)
		return 1
	}
	root.SetArgs(args)
	err = root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		failed, _, ferr := root.Find(args)
		if ferr != nil || failed == nil {
			failed = root
		}
		fmt.Fprintf(e.stderr, "shopctl: %v\n\n%s", err, failed.UsageString())
		return 2
	}
	fmt.Fprintf(e.stderr, "shopctl: %v\n", err)
	return 1
}

// rootCommand builds the command tree. The settings are persistent flags
// of the root (`--postgres-url`, ...), each also read from its env var
// under the services' names (wiring/settings); they are loaded and
// validated once, before the subcommand runs.
func (a *app) rootCommand() (*cobra.Command, error) {
	vars, err := config.Describe(&settings{}, nil)
	if err != nil {
		return nil, err
	}
	root := &cobra.Command{
		Use:   "shopctl",
		Short: "Export, count and replay the shop's event history; rebuild read models; redrive dead letters",
		Long: `shopctl is the operators' and analysts' tool. It only reads the event store
(PostgreSQL or EventStoreDB, or the embedded shop's DATA_DIR with
EVENTSTORE=sqlite): no command appends an event, sends a
command, mails or charges anyone; deadletters redrive, an explicit operator
action, publishes to the handler that failed.

Settings are the global flags below or their env vars, under the names and
with the defaults of the services whose stores shopctl reads (a flag wins).
Exit status: 0 success, 1 failure, 2 bad usage (flags, arguments, settings).`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          groupArgs,
		RunE:          func(*cobra.Command, []string) error { return usagef("missing command") },
	}
	root.SetOut(a.env.stdout)
	root.SetErr(a.env.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	pf := root.PersistentFlags()
	for _, v := range vars {
		pf.String(v.Flag, "", fmt.Sprintf("%s (env %s, default %q)", v.Usage, v.Env, v.Default))
	}
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if c.Name() == "completion" || (c.HasParent() && c.Parent().Name() == "completion") {
			return nil // a shell script: no settings needed
		}
		return a.load(c.Root().PersistentFlags(), vars)
	}
	root.AddCommand(a.commands()...)
	// cobra's `completion bash|zsh|fish|powershell`, with an unknown shell
	// a usage error like any unknown command.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = groupArgs
			c.RunE = func(*cobra.Command, []string) error { return usagef("missing shell (bash, zsh, fish or powershell)") }
		}
	}
	return root, nil
}

// load reads the settings (flags over env vars) and opens the backend.
func (a *app) load(pf *pflag.FlagSet, vars []config.Var) error {
	var flags []string
	for _, v := range vars {
		if f := pf.Lookup(v.Flag); f != nil && f.Changed {
			flags = append(flags, "-"+v.Flag+"="+f.Value.String())
		}
	}
	var s settings
	if _, err := config.Load(&s, config.Options{Name: "shopctl", Args: flags, Lookup: a.env.lookup}); err != nil {
		return usageError{err.Error()}
	}
	a.log = slog.New(slog.NewTextHandler(a.env.stderr, &slog.HandlerOptions{Level: logLevel(s)}))
	switch {
	case a.newBackend != nil:
		a.backend = a.newBackend(s)
	case s.EventStore == "sqlite":
		a.backend = newDataDirBackend(s, a.log)
	default:
		a.backend = newServerBackend(s, a.log)
	}
	return nil
}

// group returns a command that only holds subcommands: run bare or with an
// unknown subcommand, it is a usage error.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Args: groupArgs,
		RunE: func(*cobra.Command, []string) error { return usagef("missing command") }}
	c.AddCommand(subs...)
	return c
}

func groupArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q for %q", strings.Join(args, " "), c.CommandPath())
	}
	return nil
}

// argsError makes positional-argument checks usage errors.
func argsError(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := check(c, args); err != nil {
			return usageError{err.Error()}
		}
		return nil
	}
}

// multi is a repeatable, non-empty string flag.
type multi []string

func (m *multi) String() string { return strings.Join(*m, ",") }
func (m *multi) Type() string   { return "string" }
func (m *multi) Set(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	*m = append(*m, s)
	return nil
}
