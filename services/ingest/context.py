"""What the request handlers need, built once by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.clock import Clock
from services.ingest.auth import Authenticator
from services.ingest.intake import Intake
from services.ingest.metrics import IngestMetrics
from services.ingest.settings import IngestSettings
from services.ingest.station_cache import StationCache


@dataclass
class Services:
    settings: IngestSettings
    intake: Intake
    auth: Authenticator
    stations: StationCache
    metrics: IngestMetrics
    clock: Clock
