"""Settings of the live forensics agent (env prefix AGGREGATOR_FORENSICS_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.aggregator.forensics_alert import DEFAULT_MIN_STATIONS
from services.common.forensics.live import DEFAULT_LIVE_BINS
from services.common.forensics.live_figures import SIGNIFICANT_Z


class ForensicsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AGGREGATOR_FORENSICS_", frozen=True, extra="ignore")

    enabled: bool = True
    # Figures are recomputed (when a protocol changed) and written at most this often.
    interval_s: float = Field(default=5.0, gt=0)
    # Fingerprint cells per axis (50: 2-point cells, a heatmap a dashboard can draw).
    bins: int = Field(default=DEFAULT_LIVE_BINS, ge=10, le=200)
    # A region alert needs this many protocols in the test, so early noise never fires.
    min_stations: int = Field(default=DEFAULT_MIN_STATIONS, ge=1)
    z: float = Field(default=SIGNIFICANT_Z, gt=0)
