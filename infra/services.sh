#!/usr/bin/env bash
# Starts and stops the pollwatch services as background processes (pids in $PW_STATE_DIR/run):
# ingest, aggregator, api, and the messenger with the SMS gateway simulator it sends to.
#   infra/services.sh start|stop|status
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="${PW_STATE_DIR:-$root/.local}"
run="$state/run"
bin="$root/.venv/bin/pollwatch"
mkdir -p "$run"

declare -A ports=([ingest]="${INGEST_PORT:-8081}" [aggregator]="${AGGREGATOR_PORT:-8082}" [api]="${API_PORT:-8080}"
  [gateway-simulator]="${GATEWAY_SIM_PORT:-8084}" [messenger]="${MESSENGER_PORT:-8083}")
services=(ingest aggregator api gateway-simulator messenger)

alive() { [ -f "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

start() {
  for svc in "${services[@]}"; do
    if alive "$svc"; then echo "$svc: already running" >&2; continue; fi
    AGGREGATOR_DATA_DIR="${AGGREGATOR_DATA_DIR:-$state/aggregator}" \
      nohup "$bin" "$svc" >"$run/$svc.log" 2>&1 &
    echo $! >"$run/$svc.pid"
  done
  for svc in "${services[@]}"; do
    port="${ports[$svc]}"
    for _ in $(seq 1 120); do
      if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
      if ! alive "$svc"; then echo "$svc: exited; see $run/$svc.log" >&2; tail -20 "$run/$svc.log" >&2; exit 1; fi
      sleep 0.5
    done
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "$svc: no /healthz on $port" >&2; exit 1; }
    echo "$svc: up on 127.0.0.1:$port (pid $(cat "$run/$svc.pid"), log $run/$svc.log)" >&2
  done
}

stop() {
  for svc in messenger gateway-simulator api aggregator ingest; do
    if alive "$svc"; then
      pid="$(cat "$run/$svc.pid")"
      kill "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      echo "$svc: stopped" >&2
    fi
    rm -f "$run/$svc.pid"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) for svc in "${services[@]}"; do alive "$svc" && echo "$svc running" || echo "$svc stopped"; done ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
