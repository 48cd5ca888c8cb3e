"""Arithmetic checks of a final protocol: what the ballot counts must satisfy."""

from __future__ import annotations

from services.common.events import FinalProtocol


def inconsistencies(p: FinalProtocol) -> tuple[str, ...]:
    """Human-readable problems, empty when the protocol adds up."""
    found: list[str] = []
    if p.ballots_cast > p.ballots_issued:
        found.append(f"ballots cast {p.ballots_cast} > ballots issued {p.ballots_issued}")
    if p.ballots_received and p.ballots_issued > p.ballots_received:
        found.append(f"ballots issued {p.ballots_issued} > ballots received {p.ballots_received}")
    if p.valid_ballots + p.invalid_ballots != p.ballots_cast:
        found.append(
            f"valid {p.valid_ballots} + invalid {p.invalid_ballots} != ballots cast {p.ballots_cast}"
        )
    votes = sum(p.votes.values())
    if p.votes and votes != p.valid_ballots:
        found.append(f"votes sum {votes} != valid ballots {p.valid_ballots}")
    if p.registered_voters and p.ballots_issued > p.registered_voters:
        found.append(f"ballots issued {p.ballots_issued} > registered voters {p.registered_voters}")
    return tuple(found)
