"""Generators of deploy/k8s files from their sources in services/ and deploy/prometheus
(`make k8s-generate`; tests/unit/deploy checks the committed files equal their output)."""
