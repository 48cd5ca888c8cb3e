"""Which verification decisions recompute a station: a report that is or was out of the figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.contracts import codec
from services.common.contracts import events as ev

S = ev.VerificationState


def _decision(subject: ev.ReviewSubject, state: S, previous: S) -> ev.VerificationDecision:
    return ev.VerificationDecision(
        subject, "r-1", "ALA-0001", "ALA", state, previous, "api:org:k1", datetime(2026, 3, 15, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("state", "previous", "moves"),
    [
        (S.REJECTED, S.UNVERIFIED, True),
        (S.QUARANTINED, S.UNVERIFIED, True),
        (S.UNVERIFIED, S.REJECTED, True),
        (S.VERIFIED, S.QUARANTINED, True),
        (S.REJECTED, S.REJECTED, True),  # a repeat, after Kafka refused the first
        (S.VERIFIED, S.UNVERIFIED, False),
        (S.UNVERIFIED, S.VERIFIED, False),
    ],
)
def test_a_report_in_or_out_of_the_figures_moves_them(state: S, previous: S, moves: bool) -> None:
    assert _decision(ev.ReviewSubject.REPORT, state, previous).moves_figures is moves


def test_a_decision_on_an_alert_never_moves_the_figures() -> None:
    assert not _decision(ev.ReviewSubject.ALERT, S.REJECTED, S.UNVERIFIED).moves_figures


def test_a_decision_survives_the_wire() -> None:
    d = _decision(ev.ReviewSubject.REPORT, S.REJECTED, S.UNVERIFIED)
    assert codec.decode_verification_decision(codec.encode_verification_decision(d)) == d
