#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing.
set -euo pipefail
case "${1:-install}" in
install)
	if command -v chromium >/dev/null 2>&1; then exit 0; fi
	echo "installing chromium from Debian packages"
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
	command -v chromium
	;;
*) echo "usage: $0 install" >&2; exit 2 ;;
esac
