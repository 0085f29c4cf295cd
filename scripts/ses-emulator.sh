#!/usr/bin/env bash
# ses-emulator.sh — install (once) and run the aws-ses-v2-local SES v2 emulator
# used by the notifier's integration tests and by local server-mode runs.
#
#   scripts/ses-emulator.sh [start]   install into ./.tools/node if missing, start
#                                     in the background unless something already
#                                     answers on the port, wait until it answers
#   scripts/ses-emulator.sh stop      stop the emulator this script started
#   scripts/ses-emulator.sh status    exit 0 when it answers
#   scripts/ses-emulator.sh clear     drop every mail it keeps (POST /clear-store):
#                                     it keeps all of them in memory, and a long
#                                     session's hundreds of MB slow its answers;
#                                     only when nothing else reads its mail
#
# Env: SES_EMULATOR_HOST (127.0.0.1), SES_EMULATOR_PORT (8005),
#      SES_EMULATOR_VERSION (2.10.2). Logs go to .tools/log/ses-emulator.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOST="${SES_EMULATOR_HOST:-127.0.0.1}"
PORT="${SES_EMULATOR_PORT:-8005}"
VERSION="${SES_EMULATOR_VERSION:-2.10.2}"
PREFIX="${EVSHOP_TOOLS:-$HOME/.cache/evshop-tools}/node"
LOGDIR="${EVSHOP_TOOLS:-$HOME/.cache/evshop-tools}/log"
PIDFILE="$LOGDIR/ses-emulator.pid"
BIN="$PREFIX/node_modules/.bin/aws-ses-v2-local"

answers() { curl -fsS -o /dev/null --max-time 2 "http://$HOST:$PORT/store" 2>/dev/null; }

install() {
  if [[ -x "$BIN" ]] && grep -q "\"version\": \"$VERSION\"" "$PREFIX/node_modules/aws-ses-v2-local/package.json" 2>/dev/null; then
    return
  fi
  command -v npm >/dev/null || { echo "ses-emulator: npm is required (apt-get install -y nodejs npm)" >&2; exit 1; }
  mkdir -p "$PREFIX"
  echo "ses-emulator: installing aws-ses-v2-local@$VERSION into $PREFIX" >&2
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "aws-ses-v2-local@$VERSION" >&2
}

start() {
  if answers; then
    echo "ses-emulator: already answering on http://$HOST:$PORT" >&2
    return
  fi
  install
  mkdir -p "$LOGDIR"
  # setsid detaches it from this shell so the caller (CI, a test target) can exit.
  setsid "$BIN" --host "$HOST" --port "$PORT" >>"$LOGDIR/ses-emulator.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 100); do
    if answers; then
      echo "ses-emulator: answering on http://$HOST:$PORT (pid $(cat "$PIDFILE"))" >&2
      return
    fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      echo "ses-emulator: exited early; see $LOGDIR/ses-emulator.log" >&2
      tail -n 20 "$LOGDIR/ses-emulator.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  echo "ses-emulator: not answering after 20s; see $LOGDIR/ses-emulator.log" >&2
  exit 1
}

stop() {
  if [[ -f "$PIDFILE" ]]; then
    pid="$(cat "$PIDFILE")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$PIDFILE"
    echo "ses-emulator: stopped" >&2
  else
    echo "ses-emulator: no pid file, nothing to stop" >&2
  fi
}

clear() {
  curl -fsS -o /dev/null --max-time 10 -X POST "http://$HOST:$PORT/clear-store"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  clear) clear ;;
  *) echo "usage: $0 [start|stop|status|clear]" >&2; exit 2 ;;
esac
