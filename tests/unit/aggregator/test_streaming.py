"""`/readyz`'s `streaming` check: ready only once faust reads its partitions."""

from __future__ import annotations

from typing import cast

import faust
from faust.tables.manager import TableManager

from services.aggregator.app import streaming


def test_a_worker_streams_after_its_first_recovery_and_not_while_it_rebalances() -> None:
    app = faust.App("readiness-test")
    recovery = cast(TableManager, app.tables).recovery
    assert not streaming(app)  # not joined yet
    recovery.completed.set()
    assert streaming(app)
    app.rebalancing = True  # another worker joined: partitions are being reassigned
    assert not streaming(app)
    app.rebalancing = False
    recovery.in_recovery = True  # reading changelogs of partitions it was given
    assert not streaming(app)
    recovery.in_recovery = False
    assert streaming(app)
