#!/usr/bin/env bash
# Runs the storefront's browser end-to-end test (web/e2e/run.mjs).
#   scripts/e2e.sh            against $SHOP_URL (default http://127.0.0.1:18080); if nothing answers
#                             there and cmd/shop exists, builds and starts the embedded shop for the run
#   scripts/e2e.sh selftest   against web/e2e/fake-shop.mjs (no Go backend needed)
# Installs Debian's chromium with apt when missing (never a downloaded browser build),
# installs web/ dependencies from the lock, and builds the storefront.
# Env: SHOP_URL, SES_STORE_URL (server mode mail), SHOP_CMD (command that starts the shop), CHROMIUM_PATH,
# E2E_ADMIN_EMAIL/E2E_ADMIN_PASSWORD (an admin of the shop; the shop this script starts bootstraps them).
# The shop this script starts also takes PayPal, through the fake PayPal (payments/paypal/paypaltest,
# built from PayPal's published API description) on the port after the shop's; PAYPAL_URL is passed to
# the test, which then also approves and cancels PayPal orders.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/web"

[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || "$root/scripts/chromium.sh" install
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build >/dev/null

if [ "${1:-}" = "selftest" ]; then
  exec npm run --silent e2e:selftest
fi

# A port of its own, so a shop someone runs on :8080 is never mistaken for ours.
export SHOP_URL="${SHOP_URL:-http://127.0.0.1:18080}"
export ADDR="${ADDR:-127.0.0.1:${SHOP_URL##*:}}"
shop_pid=""
paypal_pid=""
cleanup() {
  rc=$?
  if [ -n "$paypal_pid" ]; then
    kill "$paypal_pid" 2>/dev/null || true
    wait "$paypal_pid" 2>/dev/null || true
  fi
  if [ -n "$shop_pid" ]; then
    kill "$shop_pid" 2>/dev/null || true
    wait "$shop_pid" 2>/dev/null || true
    [ -z "${e2e_data:-}" ] || rm -rf "$e2e_data"
    [ "$rc" = 0 ] || { echo "e2e: last lines of the shop's log:"; tail -n 40 "$root/test-output/e2e/shop.log"; }
  fi
}
trap cleanup EXIT
answers() { node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$SHOP_URL/"; }
if ! answers; then
  cmd="${SHOP_CMD:-}"
  if [ -z "$cmd" ] && [ -d "$root/cmd/shop" ]; then
    mkdir -p "$root/bin"
    (cd "$root" && go build -o bin/shop ./cmd/shop)
    cmd="$root/bin/shop"
  fi
  if [ -z "$cmd" ]; then
    echo "e2e: nothing answers at $SHOP_URL and there is no cmd/shop to start" >&2
    exit 1
  fi
  mkdir -p "$root/test-output/e2e"
  # The shop we start bootstraps the admin the test signs in as (back-office dashboard).
  export E2E_ADMIN_EMAIL="${E2E_ADMIN_EMAIL:-e2e-admin@example.com}"
  export E2E_ADMIN_PASSWORD="${E2E_ADMIN_PASSWORD:-E2e-Admin-Passphrase-$RANDOM$RANDOM}"
  export AUTH_BOOTSTRAP_ADMIN_EMAIL="$E2E_ADMIN_EMAIL" AUTH_BOOTSTRAP_ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD"
  # The durable default, on a data directory of its own that the run throws away.
  e2e_data=$(mktemp -d)
  export DATA_DIR="${E2E_DATA_DIR:-$e2e_data}"
  # PayPal through the fake PayPal, which checks every call against PayPal's API description.
  paypal_addr="127.0.0.1:$(( ${SHOP_URL##*:} + 1 ))"
  (cd "$root" && go build -o bin/fakepaypal ./payments/paypal/paypaltest/cmd/fakepaypal)
  "$root/bin/fakepaypal" -addr "$paypal_addr" >"$root/test-output/e2e/fakepaypal.log" 2>&1 &
  paypal_pid=$!
  export PAYPAL_URL="http://$paypal_addr" PAYPAL_CLIENT_ID=fake-paypal-client PAYPAL_SECRET=fake-paypal-secret
  export PAYMENT_GATEWAYS="${PAYMENT_GATEWAYS:-sandbox,paypal}" PUBLIC_URL="${PUBLIC_URL:-$SHOP_URL}"
  echo "e2e: starting the shop: $cmd (data in $DATA_DIR)"
  (cd "$root" && exec $cmd) >"$root/test-output/e2e/shop.log" 2>&1 &
  shop_pid=$!
fi
npm run --silent e2e
