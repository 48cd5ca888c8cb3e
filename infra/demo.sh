#!/usr/bin/env bash
# The `make up` demo: a demo API key, and the simulator at a watchable speed in the background.
#   infra/demo.sh key|simulate|stop
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="${PW_STATE_DIR:-$root/.local}"
run="$state/run"
bin="$root/.venv/bin/pollwatch"
keyfile="$state/demo-api-key"
mkdir -p "$run"

key() {
  # One admin key for the demo, made once and kept (git-ignored) for the next `make up`.
  if [ ! -s "$keyfile" ]; then
    "$bin" keys create --role admin --org demo | head -1 > "$keyfile"
    chmod 600 "$keyfile"
  fi
  cat "$keyfile"
}

simulate() {
  if [ -f "$run/simulate.pid" ] && kill -0 "$(cat "$run/simulate.pid")" 2>/dev/null; then
    echo "simulator: already running" >&2; return
  fi
  # 2,000 stations reporting every 30 minutes. Today's election day in real time, polls 07:00-20:00
  # on each region's clock, so the dashboard's "5 min ago" is true; DEMO_DAY_MINUTES=30 plays a
  # past day compressed into 30 minutes instead.
  local when=(--today)
  [ -n "${DEMO_DAY_MINUTES:-}" ] && when=(--day-minutes "$DEMO_DAY_MINUTES")
  nohup "$bin" simulate "${when[@]}" --interval 30 \
    --truth "$state/simulation-truth.json" >"$run/simulate.log" 2>&1 &
  echo $! > "$run/simulate.pid"
  echo "simulator: running (log $run/simulate.log, ground truth $state/simulation-truth.json)" >&2
}

stop() {
  if [ -f "$run/simulate.pid" ]; then
    kill "$(cat "$run/simulate.pid")" 2>/dev/null && echo "simulator: stopped" >&2 || true
    rm -f "$run/simulate.pid"
  fi
}

case "${1:-}" in
  key) key ;;
  simulate) simulate ;;
  stop) stop ;;
  *) echo "usage: $0 key|simulate|stop" >&2; exit 2 ;;
esac
