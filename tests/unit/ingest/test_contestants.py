"""The contestants file the protocol form lists: codes as a protocol's votes take them, problems by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.infra.errors import SettingsError
from services.ingest.contestants import Contestant, load_contestants, parse_contestants


def test_codes_and_names_in_the_ballots_order() -> None:
    text = "code,name\nP01,Amanat\n P02 , Ak Zhol \nP03,\n"
    assert parse_contestants(text) == (
        Contestant("P01", "Amanat"),
        Contestant("P02", "Ak Zhol"),
        Contestant("P03", "P03"),  # no name: the code stands for it
    )


def test_every_problem_is_named_by_its_line() -> None:
    with pytest.raises(SettingsError) as bad:
        parse_contestants("code,name\nP01,A\n,B\nP01,C\nP04,D\x07\n")
    assert str(bad.value) == (
        "contestants file: line 3: code must be 1-200 printable characters; "
        "line 4: code 'P01' is listed twice; line 5: name must be at most 200 printable characters"
    )


def test_a_header_is_required_and_no_file_means_no_list(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="header"):
        parse_contestants("P01,Amanat\n")
    assert load_contestants(None) == ()
    with pytest.raises(SettingsError, match="INGEST_CONTESTANTS_FILE"):
        load_contestants(tmp_path / "missing.csv")
    listed = tmp_path / "contestants.csv"
    listed.write_text("\ufeffcode,name\nP01,Amanat\n", "utf-8")  # a BOM, as spreadsheets save it
    assert load_contestants(listed) == (Contestant("P01", "Amanat"),)
