"""Ingest settings (env prefix INGEST_), built once at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.infra.settings import SharedSettings


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8081, ge=1, le=65535)
    shared: SharedSettings = Field(default_factory=SharedSettings)
    # Worker processes, each with its own socket on the port (services/ingest/workers.py); they
    # coordinate through Kafka and the PostgreSQL dedup table.
    workers: int = Field(default=1, ge=1, le=32)

    # Requests: a 1,000-report batch of protocols is ~400 kB of JSON.
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_batch: int = Field(default=1000, ge=1)
    # observed_at may run ahead of our clock by this much (phones' clocks drift).
    future_tolerance_seconds: float = Field(default=300, ge=0)

    # Kafka: a send not acknowledged within this time is answered 503 and not acknowledged.
    produce_timeout_seconds: float = Field(default=5.0, gt=0)
    retry_after_seconds: int = Field(default=5, ge=1)
    # 0: a report leaves at once when no produce request is in flight, and those arriving
    # while one is wait for it and leave together; under load that batches as a linger would,
    # and below it a linger only adds its own wait (bench/ingest_bench.py, single phase).
    linger_ms: int = Field(default=0, ge=0)

    # Duplicate ids are recognised for this long (PostgreSQL table ingest_dedup, shared by replicas).
    dedup_window_hours: float = Field(default=72, gt=0)
    # In-process LRU of ids known accepted, in front of PostgreSQL.
    dedup_cache_size: int = Field(default=200_000, ge=0)
    # A claim not accepted nor released is taken over after this long, even while the replica
    # holding it lives; one left by a replica that is gone (its PostgreSQL session ended) at once.
    dedup_claim_ttl_seconds: float = Field(default=30, gt=0)
    # A dedup statement that only records acceptances waits this long for a claim to go with
    # (a claim ends the wait): fewer statements per single-report request, up to this much later.
    dedup_accept_linger_ms: float = Field(default=2, ge=0, le=50)
    # Whether a dedup commit waits for PostgreSQL's WAL flush (an fsync, on every request's
    # path). Off: a PostgreSQL crash (not a restart) may forget the last ~0.6 s of
    # claims and acceptances; a report resent after that may be written twice, which the
    # aggregator counts as a duplicate and drops (docs/ingest.md).
    dedup_synchronous_commit: bool = False

    # Stations are cached in memory and reloaded this often.
    registry_refresh_seconds: float = Field(default=30, gt=0)
    # Token and phone look-ups are cached this long: a revocation takes effect within it.
    auth_cache_seconds: float = Field(default=5, ge=0)

    # Shared secret SMS gateways send (query `key`, form field `secret` or header X-Pollwatch-Key);
    # when unset the webhook trusts its callers (development only).
    sms_webhook_secret: SecretStr | None = None

    # Evidence photos (POST /v1/evidence): the largest upload taken, in bytes. The monitor app sends
    # JPEGs downscaled to 1,600 px on the longest side, a few hundred kB; 5 MiB leaves room for
    # other clients' photos without letting one request fill the database.
    evidence_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    # The election's contestants as printed on the ballot (a CSV with the columns code,name), which
    # the monitor app lists on the final protocol form (GET /v1/forms). Unset: monitors type the
    # codes or names themselves.
    contestants_file: Path | None = None
