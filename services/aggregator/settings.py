"""Aggregator settings (env prefix AGGREGATOR_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.aggregator.domain.rule_config import DEFAULT_PROFILE, RULES_DIR, profile_file
from services.common.infra.settings import SharedSettings


class AggregatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AGGREGATOR_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8082, ge=1, le=65535)
    app_id: str = "pollwatch-aggregator"
    # Local state (RocksDB); its changelog topics in Kafka make it recoverable.
    data_dir: Path = Path(".local/aggregator")
    # Alert rules and windows: the profile `rules_profile` (a file `<name>.yaml` in `rules_dir`),
    # one per election (docs/aggregator.md), or `rules_file`, when set, instead.
    rules_profile: str = DEFAULT_PROFILE
    rules_dir: Path = RULES_DIR
    rules_file: Path | None = None
    # Reports are handled in batches of at most batch_max, waiting at most flush_interval_ms for
    # one to fill: state, changelog, raw reports and figures are written once per station per
    # batch (figures are conflated per batch). The wait bounds the added latency; live batches
    # are bounded by it (a few hundred reports), a backlog's by batch_max: the larger, the more
    # reports share each station's writes. A batch is handled while the next is collected, so a
    # cycle is the longer of the wait and the handling and a short wait lowers the live latency
    # (bench/aggregator_bench.py's 2,000/s phase; docs/aggregator.md, Performance).
    flush_interval_ms: int = Field(default=50, ge=5)
    batch_max: int = Field(default=20_000, ge=1)
    # While the worker is behind (a batch's first report reached Kafka more than
    # catchup_after_ms before it reaches the agent: a backlog, an overloaded worker) a batch
    # waits a quarter of that delay, up to catchup_flush_interval_ms, so that it holds several
    # reports per station (services/aggregator/collector.py, tests/unit/aggregator/
    # test_collector.py; the backlog phase of bench/aggregator_bench.py measures the gain).
    # catchup_after_ms stays above the live latency at 2,000 reports/s, so live batches keep
    # the short wait.
    catchup_after_ms: int = Field(default=1000, ge=0)
    catchup_flush_interval_ms: int = Field(default=500, ge=5)
    # A fetch from Kafka waits up to this long for 64 KB (a backlog is returned at once): fewer,
    # fuller fetches while reports trickle in (services/aggregator/faust_tuning.py).
    fetch_wait_ms: int = Field(default=20, ge=0, le=500)
    # Region and national roll-ups (and silence, outliers) are re-evaluated on this tick.
    region_interval_ms: int = Field(default=500, ge=50)
    # ...but evaluating takes at most this share of the worker: with 100,000 stations one
    # evaluation takes over a second, and every tick would leave reports no time
    # (services/aggregator/domain/pacing.py).
    region_eval_share: float = Field(default=0.25, gt=0, le=1)
    # ...and one tick evaluates regions of at most this many stations (one region at least), the
    # rest in the next ticks: a silence check over 100,000 stations is spread over ~10 of them.
    region_eval_stations: int = Field(default=10_000, ge=1)
    # Event-time silence is re-checked for every station at most this often (event seconds).
    silence_check_s: float = Field(default=60.0, gt=0)
    # Let wall-clock time advance the silence clock while no reports arrive (off for replays).
    wall_clock_silence: bool = True
    # A partition said to have reports waiting holds silence time back to its newest report
    # read, for at most this long (wall seconds) unless a later batch says so again.
    partition_mark_ttl_s: float = Field(default=30.0, gt=0)
    # Replication of the topics faust creates (changelogs, station summaries); 3 in production.
    topic_replication_factor: int = Field(default=1, ge=1)
    registry_refresh_s: float = Field(default=60.0, gt=0)
    # How soon the group notices a dead worker (SIGKILL) and hands its partitions on.
    session_timeout_s: float = Field(default=30.0, ge=6)
    # How often the consumer re-reads the broker's topic list. faust creates its own topics
    # (station summaries, changelogs) at start; one the broker did not list yet when the group
    # formed is left unassigned (faust logs "Ignoring missing topic") until a re-read shows it
    # and the group rebalances: with Kafka's 5 minutes, no region roll-up for 5 minutes.
    metadata_max_age_ms: int = Field(default=10_000, ge=1000)
    # Producer batch per partition (bytes); below the broker's 1 MB message limit.
    producer_batch_bytes: int = Field(default=512 * 1024, ge=16 * 1024, le=900 * 1024)
    # Long-lived objects are frozen out of the cyclic collector this often (services/common/
    # gc_freeze.py); 0 turns it off.
    gc_freeze_seconds: float = Field(default=10.0, ge=0)
    sink_batch: int = Field(default=2000, ge=1)
    # A PostgreSQL write still failing after this long makes /readyz answer 503 ("sink"); the
    # gauge pollwatch_aggregator_sink_stalled_seconds shows it from its first failure.
    sink_stall_after_s: float = Field(default=30.0, gt=0)
    # Reports waiting this long with no report handled make /readyz answer 503 ("progress";
    # checked every 5 s).
    stuck_after_s: float = Field(default=60.0, gt=0)
    sink_within_ms: int = Field(default=250, ge=10)
    # A stopping worker still running after this long exits at once (status 1): faust's stop
    # after a crash can wait forever (worker.py). Below the StatefulSet's 60 s grace period.
    stop_timeout_s: float = Field(default=25.0, gt=0)
    shared: SharedSettings = Field(default_factory=SharedSettings)

    def rules_path(self) -> Path:
        """The rules file in force; SettingsError names an unknown profile and the known ones."""
        return self.rules_file or profile_file(self.rules_profile, self.rules_dir)
