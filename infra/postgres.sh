#!/usr/bin/env bash
# A project-local PostgreSQL 15 cluster from the machine's binaries.
#   infra/postgres.sh start|stop|status
# Settings (environment): PW_STATE_DIR (default .local), PGPORT (55432),
# PG_BIN (default: the directory of pg_ctl on PATH, else /usr/lib/postgresql/15/bin).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="${PW_STATE_DIR:-$root/.local}"
dir="$state/postgres"
data="$dir/data"
port="${PGPORT:-55432}"
bin="${PG_BIN:-$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || echo /usr/lib/postgresql/15/bin/pg_ctl)")")}"

# initdb and postgres refuse to run as root; run them as the Debian "postgres" user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    # The postgres user must be able to reach the project directory.
    chmod o+x "$root" "$state" 2>/dev/null || true
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$data" -U pollwatch --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if ! running; then
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=200 -c fsync=${PG_FSYNC:-on}" start >/dev/null
  fi
  "$bin/psql" -h 127.0.0.1 -p "$port" -U pollwatch -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='pollwatch'" | grep -q 1 \
    || "$bin/createdb" -h 127.0.0.1 -p "$port" -U pollwatch pollwatch
  echo "postgres: started on 127.0.0.1:$port (database pollwatch, user pollwatch)" >&2
}

stop() {
  if running; then as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; echo "postgres: stopped" >&2; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo running; else echo stopped; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
