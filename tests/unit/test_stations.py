from __future__ import annotations

import pytest

from services.common.registry.stations import (
    Region,
    Registry,
    Station,
    StationFileError,
    parse_registry,
    to_csv,
)

HEADER = "station_id,region_id,region_name,region_kind,district,name,registered_voters,latitude,longitude\n"
GOOD = HEADER + (
    "S1,R1,North,region,D1,School 1,1200,51.1,71.4\n"
    "S2,R1,North,region,D2,School 2,800,,\n"
    "S3,C1,Capital,city,,Library,2500,43.2,76.9\n"
)


def problems_of(text: str) -> list[str]:
    with pytest.raises(StationFileError) as info:
        parse_registry(text)
    return info.value.problems


def test_good_file_parses_every_field() -> None:
    registry = parse_registry(GOOD)
    assert registry.regions == (Region("R1", "North", "region"), Region("C1", "Capital", "city"))
    assert registry.stations[0] == Station("S1", "R1", "School 1", 1200, "D1", 51.1, 71.4)
    assert registry.stations[1].latitude is None
    assert [s.registered_voters for s in registry.stations] == [1200, 800, 2500]


def test_csv_round_trips() -> None:
    registry = parse_registry(GOOD)
    assert parse_registry(to_csv(registry)) == registry


def test_optional_columns_may_be_absent() -> None:
    registry = parse_registry("station_id,region_id,region_name,name,registered_voters\nS1,R,Reg,N,10\n")
    assert registry == Registry((Region("R", "Reg"),), (Station("S1", "R", "N", 10),))


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("S9,R1,North,region,D,X,abc,,", "line 5, field registered_voters: 'abc' is not a whole number"),
        ("S9,R1,North,region,D,X,-5,,", "line 5, field registered_voters: -5 is outside [0, 100000]"),
        ("S9,R1,North,region,D,X,,,", "line 5, field registered_voters: empty"),
        (",R1,North,region,D,X,10,,", "line 5, field station_id: empty"),
        ("S1,R1,North,region,D,X,10,,", "line 5, field station_id: 'S1' appears twice"),
        ("S9,R1,North,region,D,X,10,95,0", "line 5, field latitude: 95.0 is outside [-90, 90]"),
        ("S9,R1,North,region,D,X,10,1,east", "line 5, field longitude: 'east' is not a number"),
        ("S9,R1,South,region,D,X,10,,", "line 5, field region_name: region 'R1' was 'North' (region) before"),
        (
            "S9,R2,South,village,D,X,10,,",
            "line 5, field region_kind: 'village' is neither 'region' nor 'city'",
        ),
        ("S9,R1,North,region,D,X,10,,,extra", "line 5: more fields than the header has"),
    ],
)
def test_each_bad_field_is_named_with_its_line(row: str, expected: str) -> None:
    assert problems_of(GOOD + row + "\n") == [expected]


def test_missing_header_columns_are_named() -> None:
    assert problems_of("station_id,name\nS1,x\n") == [
        "line 1 (header): missing column(s) region_id, region_name, registered_voters"
    ]


def test_every_problem_is_reported_at_once() -> None:
    bad = GOOD + "S8,R1,North,region,D,X,abc,,\nS9,R1,North,region,D,X,-1,,\n"
    assert len(problems_of(bad)) == 2


def test_empty_file_is_refused() -> None:
    assert problems_of(HEADER) == ["line 2: the file has a header but no stations"]


def test_message_lists_problems_and_says_nothing_loaded() -> None:
    with pytest.raises(StationFileError, match="nothing loaded") as info:
        parse_registry(GOOD + "S9,R1,North,region,D,X,abc,,\n")
    assert "line 5, field registered_voters" in str(info.value)


def test_a_region_may_carry_its_time_zone() -> None:
    text = (
        "station_id,region_id,region_name,name,registered_voters,region_timezone\n"
        "S1,AKT,Aktobe Region,School 1,900,Asia/Aqtobe\n"
        "S2,ALA,Almaty,School 2,1200,\n"
    )
    registry = parse_registry(text)
    assert registry.regions == (
        Region("AKT", "Aktobe Region", "region", "Asia/Aqtobe"),
        Region("ALA", "Almaty"),
    )
    assert parse_registry(to_csv(registry)) == registry
    assert "region_timezone" not in to_csv(parse_registry(GOOD))  # only written when a region has one


def test_an_unknown_time_zone_is_named() -> None:
    header = "station_id,region_id,region_name,name,registered_voters,region_timezone\n"
    text = header + "S1,R,Reg,N,10,Asia/Atlantis\n"
    assert problems_of(text) == [
        "line 2, field region_timezone: 'Asia/Atlantis' is not a time zone (e.g. Asia/Almaty)"
    ]
