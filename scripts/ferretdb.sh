#!/usr/bin/env bash
# ferretdb.sh — the MongoDB-compatible server (FerretDB v1.24.2 on PostgreSQL)
# used by the catalog and client services and their integration tests.
#
#   scripts/ferretdb.sh          install if missing, start if not listening, wait until it answers
#   scripts/ferretdb.sh stop     stop the instance this script started
#   scripts/ferretdb.sh status   exit 0 when listening
#
# Everything lives under ./.tools (binary in bin/, data in data/ferretdb, log in
# log/ferretdb.log, pid in run/ferretdb.pid). Every step is idempotent.
#
# Why build from the module source: `go install .../cmd/ferretdb@v1.24.2` yields a
# binary that panics at start because build/version/version.txt is generated from
# git and absent from the module zip; we copy the source and write that file.
#
# Env: FERRETDB_ADDR (default 127.0.0.1:27017), FERRETDB_HANDLER (postgresql|sqlite,
# default postgresql), FERRETDB_POSTGRESQL_URL (default: database "ferretdb" on the
# local PostgreSQL, created when missing, at most 20 connections).
#
# Why PostgreSQL and not SQLite: FerretDB's SQLite backend runs every write through
# one SQLite file; the catalog's stock reservations (BenchmarkCheckoutStock in
# catalog/mongostore) ran 72 orders/s on it against 159 on PostgreSQL, 8 workers,
# same machine. PostgreSQL is running anyway.
set -euo pipefail

VERSION="v1.24.2"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${EVSHOP_TOOLS:-$HOME/.cache/evshop-tools}"
BIN="$TOOLS/bin/ferretdb"
DATA="$TOOLS/data/ferretdb"
LOG="$TOOLS/log/ferretdb.log"
PIDFILE="$TOOLS/run/ferretdb.pid"
ADDR="${FERRETDB_ADDR:-127.0.0.1:27017}"
HANDLER="${FERRETDB_HANDLER:-postgresql}"
# pool_max_conns: FerretDB's own default pool is 50 connections, half of a
# stock PostgreSQL's max_connections (100), which the shop's services and the
# parallel tests share (make test hit "too many clients" with 50).
PGURL="${FERRETDB_POSTGRESQL_URL:-postgres://postgres@127.0.0.1:5432/ferretdb?pool_max_conns=20}"
HOST="${ADDR%:*}"
PORT="${ADDR##*:}"

log() { printf 'ferretdb.sh: %s\n' "$*" >&2; }

listening() {
	# bash's /dev/tcp avoids depending on nc; the subshell closes the socket.
	(exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
}

installed() {
	# Capture, then match: under pipefail, `--version | grep -q` fails when
	# grep exits at the first match and the writer dies of SIGPIPE.
	local out
	[[ -x "$BIN" ]] || return 1
	out="$("$BIN" --version 2>/dev/null)" || return 1
	[[ "$out" == *"$VERSION"* ]]
}

install() {
	installed && return 0
	command -v go >/dev/null || { log "go is required to build FerretDB"; exit 1; }
	log "building FerretDB $VERSION into $BIN"
	local dir src
	dir="$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
	[[ -n "$dir" && -d "$dir" ]] || { log "go mod download did not return a source directory"; exit 1; }
	src="$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-src.XXXXXX")"
	cp -R "$dir/." "$src/"
	chmod -R u+w "$src"
	printf '%s' "$VERSION" >"$src/build/version/version.txt"
	printf 'scripts/ferretdb.sh' >"$src/build/version/package.txt"
	mkdir -p "$TOOLS/bin"
	# Build inside the copied module: its own go.mod, not ours. GOFLAGS is reset so
	# a caller's -mod=vendor or similar does not leak into a foreign module.
	(cd "$src" && GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 go build -trimpath -o "$BIN.tmp" ./cmd/ferretdb)
	rm -rf "$src"
	mv -f "$BIN.tmp" "$BIN"
	installed || { log "built binary does not report $VERSION"; exit 1; }
}

# ensure_database creates the PostgreSQL database of PGURL when it is missing.
ensure_database() {
	local db="${PGURL##*/}"
	db="${db%%\?*}"
	local admin="${PGURL%/*}/postgres"
	if ! command -v psql >/dev/null; then
		log "psql not found; assuming database $db exists"
		return 0
	fi
	if [[ "$(psql "$admin" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]]; then
		log "creating PostgreSQL database $db"
		psql "$admin" -qc "CREATE DATABASE \"$db\"" || [[ "$(psql "$admin" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'")" == 1 ]]
	fi
}

start() {
	if listening; then
		log "already listening on $ADDR"
		return 0
	fi
	install
	mkdir -p "$DATA" "$(dirname "$LOG")" "$(dirname "$PIDFILE")"
	local args=(--listen-addr="$ADDR" --state-dir="$DATA" --telemetry=disable --log-level=warn --handler="$HANDLER")
	case "$HANDLER" in
	sqlite) args+=(--sqlite-url="file:$DATA/") ;;
	postgresql)
		ensure_database
		args+=(--postgresql-url="$PGURL")
		;;
	*) log "unknown FERRETDB_HANDLER=$HANDLER"; exit 1 ;;
	esac
	log "starting on $ADDR (handler $HANDLER, log $LOG)"
	# setsid detaches it from the caller's process group so it outlives the shell.
	setsid nohup "$BIN" "${args[@]}" >>"$LOG" 2>&1 </dev/null &
	echo $! >"$PIDFILE"
	for _ in $(seq 1 100); do
		if listening; then
			log "ready (pid $(cat "$PIDFILE"))"
			return 0
		fi
		if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
			log "exited during start; last log lines:"
			tail -n 20 "$LOG" >&2
			exit 1
		fi
		sleep 0.2
	done
	log "did not answer on $ADDR within 20s; see $LOG"
	exit 1
}

stop() {
	if [[ ! -f "$PIDFILE" ]]; then
		log "no pid file; nothing started by this script"
		return 0
	fi
	local pid
	pid="$(cat "$PIDFILE")"
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -f "$PIDFILE"
	log "stopped"
}

case "${1:-start}" in
start) start ;;
install) install ;;
stop) stop ;;
status) listening && log "listening on $ADDR" || { log "not listening on $ADDR"; exit 1; } ;;
*) log "usage: $0 [start|install|stop|status]"; exit 2 ;;
esac
