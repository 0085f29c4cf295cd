// Command shopctl is the operators' and analysts' tool: it exports event
// history (JSON Lines, CSV, Parquet), counts it, shows one order's
// timeline, lists and rebuilds read models, and inspects and redrives dead
// letters. It only reads the event store: no subcommand appends an event,
// sends a command, mails or charges anyone (deadletters redrive, an explicit
// operator action, is the one that publishes, to the handler that failed).
//
// Exit status: 0 success, 1 failure, 2 bad usage (flags, arguments,
// settings).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{
		stdout: os.Stdout, stderr: os.Stderr, lookup: os.LookupEnv,
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}, nil)
	stop()
	os.Exit(code)
}
