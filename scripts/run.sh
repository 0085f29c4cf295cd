#!/usr/bin/env bash
# Runs the whole shop in one process (embedded by default: in-memory event
# store, bus and read models, sandbox payments, demo catalog, mail shown at
# /dev/mail). Builds the storefront first when its build is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f web/package.json ]; then
	if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/package.json -newer web/dist/index.html -print -quit 2>/dev/null)" ]; then
		echo "building the storefront (web/dist)"
		(cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
	fi
fi
exec go run ./cmd/shop "$@"
