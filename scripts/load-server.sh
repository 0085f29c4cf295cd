#!/usr/bin/env bash
# load-server.sh — one server-mode load run of the one-process shop
# (SHOP_MODE=server against the local PostgreSQL, RabbitMQ, FerretDB, Redis,
# SES emulator), each run on a fresh database, Mongo database and bus prefix.
# Prints the loadgen report (which includes broker deliveries per checkout
# and OrderPaid → email when the shop exposes those metrics), then the
# depth of every queue of the run's prefix at the end, and leaves the shop's
# /metrics and log in $OUT.
#
#   scripts/load-server.sh [TAG]
#
# Env: BIN (prebuilt shop, auth and loadgen; default: build from this tree),
#      OUT (default test-output/load-server-TAG), CUSTOMERS (64),
#      ORDERS (10), CONC (64), PG_PARAMS (appended to POSTGRES_URL, e.g.
#      pool_max_conns=16), DURATION (60s), PORT (18191), METRICS_PORT
#      (19191, the shop's METRICS_ADDR), PROJECTIONS_SOURCE (bus|store, default store),
#      PPROF_PORT (16061, served only with PROFILE=1, since PPROF_ADDR also
#      switches on the block and mutex profiles, which cost CPU; with PROFILE=1 a 30 s CPU profile, the block and
#      mutex profiles over the same 30 s (deltas) and a 5 s runtime/trace are
#      taken into $OUT), DRAIN (seconds to wait after the run before reading
#      the queue depths, default 0). KEEP=1 keeps the run's database: the
#      checkout's hops can then be read from the events' recorded times
#      (scripts/checkout-hops.sql).
# Never stops the shared servers; removes its database, Mongo database and
# queues only when KEEP is empty (its exchanges stay: they hold nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:-$(date -u +%H%M%S)}
OUT=${OUT:-$PWD/test-output/load-server-$TAG}
mkdir -p "$OUT"
if [ -z "${BIN:-}" ]; then
	BIN=$(mktemp -d)
	go build -o "$BIN/" ./cmd/shop ./cmd/auth ./cmd/loadgen
fi
scripts/ferretdb.sh start >/dev/null
scripts/ses-emulator.sh start >/dev/null

db=loadsrv_$TAG
prefix=loadsrv$TAG
port=${PORT:-18191}
pprof=${PPROF_PORT:-16061}
mport=${METRICS_PORT:-19191}
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
pass=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Plain HTTP on loopback: no Secure cookies, loadgen's X-Forwarded-For
# believed from loopback, /metrics on its own listener.
SHOP_MODE=server ADDR=127.0.0.1:$port METRICS_ADDR=127.0.0.1:$mport PAYMENT_GATEWAYS=sandbox SEED_DEMO=true \
	COOKIE_SECURE=false TRUSTED_PROXIES=127.0.0.0/8,::1/128 POSTGRES_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable${PG_PARAMS:+&$PG_PARAMS}" \
	BUS_PREFIX=$prefix MONGO_DB=$prefix AWS_ENDPOINT_URL_SES=http://127.0.0.1:8005 \
	AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local MAIL_LINK_KEY=$(hex64) CSRF_KEY=$(hex64) \
	AUTH_JWT_KEYS=$("$BIN/auth" genkey) RATE_LIMIT=100000000 LOG_LEVEL=warn \
	AUTH_BOOTSTRAP_ADMIN_EMAIL=admin@example.com AUTH_BOOTSTRAP_ADMIN_PASSWORD=$pass \
	PROJECTIONS_SOURCE=${PROJECTIONS_SOURCE:-store} PPROF_ADDR=${PROFILE:+127.0.0.1:$pprof} "$BIN/shop" >"$OUT/shop.log" 2>&1 &
shop_pid=$!
cleanup() {
	kill "$shop_pid" 2>/dev/null || true
	wait "$shop_pid" 2>/dev/null || true
	if [ -z "${KEEP:-}" ]; then
		psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
		for q in $(rabbitmqctl -q list_queues name 2>/dev/null | grep "^$prefix\." || true); do
			rabbitmqctl -q delete_queue "$q" >/dev/null 2>&1 || true
		done
	fi
}
trap cleanup EXIT
for _ in $(seq 1 150); do
	curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
	sleep 0.2
done

prof_pid=
if [ -n "${PROFILE:-}" ]; then
	# Starts after the setup phase (~15 s) so it samples checkouts.
	pp="http://127.0.0.1:$pprof/debug/pprof"
	(sleep 20
	 curl -fsS -o "$OUT/cpu.pprof" "$pp/profile?seconds=30" &
	 curl -fsS -o "$OUT/block.pprof" "$pp/block?seconds=30" &
	 curl -fsS -o "$OUT/mutex.pprof" "$pp/mutex?seconds=30" &
	 (sleep 5; curl -fsS -o "$OUT/trace.out" "$pp/trace?seconds=5") &
	 wait) &
	prof_pid=$!
fi
# CPU seconds (user + system) over the run of the shop and of each server
# process group (all its processes, e.g. every PostgreSQL backend; a backend
# that exits during the run is missed). The servers are shared with whatever
# else uses them at the time.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# group_ticks COMM: the ticks of every process named COMM (comm may hold
# spaces, so the fields are counted after its closing parenthesis).
group_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v want="$1" '{
		i = index($0, "("); j = index($0, ") "); if (substr($0, i + 1, j - i - 1) != want) next
		split(substr($0, j + 2), f, " "); t += f[12] + f[13] } END { print t + 0 }'
}
groups=(beam.smp postgres ferretdb redis-server node)
labels=(RabbitMQ PostgreSQL FerretDB Redis "SES emulator")
hz=$(getconf CLK_TCK)
shop_t0=$(ticks "$shop_pid"); g0=(); for g in "${groups[@]}"; do g0+=("$(group_ticks "$g")"); done; t0=$(date +%s.%N)
metrics=()
usage=$("$BIN/loadgen" -h 2>&1 || true)
if [[ $usage == *-metrics* ]]; then metrics=(-metrics "http://127.0.0.1:$mport/metrics"); fi
LOADGEN_ADMIN_PASSWORD=$pass "$BIN/loadgen" -url "http://127.0.0.1:$port" -mail http://127.0.0.1:8005/store "${metrics[@]}" \
	-customers "${CUSTOMERS:-64}" -orders-per-customer "${ORDERS:-10}" -concurrency "${CONC:-64}" \
	-duration "${DURATION:-60s}" -paid-timeout 120s -json "$OUT/loadgen.json" | tee "$OUT/loadgen.txt"
t1=$(date +%s.%N)
shop_t1=$(ticks "$shop_pid"); g1=(); for g in "${groups[@]}"; do g1+=("$(group_ticks "$g")"); done
{
	awk -v s0="$shop_t0" -v s1="$shop_t1" -v a="$t0" -v b="$t1" -v hz="$hz" \
		'BEGIN { printf "CPU over the run (%.0f s, setup included), %% of one core: shop %.0f", b - a, 100 * (s1 - s0) / hz / (b - a) }'
	for i in "${!groups[@]}"; do
		awk -v n="${labels[$i]}" -v x0="${g0[$i]}" -v x1="${g1[$i]}" -v a="$t0" -v b="$t1" -v hz="$hz" \
			'BEGIN { printf ", %s %.0f", n, 100 * (x1 - x0) / hz / (b - a) }'
	done
	echo
} | tee "$OUT/cpu.txt"
sleep "${DRAIN:-0}"
curl -fsS "http://127.0.0.1:$mport/metrics" >"$OUT/metrics.txt" || true
echo "queue depths at the end (messages ready + unacked):"
rabbitmqctl -q list_queues name messages 2>/dev/null | grep "^$prefix\." | tee "$OUT/queues.txt"
if [ -n "$prof_pid" ]; then wait "$prof_pid" || true; fi
