"""A broadcast request is checked before it goes anywhere: each problem names its field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.broadcasts import problems
from services.common.contracts import events as ev


def broadcast(**kw: object) -> ev.Broadcast:
    values: dict[str, object] = {
        "id": "bc-1",
        "kind": ev.BroadcastKind.MESSAGE,
        "audience": ev.Audience(everyone=True),
        "text": "Report turnout now",
        "translations": {},
        "requested_by": "cli:test",
        "requested_at": datetime(2024, 3, 17, tzinfo=UTC),
    }
    values.update(kw)
    return ev.Broadcast(**values)  # type: ignore[arg-type]


def test_a_good_broadcast_has_no_problem() -> None:
    assert problems(broadcast(translations={"ru": "Сообщите явку", "kk": "Хабарлаңыз"})) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"audience": ev.Audience()}, "audience"),
        ({"text": " "}, "text"),
        ({"text": "x" * 1601}, "text"),
        ({"translations": {"de": "Hallo"}}, "translations.de"),
        ({"translations": {"ru": ""}}, "translations.ru"),
        ({"id": "bc.1"}, "id"),
        ({"kind": ev.BroadcastKind.CREDENTIALS}, "text"),
    ],
)
def test_each_problem_names_its_field(changes: dict[str, object], field: str) -> None:
    assert [p.field for p in problems(broadcast(**changes))] == [field]


def test_a_check_in_may_use_the_built_in_text() -> None:
    assert problems(broadcast(kind=ev.BroadcastKind.CHECKIN, text="")) == []
