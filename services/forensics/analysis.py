"""One call that runs every method the data allows and records what it could not."""

from __future__ import annotations

from dataclasses import dataclass

from services.forensics.benford import BenfordResult, benford_second_digit
from services.forensics.fingerprint import Fingerprint, Weighting, fingerprint
from services.forensics.fraud_model import FraudFit, fit_fraud_model
from services.forensics.integer_excess import IntegerExcessResult, integer_excess
from services.forensics.outliers import Outliers, find_outliers
from services.forensics.protocols import Protocols


@dataclass(frozen=True)
class Analysis:
    """Results of every method; None where the data does not allow it (see skipped)."""

    protocols: Protocols
    integer: IntegerExcessResult
    outliers: Outliers
    fingerprint_stations: Fingerprint | None
    fingerprint_voters: Fingerprint | None
    fraud_fit: FraudFit | None
    benford: BenfordResult | None
    skipped: tuple[str, ...]


def analyse(
    protocols: Protocols,
    seed: int = 0,
    simulations: int = 1000,
    region_screen: bool = True,
    fit: bool = True,
) -> Analysis:
    """Fingerprint, fraud-model fit, integer excess, outliers and Benford (info)."""
    skipped: list[str] = []
    integer = integer_excess(protocols, simulations, seed, by_region=region_screen)
    outliers = find_outliers(protocols)
    if protocols.home_issued is None:
        skipped.append("home-voting outliers: no home-voting counts")
    by_stations = by_voters = None
    fraud_fit = None
    benford = None
    if protocols.has_leader:
        by_stations = fingerprint(protocols, Weighting.STATIONS)
        by_voters = fingerprint(protocols, Weighting.VOTERS)
        fraud_fit = fit_fraud_model(protocols, seed) if fit else None
    else:
        skipped += [
            "election fingerprint: no candidate votes",
            "fraud-model fit (f_i, f_e, alpha): no candidate votes",
            "integer excess of the leader's share: no candidate votes",
        ]
    if protocols.candidate_votes is not None:
        benford = benford_second_digit(protocols.candidate_votes)
    else:
        skipped.append("second-digit Benford test: no candidate votes")
    return Analysis(protocols, integer, outliers, by_stations, by_voters, fraud_fit, benford, tuple(skipped))
