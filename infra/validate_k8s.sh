#!/usr/bin/env bash
# Renders deploy/k8s overlays with kustomize and validates them offline, then lints the
# Dockerfiles. Tools and schemas come from infra/install_k8s_tools.sh (.local/k8s-tools).
#   infra/validate_k8s.sh              both overlays (dev, prod)
#   infra/validate_k8s.sh prod         one overlay
#   infra/validate_k8s.sh --files F... validate already-rendered files (no kustomize, no hadolint)
# Rendered manifests are left in .local/k8s-tools/rendered/<overlay>.yaml for inspection.
# Checked: every built-in kind against the Kubernetes $K8S_SCHEMA_VERSION schemas (strict: unknown
# fields fail), CloudNativePG and prometheus-operator kinds against their CRDs. Strimzi's kinds
# have no schema obtainable here and are listed in STRIMZI_KINDS (docs/deploy.md): they are
# checked by tests/integration/deploy instead. Any other kind without a schema fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
K8S_SCHEMA_VERSION=${K8S_SCHEMA_VERSION:-1.33.0}
STRIMZI_KINDS=Kafka,KafkaNodePool,KafkaTopic
"$root/infra/install_k8s_tools.sh"
tools="$root/.local/k8s-tools"
out="$tools/rendered"
mkdir -p "$out"
kubeconform() {
  "$tools/bin/kubeconform" -strict -summary -output text \
    -kubernetes-version "$K8S_SCHEMA_VERSION" \
    -schema-location "$tools/schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$tools/schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    -skip "$STRIMZI_KINDS" "$@"
}
if [ "${1:-}" = "--files" ]; then
  shift
  kubeconform "$@"
  exit 0
fi
overlays=("$@")
[ ${#overlays[@]} -gt 0 ] || overlays=(dev prod)
for overlay in "${overlays[@]}"; do
  "$tools/bin/kustomize" build "$root/deploy/k8s/overlays/$overlay" > "$out/$overlay.yaml"
  echo "validate_k8s: $overlay" >&2
  kubeconform "$out/$overlay.yaml"
done
echo "validate_k8s: hadolint deploy/docker/*.Dockerfile" >&2
"$tools/bin/hadolint" "$root"/deploy/docker/*.Dockerfile
echo "validate_k8s: ok" >&2
