#!/usr/bin/env bash
# Installs promtool (checks and unit-tests deploy/prometheus/*.yaml) from Debian's `prometheus`
# package when it is not on PATH. The package ships a Prometheus server too: it must not be left
# running, so service starts are refused during the install (policy-rc.d exit 101) and, should
# one have started anyway (systemd), it is stopped and disabled afterwards. Needs root or sudo.
set -euo pipefail
if command -v promtool >/dev/null; then
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install_promtool: needs root (or sudo)" >&2; exit 1; }
  sudo=(sudo -n)
fi
policy=/usr/sbin/policy-rc.d
saved=""
if [ -e "$policy" ]; then
  saved="$(mktemp)"
  "${sudo[@]}" cp -p "$policy" "$saved"
fi
restore() {
  if [ -n "$saved" ]; then
    "${sudo[@]}" cp -p "$saved" "$policy" && rm -f "$saved"
  else
    "${sudo[@]}" rm -f "$policy"
  fi
}
trap restore EXIT
printf '#!/bin/sh\n# install_promtool: no service starts during this install\nexit 101\n' |
  "${sudo[@]}" tee "$policy" >/dev/null
"${sudo[@]}" chmod 0755 "$policy"

echo "install_promtool: apt-get install prometheus (for promtool)" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends prometheus >/dev/null

# Belt and braces: whatever the init system, no Prometheus server stays up or starts at boot.
if [ -d /run/systemd/system ]; then
  "${sudo[@]}" systemctl disable --now prometheus.service >/dev/null 2>&1 || true
elif [ -x /etc/init.d/prometheus ]; then
  "${sudo[@]}" /etc/init.d/prometheus stop >/dev/null 2>&1 || true
fi
if pgrep -x prometheus >/dev/null; then
  echo "install_promtool: a prometheus server is still running: stop it (pgrep -ax prometheus)" >&2
  exit 1
fi
command -v promtool >/dev/null || { echo "install_promtool: promtool missing after install" >&2; exit 1; }
echo "install_promtool: $(promtool --version 2>&1 | head -1)" >&2
