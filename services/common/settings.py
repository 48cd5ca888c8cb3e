"""Settings shared by every service (env prefix POLLWATCH_), and the loader that fails fast.

Each service declares its own frozen settings class with its own prefix (INGEST_, ...) and
builds it once at start with `load()`; nothing reads the environment after that.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.errors import SettingsError


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class SharedSettings(BaseSettings):
    """Kafka and PostgreSQL addresses and what every process needs."""

    model_config = SettingsConfigDict(env_prefix="POLLWATCH_", frozen=True, extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    # Prefixes every topic name (tests and shared brokers); empty in a normal deployment.
    topic_namespace: str = ""
    database_url: SecretStr = SecretStr("postgresql://pollwatch@127.0.0.1:55432/pollwatch")
    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    log_json: bool = False
    db_pool_min: int = Field(default=1, ge=0)
    db_pool_max: int = Field(default=10, ge=1)

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
            f"{prefix}{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        ]
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
