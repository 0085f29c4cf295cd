#!/usr/bin/env bash
# make bench: runs the benchmarks, each beside its raw baseline measured in
# the same run, and prints ONE table (benchmark, our figure, raw baseline,
# ratio) through cmd/benchtable. Sizes are small so the whole run stays
# under 10 minutes on a 2-core machine; docs/benchmarks.md gives the
# commands for the full-size runs.
#
# Needs PostgreSQL (5432), RabbitMQ (5672) and Redis (6379) running locally
# (the same servers as make test). A missing server fails the run: a table
# without its figures would read as a result.
#
#   BENCH_OUT=dir     where the raw output goes (default test-output/)
#   BENCH_SKIP="relay loadgen"   skip some steps (eventstore eventstore-sqlite readall relay rebuild catchup startup gateway stock loadgen loadgen-server loadgen-cluster)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT_DIR=${BENCH_OUT:-$ROOT/test-output}
mkdir -p "$OUT_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
RAW="$OUT_DIR/bench-$stamp.txt"
LOADGEN_JSON="$OUT_DIR/loadgen-$stamp.json"
LOADGEN_MEMORY_JSON="$OUT_DIR/loadgen-memory-$stamp.json"
: >"$RAW"

export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
export TEST_AMQP_URL="${TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}"
export TEST_MONGO_URL="${TEST_MONGO_URL:-mongodb://127.0.0.1:27017/}"
# CI=true makes testenv fail instead of skip when a server is missing.
export CI=true

step() { printf '\n==> %s\n' "$*" >&2; }
skipped() { [[ " ${BENCH_SKIP:-} " == *" $1 "* ]]; }
need_port() { # name host port
	if ! (exec 3<>"/dev/tcp/$2/$3") 2>/dev/null; then
		echo "bench: $1 is not reachable on $2:$3; start it first (see README)" >&2
		exit 1
	fi
}
need_port PostgreSQL 127.0.0.1 5432
need_port RabbitMQ 127.0.0.1 5672
need_port Redis 127.0.0.1 6379

# bench NAME PKG PATTERN BENCHTIME [ENV=VALUE...]: one go test -bench run,
# bounded, its output appended to $RAW.
bench() {
	local name=$1 pkg=$2 pattern=$3 benchtime=$4
	shift 4
	if skipped "$name"; then step "$name: skipped (BENCH_SKIP)"; return; fi
	if [ ! -d "$pkg" ]; then step "$name: $pkg not present, skipped"; return; fi
	step "$name: go test -bench $pattern -benchtime $benchtime $pkg"
	env "$@" go test -run '^$' -bench "$pattern" -benchtime "$benchtime" -count 1 -timeout 4m "$pkg" 2>&1 | tee -a "$RAW" >&2
}

bench eventstore ./eventstore/postgres '^BenchmarkAppend$' 300x
bench readall ./eventstore/postgres '^BenchmarkReadAll$' 50000x
# the embedded shop's event store beside raw inserts into the same SQLite file
bench eventstore-sqlite ./eventstore/sqlite '^BenchmarkAppend$' 300x
bench relay ./messaging/relay '^BenchmarkRelayVsRawConfirmedPublish$' 2000x
bench rebuild ./projections/rebuild '^BenchmarkRebuildOrders$' 1x SHOP_BENCH_EVENTS=20000
if ! skipped catchup; then
	scripts/ferretdb.sh start # the recommendations read model
	bench catchup ./projections/catchup '^BenchmarkCatchUp$' 1x SHOP_BENCH_EVENTS=20000 SHOP_BENCH_BATCHES=100,500
fi
# the durable embedded shop started on 100,000 stored events: time to /readyz
# and to read models caught up, with their checkpoints and without (full
# catch-up); the shop runs as its own process (e2e/durable)
bench startup ./e2e/durable '^BenchmarkStartup$' 1x SHOP_BENCH_EVENTS=100000
bench gateway ./api/gateway '^BenchmarkGatewayCatalog$' 5000x
if ! skipped stock; then
	scripts/ferretdb.sh start # installs it when missing, like make test
	# both stock stores (mongostore's CAS chains, pgstock) beside one raw insert baseline
	bench stock ./catalog/pgstock '^BenchmarkCheckoutStock$' 300x
fi

# The load generator, when present: full checkouts through the embedded shop,
# in the same run durable (STORAGE=sqlite, its DATA_DIR in a temporary
# directory; the default) and in memory (STORAGE=memory), three rounds of the
# two in turn, so the table sets one mode's median run beside the other's
# (target: durable >= 0.7x in-memory checkouts/s). Each run is 32 customers
# x 60 orders (1,920 checkouts, ~10 s durable): runs of 640 lasted 1-3 s, too
# short for the machine's drift, and their medians moved by +-15 %.
loadgen_args=()
# embedded_load NAME JSON [SETTING=value...]: one loadgen run against a fresh
# embedded shop; 0 when JSON was written.
embedded_load() {
	local name=$1 json=$2 port=18089 mport=19089 # METRICS_ADDR: /metrics is never on the public port
	shift 2
	local pass
	pass=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	rm -rf "$bin/data"
	env "$@" DATA_DIR="$bin/data" ADDR=127.0.0.1:$port METRICS_ADDR=127.0.0.1:$mport RATE_LIMIT=100000000 LOG_LEVEL=warn \
		AUTH_BOOTSTRAP_ADMIN_EMAIL=admin@example.com AUTH_BOOTSTRAP_ADMIN_PASSWORD=$pass \
		"$bin/shop" >"$OUT_DIR/loadgen-shop-$name-$stamp.log" 2>&1 &
	shop_pid=$!
	for _ in $(seq 1 100); do
		curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		sleep 0.2
	done
	local rc=0
	LOADGEN_ADMIN_PASSWORD=$pass timeout 4m "$bin/loadgen" -url "http://127.0.0.1:$port" -metrics "http://127.0.0.1:$mport/metrics" \
		-customers 32 -orders-per-customer 60 -concurrency 32 -duration 120s -json "$json" >&2 || rc=1
	kill "$shop_pid" 2>/dev/null || true
	wait "$shop_pid" 2>/dev/null || true
	[ "$rc" = 0 ] || echo "bench: loadgen ($name) failed (see $OUT_DIR/loadgen-shop-$name-$stamp.log)" >&2
	return $rc
}
if [ -d cmd/loadgen ] && ! skipped loadgen; then
	step "loadgen: full checkouts through the embedded shop, durable and in memory"
	bin=$(mktemp -d)
	shop_pid=
	trap 'if [ -n "$shop_pid" ]; then kill $shop_pid 2>/dev/null || true; fi; rm -rf "$bin"' EXIT
	go build -o "$bin/" ./cmd/shop ./cmd/loadgen
	# Three rounds, the two modes in turn; benchtable compares each mode's
	# median run (this machine's speed drifts by ±15 % between runs).
	durable_runs= memory_runs=
	for round in 1 2 3; do
		if embedded_load "durable-$round" "${LOADGEN_JSON%.json}-$round.json" STORAGE=sqlite; then
			durable_runs+="${durable_runs:+,}${LOADGEN_JSON%.json}-$round.json"
		fi
		if embedded_load "memory-$round" "${LOADGEN_MEMORY_JSON%.json}-$round.json" STORAGE=memory; then
			memory_runs+="${memory_runs:+,}${LOADGEN_MEMORY_JSON%.json}-$round.json"
		fi
	done
	if [ -n "$durable_runs" ]; then
		loadgen_args=(-loadgen "$durable_runs")
		if [ -n "$memory_runs" ]; then
			loadgen_args+=(-loadgen-memory "$memory_runs")
		fi
	fi
fi

# The same load against the server-mode shop on the real servers, right after
# the embedded run, so the table can set one beside the other (server ÷
# embedded). scripts/load-server.sh runs the one-process shop in server mode
# on a fresh database and bus prefix and reports broker deliveries and
# OrderPaid → email from the shop's metrics.
# Each server-mode step starts with an empty SES emulator: it keeps every
# mail of the session in memory (440 MB seen after a long one), which slowed
# its answers and so the shop's sends. make bench runs alone, so no test's
# mail is dropped under it.
if [ -d cmd/loadgen ] && ! skipped loadgen-server; then
	step "loadgen: the same checkouts through the server-mode shop (PostgreSQL, RabbitMQ, FerretDB, Redis, SES emulator)"
	scripts/ses-emulator.sh start >/dev/null && scripts/ses-emulator.sh clear || true
	server_out="$OUT_DIR/load-server-$stamp"
	if OUT="$server_out" CUSTOMERS=32 ORDERS=20 CONC=32 DURATION=60s timeout 5m scripts/load-server.sh "bench$(date -u +%H%M%S)" >&2 &&
		[ -s "$server_out/loadgen.json" ]; then
		loadgen_args+=(-loadgen-server "$server_out/loadgen.json")
	else
		echo "bench: the server-mode load failed; its rows are left out (see $server_out)" >&2
	fi
fi

# The ten-process server-mode shop (every service its own process, the
# e2e harness) on the real servers under 64 customers × 16 orders (1,024
# checkouts), set beside the in-memory embedded shop of this run; its log
# has the CPU of each process and server over the run.
if [ -d e2e/load ] && ! skipped loadgen-cluster; then
	step "loadgen: the ten-process server-mode shop, 64 customers × 16 orders"
	scripts/ses-emulator.sh start >/dev/null && scripts/ses-emulator.sh clear || true
	cluster_json="$OUT_DIR/loadgen-cluster-$stamp.json"
	if CLUSTER_LOAD_JSON="$cluster_json" timeout 15m go test -count=1 -run XXX -bench ClusterCheckouts -benchtime 1x \
		-timeout 14m ./e2e/load >"$OUT_DIR/loadgen-cluster-$stamp.log" 2>&1 && [ -s "$cluster_json" ]; then
		grep -E "checkouts/s|place order|Paid \(event|deliveries per checkout|OrderPaid|% core|ms/checkout|^ +[a-zA-Z]" \
			"$OUT_DIR/loadgen-cluster-$stamp.log" | sed -n '1,60p' >&2 || true
		loadgen_args+=(-loadgen-cluster "$cluster_json")
	else
		echo "bench: the ten-process load failed; its rows are left out (see $OUT_DIR/loadgen-cluster-$stamp.log)" >&2
	fi
fi

step "results (raw output: $RAW)"
go run ./cmd/benchtable "${loadgen_args[@]}" "$RAW"
