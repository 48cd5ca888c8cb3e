"""One sample of a service's /metrics, for tests that wait on a gauge."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def sample(url: str, name: str, labels: dict[str, str]) -> float:
    """The value of `name{labels}` at `url`/metrics, 0 when absent."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return 0.0
