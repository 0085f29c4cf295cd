#!/usr/bin/env bash
# Prints fresh secrets for compose.yaml; run once: scripts/compose-env.sh > .env
set -euo pipefail
cd "$(dirname "$0")/.."
hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
echo "MAIL_LINK_KEY=$(hex 32)"
echo "CSRF_KEY=$(hex 32)"
echo "AUTH_JWT_KEYS=$(go run ./cmd/auth genkey k1)"
echo "ADMIN_PASSWORD=$(hex 12)"
