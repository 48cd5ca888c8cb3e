from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from services.api.settings import ApiSettings
from services.common.infra.errors import SettingsError
from services.common.infra.settings import Environment, SharedSettings, load
from services.ingest.settings import IngestSettings


def test_defaults_are_the_documented_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("INGEST_PORT", "API_PORT", "POLLWATCH_KAFKA_BOOTSTRAP"):
        monkeypatch.delenv(var, raising=False)
    assert load(IngestSettings).port == 8081
    assert load(ApiSettings).port == 8080
    assert load(SharedSettings).kafka_bootstrap == "127.0.0.1:9092"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_PORT", "9999")
    monkeypatch.setenv("POLLWATCH_ENVIRONMENT", "production")
    monkeypatch.setenv("POLLWATCH_TOPIC_NAMESPACE", "ns")
    settings = load(IngestSettings)
    assert settings.port == 9999
    assert settings.shared.environment is Environment.PRODUCTION
    assert settings.shared.topic("pollwatch.reports.v1") == "ns.pollwatch.reports.v1"


def test_bad_value_fails_fast_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_PORT", "eighty")
    with pytest.raises(SettingsError, match="INGEST_PORT: Input should be a valid integer"):
        load(IngestSettings)


def test_database_url_never_prints() -> None:
    settings = SharedSettings(database_url=SecretStr("postgresql://u:hunter2@h/db"))
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings)


def test_the_reporting_window_is_both_ends_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLLWATCH_REPORTING_OPENS_AT", "2026-03-02T00:00:00+06:00")
    both = "set both POLLWATCH_REPORTING_OPENS_AT and POLLWATCH_REPORTING_CLOSES_AT, or neither"
    with pytest.raises(SettingsError, match=both):
        load(IngestSettings)
    monkeypatch.setenv("POLLWATCH_REPORTING_CLOSES_AT", "2026-03-01T00:00:00+06:00")
    with pytest.raises(SettingsError, match="must come before"):
        load(IngestSettings)
    monkeypatch.setenv("POLLWATCH_REPORTING_CLOSES_AT", "2026-03-03T12:00:00+06:00")
    window = load(IngestSettings).shared.reporting_window
    assert window is not None
    assert datetime(2026, 3, 2, 10, tzinfo=UTC) in window
    assert datetime(2026, 3, 1, 17, 59, tzinfo=UTC) not in window


def test_the_apis_default_time_zone_must_be_an_iana_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load(ApiSettings).default_timezone == "Asia/Almaty"
    monkeypatch.setenv("API_DEFAULT_TIMEZONE", "UTC+5")
    with pytest.raises(SettingsError, match=r"API_DEFAULT_TIMEZONE: .*'UTC\+5' is not an IANA time zone"):
        load(ApiSettings)
