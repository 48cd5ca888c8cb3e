"""Settings shared by every service (env prefix POLLWATCH_), and the loader that fails fast.

Each service declares its own frozen settings class with its own prefix (INGEST_, ...) and
builds it once at start with `load()`; nothing reads the environment after that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Self, TypeVar

from pydantic import AwareDatetime, Field, HttpUrl, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.infra.errors import SettingsError


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


_OPENS, _CLOSES = "POLLWATCH_REPORTING_OPENS_AT", "POLLWATCH_REPORTING_CLOSES_AT"


@dataclass(frozen=True, slots=True)
class ReportingWindow:
    """When a report may have been observed: from the election's eve to the end of its count."""

    opens_at: datetime
    closes_at: datetime

    def __contains__(self, when: datetime) -> bool:
        return self.opens_at <= when <= self.closes_at


class SharedSettings(BaseSettings):
    """Kafka and PostgreSQL addresses and what every process needs."""

    model_config = SettingsConfigDict(env_prefix="POLLWATCH_", frozen=True, extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    # Prefixes every topic name (tests and shared brokers); empty in a normal deployment.
    topic_namespace: str = ""
    database_url: SecretStr = SecretStr("postgresql://pollwatch@127.0.0.1:55432/pollwatch")
    # The role the services' connections act as (migration 0024_service_role: it may not alter
    # the audit log); the login in database_url must be a member of it. Empty: the login's own.
    database_role: str = "pollwatch_service"
    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    log_json: bool = False
    db_pool_min: int = Field(default=1, ge=0)
    db_pool_max: int = Field(default=10, ge=1)
    # The election's reporting window (observed_at, ISO 8601 with an offset): ingest refuses
    # reports observed outside it, which the aggregator would drop or misplace (docs/ingest.md).
    # Unset (development, replays of past elections): any time from the year 2000 on.
    reporting_opens_at: AwareDatetime | None = None
    reporting_closes_at: AwareDatetime | None = None
    # Where monitors reach ingest from their phones: monitors' login links (credential cards and
    # SMS) are `<this>/m/#t=<token>`.
    ingest_public_url: HttpUrl = HttpUrl("http://127.0.0.1:8081")

    @model_validator(mode="after")
    def _window_is_whole(self) -> Self:
        opens, closes = self.reporting_opens_at, self.reporting_closes_at
        if (opens is None) != (closes is None):
            raise ValueError(f"set both {_OPENS} and {_CLOSES}, or neither")
        if opens is not None and closes is not None and opens >= closes:
            raise ValueError(f"{_OPENS} must come before {_CLOSES}")
        return self

    @property
    def reporting_window(self) -> ReportingWindow | None:
        opens, closes = self.reporting_opens_at, self.reporting_closes_at
        return None if opens is None or closes is None else ReportingWindow(opens, closes)

    def topic(self, name: str) -> str:
        return f"{self.topic_namespace}.{name}" if self.topic_namespace else name


S = TypeVar("S", bound=BaseSettings)


def load(cls: type[S]) -> S:
    """Builds `cls` from the environment, or raises SettingsError naming each bad variable."""
    try:
        return cls()
    except ValidationError as exc:
        prefix = str(cls.model_config.get("env_prefix", ""))
        problems = [
            f"{prefix}{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            if err["loc"]
            else err["msg"]  # a check across variables names them itself
            for err in exc.errors()
        ]
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
