"""Aggregator settings (env prefix AGGREGATOR_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.settings import SharedSettings


class AggregatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AGGREGATOR_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8082, ge=1, le=65535)
    app_id: str = "pollwatch-aggregator"
    # Local state (RocksDB); its changelog topics in Kafka make it recoverable.
    data_dir: Path = Path(".local/aggregator")
    shared: SharedSettings = Field(default_factory=SharedSettings)
