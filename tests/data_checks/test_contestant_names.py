"""Every party and candidate name in the real elections is accepted by ingest, with room to spare."""

from __future__ import annotations

import csv

import pytest

from services.forensics.datasets import load
from services.ingest.validation import MAX_NAME_CHARS
from tests.support.shared_data import need

pytestmark = pytest.mark.data

DATASETS = (
    "russia_dkobak/2011.csv.zip",
    "russia_dkobak/2012.csv.zip",
    "russia_dkobak/2024.csv.zip",
    "bulgaria_opendata",
)


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_contestant_name_fits_the_ingest_limit(dataset: str) -> None:
    names = load(need(dataset)).protocols.candidate_names
    assert names
    longest = max(names, key=len)
    assert len(longest) <= MAX_NAME_CHARS // 2, longest


def test_bulgarian_registered_coalition_names_fit_too() -> None:
    """The replay uses parties' short names; their full registered names are the longest seen."""
    path = need("bulgaria_opendata") / "20210711_20_parties.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        names = [row["registration_name"] for row in csv.DictReader(handle, delimiter=";")]
    assert max(map(len, names)) <= MAX_NAME_CHARS
