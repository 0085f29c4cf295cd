#!/usr/bin/env bash
# stripe-mock.sh — install (idempotently) and run Stripe's official mock API
# server for the payments integration tests.
#
#   scripts/stripe-mock.sh          install if needed, start on 127.0.0.1:12111 unless already listening
#   scripts/stripe-mock.sh stop     stop the instance this script started
#   scripts/stripe-mock.sh status   exit 0 when something listens on the port
#
# The binary is built with `go install` into ./.tools/bin (GOBIN), so nothing
# prebuilt is downloaded and the project's own files carry the install step.
set -euo pipefail

VERSION="${STRIPE_MOCK_VERSION:-v0.203.0}"
HOST="${STRIPE_MOCK_HOST:-127.0.0.1}"
PORT="${STRIPE_MOCK_PORT:-12111}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${EVSHOP_TOOLS:-$HOME/.cache/evshop-tools}"
BIN="$TOOLS/bin/stripe-mock"
PIDFILE="$TOOLS/stripe-mock.pid"
LOG="$TOOLS/stripe-mock.log"
STAMP="$TOOLS/bin/.stripe-mock-$VERSION"

listening() {
	(exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
}

install() {
	if [[ -x "$BIN" && -f "$STAMP" ]]; then
		return
	fi
	mkdir -p "$TOOLS/bin"
	echo "stripe-mock: installing $VERSION into $TOOLS/bin" >&2
	# GOFLAGS=-mod=mod keeps the project's go.mod out of the way: this is a tool build.
	(cd "$TOOLS" && GOBIN="$TOOLS/bin" GOFLAGS=-mod=mod go install "github.com/stripe/stripe-mock@$VERSION")
	rm -f "$TOOLS"/bin/.stripe-mock-*
	touch "$STAMP"
}

start() {
	if listening; then
		echo "stripe-mock: already listening on $HOST:$PORT" >&2
		return
	fi
	install
	# -http-port only: stripe-mock's HTTPS listener is not needed by the tests.
	nohup "$BIN" -http-addr "$HOST:$PORT" >"$LOG" 2>&1 &
	echo $! >"$PIDFILE"
	for _ in $(seq 1 100); do
		if listening; then
			echo "stripe-mock: listening on $HOST:$PORT (pid $(cat "$PIDFILE"))" >&2
			return
		fi
		sleep 0.1
	done
	echo "stripe-mock: did not start, see $LOG" >&2
	cat "$LOG" >&2 || true
	exit 1
}

stop() {
	if [[ -f "$PIDFILE" ]]; then
		pid="$(cat "$PIDFILE")"
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid"
			echo "stripe-mock: stopped pid $pid" >&2
		fi
		rm -f "$PIDFILE"
	fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status) listening ;;
install) install ;;
*)
	echo "usage: $0 [start|stop|status|install]" >&2
	exit 2
	;;
esac
