"""API settings (env prefix API_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.settings import SharedSettings


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="API_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    graphiql: bool = True
    shared: SharedSettings = Field(default_factory=SharedSettings)
