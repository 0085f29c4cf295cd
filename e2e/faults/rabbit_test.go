package faults_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/evshop/shop/platform/testenv"
)

// requireRabbitCtl makes sure this machine can stop and start its broker.
func requireRabbitCtl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("rabbitmqctl"); err != nil {
		testenv.Unavailable(t, "rabbitmqctl not found: the broker restart needs it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "rabbitmqctl", "-q", "status").CombinedOutput(); err != nil {
		testenv.Unavailable(t, fmt.Sprintf("rabbitmqctl status: %v: %s", err, out))
	}
}

// startRabbit brings the broker application back and waits until it runs.
// It is safe to call when it already runs.
func startRabbit() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "rabbitmqctl", "-q", "start_app").CombinedOutput(); err != nil {
		return fmt.Errorf("rabbitmqctl start_app: %v: %s", err, out)
	}
	if out, err := exec.CommandContext(ctx, "rabbitmqctl", "-q", "await_startup").CombinedOutput(); err != nil {
		return fmt.Errorf("rabbitmqctl await_startup: %v: %s", err, out)
	}
	return nil
}

// bounceRabbit stops the RabbitMQ application for down, then starts it
// again. The stop and the start run in one detached shell (its own session),
// so the broker comes back even if this test process is killed meanwhile
// (go test -timeout, ^C, kill -9); a t.Cleanup, a defer and a signal handler
// start it again as well, which is harmless when it already runs.
func bounceRabbit(t *testing.T, down time.Duration, logPath string) error {
	t.Helper()
	t.Cleanup(func() {
		if err := startRabbit(); err != nil {
			t.Errorf("bring RabbitMQ back: %v", err)
		}
	})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case sig := <-sigs:
			startRabbit() //nolint:errcheck // best effort before dying as asked
			signal.Stop(sigs)
			p, _ := os.FindProcess(os.Getpid())
			p.Signal(sig) //nolint:errcheck
		case <-stopped:
		}
	}()
	defer startRabbit() //nolint:errcheck

	script := fmt.Sprintf("rabbitmqctl -q stop_app; sleep %d; rabbitmqctl -q start_app; rabbitmqctl -q await_startup", int(down.Seconds()))
	// Output to a file, not a pipe: a pipe whose reader died would kill
	// the shell with SIGPIPE before it starts the broker again.
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command("sh", "-c", script)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("rabbitmq bounce (see %s): %w", logPath, err)
	}
	return nil
}
