"""What the agents share in one worker: settings, rules, the registry cache and the pool."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from services.aggregator.domain.rule_config import RulesConfig
from services.aggregator.domain.station_state import StationInfo
from services.aggregator.settings import AggregatorSettings
from services.aggregator.sink_stalls import Stalls
from services.common.contracts import topics


@dataclass
class Runtime:
    settings: AggregatorSettings
    rules: RulesConfig
    registry: dict[str, StationInfo] = field(default_factory=dict)
    registry_version: int = 0
    pool: asyncpg.Pool | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    # The faust topics, keyed by registry name (set by create_app).
    topic_map: dict[str, Any] = field(default_factory=dict)
    # Last processed offset of the reports topic, per partition (for the lag gauge).
    positions: dict[int, int] = field(default_factory=dict)
    # PostgreSQL writes failing right now (readiness, the stalled-sink gauge).
    stalls: Stalls = field(default_factory=Stalls)

    def topic(self, t: topics.Topic) -> Any:
        return self.topic_map[t.name]

    def set_registry(self, registry: dict[str, StationInfo]) -> None:
        if registry != self.registry:
            self.registry = registry
            self.registry_version += 1
