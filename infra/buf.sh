#!/usr/bin/env bash
# buf lint and buf breaking on proto/ (npm @bufbuild/buf, installed into .local/buf).
#   infra/buf.sh            lint, then breaking against proto/baseline.binpb
#   infra/buf.sh baseline   record the current schemas as the new baseline (a released version)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.local/buf"
if [ ! -x "$prefix/node_modules/.bin/buf" ]; then
  mkdir -p "$prefix"
  cp "$root/infra/buf/package.json" "$prefix/package.json"
  (cd "$prefix" && npm install --silent --no-audit --no-fund >/dev/null)
fi
buf="$prefix/node_modules/.bin/buf"
cd "$root/proto"
case "${1:-check}" in
  baseline) "$buf" build -o baseline.binpb; echo "buf: baseline recorded in proto/baseline.binpb" >&2 ;;
  check)
    "$buf" lint
    "$buf" breaking --against baseline.binpb
    echo "buf: lint and breaking clean" >&2 ;;
  *) echo "usage: $0 [check|baseline]" >&2; exit 2 ;;
esac
