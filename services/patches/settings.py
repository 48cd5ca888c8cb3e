"""The patches' switches (env prefix POLLWATCH_), shared by every service."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class PatchSettings(BaseSettings):
    """`patches=off` switches every patch that has a stock path off; `patches_disabled` names
    single ones (comma-separated, e.g. `aiokafka.node_drain,uvicorn.nowait_send`)."""

    model_config = SettingsConfigDict(env_prefix="POLLWATCH_", frozen=True, extra="ignore")

    patches: Literal["on", "off"] = "on"
    patches_disabled: Annotated[frozenset[str], NoDecode] = frozenset()

    @field_validator("patches_disabled", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(name.strip() for name in value.split(",") if name.strip())
        return value
