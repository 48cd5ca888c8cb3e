"""Arithmetic checks of a final protocol: what the ballot counts must satisfy."""

from __future__ import annotations

from services.common.contracts.events import AlertText, FinalProtocol

PREFIX = "protocol_inconsistent."


def problems(p: FinalProtocol) -> tuple[AlertText, ...]:
    """Each failed check as a catalog text with the figures it compares; empty when it adds up."""
    found: list[AlertText] = []
    if p.ballots_cast > p.ballots_issued:
        found.append(_problem("cast_exceeds_issued", cast=p.ballots_cast, issued=p.ballots_issued))
    if p.ballots_received and p.ballots_issued > p.ballots_received:
        found.append(
            _problem("issued_exceeds_received", issued=p.ballots_issued, received=p.ballots_received)
        )
    if p.valid_ballots + p.invalid_ballots != p.ballots_cast:
        found.append(
            _problem(
                "valid_invalid_mismatch",
                valid=p.valid_ballots,
                invalid=p.invalid_ballots,
                cast=p.ballots_cast,
            )
        )
    votes = sum(p.votes.values())
    if p.votes and votes != p.valid_ballots:
        found.append(_problem("votes_mismatch", votes=votes, valid=p.valid_ballots))
    if p.registered_voters and p.ballots_issued > p.registered_voters:
        found.append(
            _problem("issued_exceeds_registered", issued=p.ballots_issued, registered=p.registered_voters)
        )
    return tuple(found)


def _problem(name: str, **figures: int) -> AlertText:
    return AlertText(PREFIX + name, dict(figures))
