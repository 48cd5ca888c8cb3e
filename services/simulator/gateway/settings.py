"""The gateway simulator's settings (env prefix GATEWAY_SIM_)."""

from __future__ import annotations

from pydantic import Field, HttpUrl, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_SIM_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8084, ge=1, le=65535)
    # Twilio's basic auth (account SID, auth token; the token also signs its callbacks).
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    twilio_auth_token: SecretStr = SecretStr("simulated-auth-token")
    # Telerivet: the project and its API key (basic auth); the status secret comes with each send.
    telerivet_project_id: str = "PJ00000000000000"
    telerivet_api_key: SecretStr = SecretStr("simulated-telerivet-key")
    # RapidPro's API token (Authorization: Token ...).
    rapidpro_token: SecretStr = SecretStr("simulated-rapidpro-token")
    # Africa's Talking: the account's username and API key, and the delivery reports URL set in
    # its dashboard (None: no reports), e.g. http://127.0.0.1:8083/v1/status/africastalking?secret=...
    africastalking_username: str = "sandbox"
    africastalking_api_key: SecretStr = SecretStr("simulated-africastalking-key")
    africastalking_callback_url: HttpUrl | None = None
    # The generic gateway's bearer token (None: any) and callback signing secret (None: unsigned).
    token: SecretStr | None = None
    callback_secret: SecretStr | None = None
    # Requests per second above which it answers 429 (0: no limit).
    rate_limit: float = Field(default=0, ge=0)
    # Every n-th send is answered 500 and not taken (0: never): exercises the sender's retries.
    error_every: int = Field(default=0, ge=0)
    # Recipients whose number ends so are reported failed (undelivered) in the callbacks.
    fail_suffix: str = ""
    # Seconds before the "sent" callback, and between it and "delivered".
    callback_delay: float = Field(default=0.05, ge=0)
    # Where monitors' replies go (ingest's /v1/sms): a text asking for OK / ДА / ИӘ is answered
    # with that word from the recipient's phone, as a monitor arriving at their station would.
    reply_url: HttpUrl | None = None
