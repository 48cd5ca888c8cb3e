"""The forensics command on a pollwatch export, end to end (CliRunner, tmp files)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from services.forensics.cli import app
from services.forensics.datasets import EXPORT_COLUMNS, load
from tests.unit.forensics.synthetic import clean_election


def _write_export(path: Path, with_votes: bool) -> None:
    election = clean_election(seed=11, stations=1500)
    assert election.candidate_votes is not None
    assert election.home_issued is not None
    names = [f"votes:{name}" for name in election.candidate_names] if with_votes else []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*EXPORT_COLUMNS, *names])
        for i in range(election.size):
            votes = election.candidate_votes[i].tolist() if with_votes else []
            writer.writerow(
                [
                    election.station_ids[i],
                    election.region_names[election.region[i]],
                    election.registered[i],
                    election.issued[i],
                    election.home_issued[i],
                    election.valid[i],
                    election.invalid[i],
                    *votes,
                ]
            )


def test_export_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "protocols.csv"
    _write_export(path, with_votes=True)
    protocols = load(path).protocols
    original = clean_election(seed=11, stations=1500)
    assert protocols.leader_name == "A"
    assert original.leader is not None
    assert protocols.leader is not None
    assert np.array_equal(protocols.leader, original.leader)


def test_command_prints_report_and_writes_figures(tmp_path: Path) -> None:
    path = tmp_path / "protocols.csv"
    _write_export(path, with_votes=True)
    result = CliRunner().invoke(app, [str(path), "--out", str(tmp_path / "fig"), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Integer percentages" in result.output
    assert "share of stations with incremental fraud" in result.output
    assert "information only" in result.output
    pngs = sorted(p.name for p in (tmp_path / "fig").glob("*.png"))
    assert pngs == ["fingerprint.png", "fingerprint_fit.png", "integer_peaks.png"]


def test_command_without_votes_says_what_cannot_be_computed(tmp_path: Path) -> None:
    path = tmp_path / "turnout_only.csv"
    _write_export(path, with_votes=False)
    result = CliRunner().invoke(app, [str(path), "--out", str(tmp_path / "fig")])
    assert result.exit_code == 0, result.output
    assert "election fingerprint: no candidate votes" in result.output
    # Without a leader the "either" row would only repeat the turnout row.
    assert "turnout or leader share" not in result.output
    assert sum(line.startswith("│ turnout ") for line in result.output.splitlines()) == 1
    assert sorted(p.name for p in (tmp_path / "fig").glob("*.png")) == ["integer_peaks.png"]
