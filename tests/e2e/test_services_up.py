"""The three services as processes on real Kafka and PostgreSQL: health, readiness, metrics."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from services.common.infra.settings import SharedSettings
from tests.support.processes import run_all


@pytest.mark.e2e
def test_each_service_serves_health_readiness_and_metrics(
    shared_settings: SharedSettings, tmp_path: Path
) -> None:
    with run_all(shared_settings, tmp_path) as services:
        assert set(services) == {"ingest", "aggregator", "api"}
        for name, service in services.items():
            ready = service.wait_ready()
            assert ready.status_code == 200, f"{name}: {ready.text}\n{service.log_tail()}"
            assert all(ready.json()["checks"].values())
            assert httpx.get(f"{service.url}/healthz").json() == {"status": "ok"}
            metrics = httpx.get(f"{service.url}/metrics")
            assert metrics.status_code == 200
            assert "# TYPE process_cpu_seconds_total counter" in metrics.text, name
