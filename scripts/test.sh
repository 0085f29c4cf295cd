#!/usr/bin/env bash
# Runs every test of the project: Go unit tests, integration tests against the
# real servers, the storefront's unit tests and its end-to-end test in
# Chromium. It installs and starts what is missing (FerretDB, the SES
# emulator, stripe-mock, Chromium). PostgreSQL, Redis and RabbitMQ must
# already run; under CI=true a missing server fails the run instead of
# skipping tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="${EVSHOP_TOOLS:-$HOME/.cache/evshop-tools}/bin:$PATH"
mkdir -p test-output

step() { printf '\n==> %s\n' "$*"; }
need_port() { # name host port
	if ! (exec 3<>"/dev/tcp/$2/$3") 2>/dev/null; then
		if [ "${CI:-}" = "true" ]; then
			echo "FATAL: $1 is not reachable on $2:$3 and CI=true" >&2
			exit 1
		fi
		echo "warning: $1 not reachable on $2:$3; its integration tests will skip" >&2
	fi
}

step "servers already expected on this machine"
need_port PostgreSQL 127.0.0.1 5432
need_port Redis 127.0.0.1 6379
need_port RabbitMQ 127.0.0.1 5672

step "servers this project installs and starts"
scripts/ferretdb.sh start
scripts/ses-emulator.sh start
scripts/stripe-mock.sh start
scripts/chromium.sh install

export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
export TEST_AMQP_URL="${TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}"
export TEST_MONGO_URL="${TEST_MONGO_URL:-mongodb://127.0.0.1:27017/}"
export TEST_SES_URL="${TEST_SES_URL:-http://127.0.0.1:8005}"
export TEST_STRIPE_URL="${TEST_STRIPE_URL:-http://127.0.0.1:12111}"

step "gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null; find . -name '*.go' -newer go.mod -not -path './.tools/*' -not -path './web/*' 2>/dev/null) | sort -u)
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi
go vet ./...

step "deployment manifests and compose.yaml"
scripts/check-deploy.sh

step "generated docs are current"
go run ./cmd/docgen -check

step "go test (unit + integration)"
# -p 2: two cores. The fault tests restart RabbitMQ, so they run afterwards,
# alone, never beside other packages.
go test -p 2 -count=1 -timeout 15m $(go list ./... | grep -v /e2e/faults) 2>&1 | tee test-output/go-test.log

step "fault tests (RabbitMQ restart, kill -9, relay restart during checkouts)"
go test -count=1 -timeout 10m ./e2e/faults 2>&1 | tee test-output/go-test-faults.log

step "storefront unit tests and build"
(cd web && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm test && npm run build)

step "end-to-end in Chromium against the embedded shop"
scripts/e2e.sh

step "all tests passed"
