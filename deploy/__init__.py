"""Deployment: images (docker/), manifests (k8s/), alerts (prometheus/) and the tools that
generate parts of them."""
