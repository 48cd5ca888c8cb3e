"""Messenger settings (env prefix MESSENGER_), built once at start."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, HttpUrl, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.infra.settings import Environment, SharedSettings


class GatewayKind(StrEnum):
    TWILIO = "twilio"
    TELERIVET = "telerivet"
    RAPIDPRO = "rapidpro"
    AFRICASTALKING = "africastalking"
    GENERIC = "generic"


# What each gateway cannot work without (the setting's name, without the MESSENGER_ prefix).
_REQUIRED: dict[GatewayKind, tuple[str, ...]] = {
    GatewayKind.TWILIO: ("twilio_account_sid", "twilio_auth_token", "twilio_sender"),
    GatewayKind.TELERIVET: ("telerivet_project_id", "telerivet_api_key", "callback_secret"),
    GatewayKind.RAPIDPRO: ("rapidpro_token",),
    GatewayKind.AFRICASTALKING: ("africastalking_username", "africastalking_api_key", "callback_secret"),
}


class MessengerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MESSENGER_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8083, ge=1, le=65535)
    shared: SharedSettings = Field(default_factory=SharedSettings)
    consumer_group: str = "pollwatch-messenger"

    # The outbound gateway (docs/messaging.md). Twilio, Telerivet, RapidPro, Africa's Talking:
    # the API's base URL; generic: the URL messages are posted to. The defaults are the gateway
    # simulator of `make up`.
    gateway: GatewayKind = GatewayKind.GENERIC
    gateway_url: HttpUrl = HttpUrl("http://127.0.0.1:8084/v1/messages")
    gateway_token: SecretStr | None = None
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr | None = None
    # A sending number (E.164) or a Messaging Service SID (MG...).
    twilio_sender: str = ""
    telerivet_project_id: str = ""
    telerivet_api_key: SecretStr | None = None
    # The route (phone or service) Telerivet sends through; empty: the project's default.
    telerivet_route_id: str = ""
    # RapidPro's (or TextIt's) API token; its statuses are asked for every status_poll_seconds.
    rapidpro_token: SecretStr | None = None
    status_poll_seconds: float = Field(default=30, gt=0)
    africastalking_username: str = ""
    africastalking_api_key: SecretStr | None = None
    # A sender id or short code registered with Africa's Talking; empty: theirs.
    africastalking_sender: str = ""
    # Where the gateway reaches this service's status callbacks (/v1/status/<gateway>).
    public_url: HttpUrl = HttpUrl("http://127.0.0.1:8083")
    # Signs the generic gateway's callbacks (X-Pollwatch-Signature); Telerivet returns it as the
    # status_secret; Africa's Talking's dashboard callback URL carries it (?secret=); Twilio signs
    # with its auth token.
    callback_secret: SecretStr | None = None
    # What monitors without a language of their own (monitors.lang NULL) are written to in.
    default_language: Literal["en", "ru", "kk"] = "en"

    # The gateway's rate limit (messages per second, and how many may leave at once after a
    # quiet spell), and how many requests are in flight at a time.
    rate_per_second: float = Field(default=10, gt=0)
    burst: int = Field(default=10, ge=1)
    concurrency: int = Field(default=4, ge=1, le=64)
    # A message the gateway did not take is tried again, waiting about base * 2^(attempt - 1)
    # seconds (up to the cap) in between, at most max_attempts times in all.
    max_attempts: int = Field(default=8, ge=1)
    backoff_base_seconds: float = Field(default=2, gt=0)
    backoff_max_seconds: float = Field(default=300, gt=0)
    request_timeout_seconds: float = Field(default=10, gt=0)
    # A delivery left `sending` longer than this belonged to a process that died.
    send_lease_seconds: float = Field(default=120, gt=0)
    # How often due deliveries are looked for when nothing new arrived.
    poll_seconds: float = Field(default=1, gt=0)

    # Alerts to the people on duty (docs/notify.md): a webhook or SMS that failed is tried again
    # after about base * 2^(attempt - 1) seconds (capped), at most notify_max_attempts times,
    # then left `dead`. More than notify_sms_per_minute SMS to one phone within a minute are
    # folded into one digest at the minute's end. Older transitions are not sent at all.
    notify_enabled: bool = True
    notify_consumer_group: str = "pollwatch-notifier"
    notify_concurrency: int = Field(default=4, ge=1, le=64)
    notify_max_attempts: int = Field(default=10, ge=1)
    notify_backoff_base_seconds: float = Field(default=1, gt=0)
    notify_backoff_max_seconds: float = Field(default=300, gt=0)
    notify_sms_per_minute: int = Field(default=3, ge=1)
    notify_max_age_seconds: float = Field(default=900, gt=0)

    @model_validator(mode="after")
    def _gateway_is_configured(self) -> Self:
        if self.send_lease_seconds <= self.request_timeout_seconds * 2:
            raise ValueError(
                "MESSENGER_SEND_LEASE_SECONDS must exceed twice MESSENGER_REQUEST_TIMEOUT_SECONDS"
            )
        required = _REQUIRED.get(self.gateway, ())
        missing = [f"MESSENGER_{name.upper()}" for name in required if not getattr(self, name)]
        if missing:
            raise ValueError(f"the {self.gateway.value} gateway needs {', '.join(missing)}")
        if (
            self.gateway is GatewayKind.GENERIC
            and self.shared.environment is Environment.PRODUCTION
            and self.callback_secret is None
        ):
            raise ValueError("set MESSENGER_CALLBACK_SECRET in production: anyone could post statuses")
        return self
