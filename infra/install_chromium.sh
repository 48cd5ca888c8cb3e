#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests and benchmark (idempotent).
# The test tools (playwright-core) never download a browser of their own: they drive this one.
set -euo pipefail
CHROMIUM="${PW_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
test -x "$CHROMIUM"
