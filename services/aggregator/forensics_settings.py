"""Settings of the live forensics agent (env prefix AGGREGATOR_FORENSICS_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.forensics.live import DEFAULT_LIVE_BINS
from services.forensics.region_screen import MIN_TESTED, Z_THRESHOLD


class ForensicsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AGGREGATOR_FORENSICS_", frozen=True, extra="ignore")

    enabled: bool = True
    # Figures are recomputed (when a protocol changed) and written at most this often.
    interval_s: float = Field(default=5.0, gt=0)
    # Fingerprint cells per axis (50: 2-point cells, a heatmap a dashboard can draw).
    bins: int = Field(default=DEFAULT_LIVE_BINS, ge=10, le=200)
    # The region screen's rule (services/forensics/region_screen.py); the defaults are
    # what `pollwatch forensics` applies, so both flag the same regions.
    min_stations: int = Field(default=MIN_TESTED, ge=1)
    z: float = Field(default=Z_THRESHOLD, gt=0)
