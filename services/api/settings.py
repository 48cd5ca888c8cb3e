"""API settings (env prefix API_)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.api.auth import Role
from services.common.infra.settings import Environment, SharedSettings


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="API_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    graphiql: bool = True
    # Browser origins allowed for HTTP (CORS) and for WebSocket handshakes; "*" allows any.
    cors_origins: tuple[str, ...] = ()
    ws_origins: tuple[str, ...] = ()
    # permessage-deflate on subscription sockets: off, because frames are a few hundred bytes
    # (little to gain) while compressing each costs CPU on the fan-out path and every socket
    # holds its own zlib state. Turn on for clients on slow links with large selections.
    ws_per_message_deflate: bool = False
    # Requests without a key act as the public role when true; otherwise they are refused.
    allow_anonymous: bool = False
    # Query limits.
    max_depth: int = Field(default=8, ge=2)
    max_tokens: int = Field(default=2000, ge=50)
    max_aliases: int = Field(default=15, ge=0)
    page_default: int = Field(default=50, ge=1)
    page_max: int = Field(default=200, ge=1)
    # The review queue: a claim lapses after this long without a decision; incidents of these
    # violations come first (as the aggregator's grave_incident rule, services/aggregator/rules).
    claim_minutes: float = Field(default=15.0, gt=0)
    grave_violations: tuple[str, ...] = ("ballot_stuffing", "carousel_voting")
    max_subscriptions_per_connection: int = Field(default=20, ge=1)
    # Per key: a token bucket of `rate_burst` operations refilled at `rate_per_second`, spent by
    # every POST and every operation over a WebSocket (and each connection_init).
    rate_per_second: float = Field(default=50.0, gt=0)
    rate_burst: int = Field(default=200, ge=1)
    # Query cost (see query_cost): the most one operation may cost, per role ...
    max_cost_public: int = Field(default=2_000, ge=1)
    max_cost_partner: int = Field(default=10_000, ge=1)
    max_cost_analyst: int = Field(default=25_000, ge=1)
    max_cost_coordinator: int = Field(default=25_000, ge=1)
    max_cost_admin: int = Field(default=25_000, ge=1)
    # ... and per key, a token bucket of cost: what one key may spend a second, and at once.
    cost_per_second: float = Field(default=10_000.0, gt=0)
    cost_burst: int = Field(default=50_000, ge=1)
    # How long a key lookup is trusted before a revocation is noticed (also on open subscriptions).
    key_cache_seconds: float = Field(default=2.0, ge=0)
    # Pending alerts per subscriber before it is closed for overflow.
    alert_queue_size: int = Field(default=1000, ge=1)
    # The feed holds alerts back while a subscriber's queue is full, unless that queue has not
    # been empty for this long: such a subscriber is behind and overflows instead.
    alert_backpressure_seconds: float = Field(default=5.0, ge=0)
    # Readiness, and new subscriptions, fail once the broker has not answered the feed's
    # once-a-second probe (or the feed has not fetched) for this long.
    feed_stale_seconds: float = Field(default=5.0, gt=0)
    # On SIGTERM, open connections (subscriptions get close code 1012) have this long to close
    # before their tasks are cancelled and the process exits, even if a client stopped reading.
    shutdown_grace_seconds: int = Field(default=10, ge=1)
    # Every this many seconds long-lived objects are frozen out of the garbage collector's walks
    # (see gc_freeze); 0 turns it off.
    gc_freeze_seconds: float = Field(default=10.0, ge=0)
    # The election's IANA time zone: regions the registry gives none read their times (and
    # bucket their turnout) in it, and national figures are shown in it. Keep it equal to the
    # aggregator rules profile's polls.timezone (demo: Asia/Almaty).
    default_timezone: str = "Asia/Almaty"
    shared: SharedSettings = Field(default_factory=SharedSettings)

    @field_validator("default_timezone")
    @classmethod
    def _is_a_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Asia/Almaty)") from None
        return value

    def max_cost(self, role: Role) -> int:
        return {
            Role.PUBLIC: self.max_cost_public,
            Role.PARTNER: self.max_cost_partner,
            Role.ANALYST: self.max_cost_analyst,
            Role.COORDINATOR: self.max_cost_coordinator,
            Role.ADMIN: self.max_cost_admin,
        }[role]

    @model_validator(mode="after")
    def _budget_holds_the_largest_operation(self) -> ApiSettings:
        largest = max(self.max_cost(role) for role in Role)
        if self.cost_burst < largest:
            raise ValueError(f"cost_burst ({self.cost_burst}) is below the largest max_cost ({largest})")
        return self

    @property
    def production(self) -> bool:
        return self.shared.environment is Environment.PRODUCTION
