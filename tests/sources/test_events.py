"""The recorded-events file: schema, per-kind rules, and application on top of ATOP."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forecast.errors import DataValidationError
from forecast.panel.events import apply_events
from forecast.sources.atop import read_atop_alliances, read_atop_members
from forecast.sources.events import DEFAULT_FILE, RECORDED_IDS, read_events

HEADER = "# alliance-forecast recorded alliance events, schema 1\n"
COLUMNS = (
    "event_id,kind,date,atopid,members,cause,defense,offense,neutral,nonagg,consul,"
    "name,citation,confidence,note\n"
)
CITE = '"Treaty text, signed at X on 1 Jan 2020, Art. 5 (mutual assistance in case of attack)"'


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(header + COLUMNS + "".join(r + "\n" for r in rows))
    return path


def test_shipped_file_is_valid_and_cited():
    ev = read_events(DEFAULT_FILE)
    assert ev["event_id"].is_unique and (ev["date"] >= "2019-01-01").all()
    assert (ev["citation"].str.len() >= 40).all()
    assert set(ev["confidence"]) <= {"high", "medium", "low"}
    nato = ev[(ev["atopid"] == 3180) & (ev["kind"] == "accession")]
    assert sorted(m[0] for m in nato["members"]) == [343, 375, 380]
    new = ev[ev["kind"] == "new_alliance"]
    assert new["atopid"].between(*RECORDED_IDS).all() and new["atopid"].is_unique


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("R2020-X,accession,2020-01-01,3180,343;375,,,,,,,,{c},high,", "exactly one COW code"),
        ("R2020-X,exit,2020-01-01,3180,343,,,,,,,,{c},high,", "'cause' is required"),
        ("R2020-X,end,2020-01-01,3180,,fatigue,,,,,,,{c},high,", "column 'cause' fails"),
        ("R2020-X,new_alliance,2020-01-01,3180,2;20,,1,0,0,0,0,A,{c},high,", "must be in 9001"),
        ("R2020-X,new_alliance,2020-01-01,9100,2;20,,,0,0,0,0,A,{c},high,", "every obligation"),
        ("R2020-X,new_alliance,2020-01-01,9100,2,,1,0,0,0,0,A,{c},high,", "two distinct"),
        ("R2020-X,end,2017-01-01,3180,,natural,,,,,,,{c},high,", "column 'date'"),
        ("R2020-X,end,2020-01-01,3180,,natural,,,,,,,short,high,", "column 'citation'"),
        ("R2020-X,end,2020-01-01,3180,,natural,,,,,,,{c},sure,", "column 'confidence'"),
    ],
)
def test_bad_rows_name_the_problem(tmp_path, row, message):
    path = write(tmp_path, row.format(c=CITE))
    with pytest.raises(DataValidationError, match=message):
        read_events(path)


def test_schema_version_is_checked(tmp_path):
    path = write(tmp_path, header="# events, schema 2\n")
    with pytest.raises(DataValidationError, match="schema 1"):
        read_events(path)


def test_events_apply_on_top_of_atop(fixture_raw, tmp_path):
    members, alliances = read_atop_members(fixture_raw), read_atop_alliances(fixture_raw)
    path = write(
        tmp_path,
        f"R2020-3260-ACC-740,accession,2020-05-02,3260,740,,,,,,,,{CITE},high,",
        f"R2021-9101-NEW,new_alliance,2021-03-04,9101,2;20,,1,0,0,0,1,Test pact,{CITE},high,",
        f"R2023-3260-END,end,2023-07-01,3260,,replacement,,,,,,,{CITE},medium,",
        f"R2025-9101-END,end,2025-02-01,9101,,abrogation,,,,,,,{CITE},medium,",
    )
    m, a = apply_events(members, alliances, read_events(path), end_year=2024)
    new_row = m[(m["atopid"] == 3260) & (m["member"] == 740)].iloc[0]
    assert (new_row["yrent"], new_row["phase"], new_row["record"]) == (
        2020,
        2,
        "R2020-3260-ACC-740",
    )
    assert new_row["defense"] == 1  # the provisions of the phase in force
    seato = m[m["atopid"] == 3260]
    assert (seato.loc[seato["yrexit"] == 2023, "termmode"] == 2).all()  # replacement
    assert a.set_index("atopid").loc[3260, "ineffect"] == 0
    pact = m[m["atopid"] == 9101]
    assert set(pact["member"]) == {2, 20} and (pact["yrexit"] == 0).all()  # 2025 end waits
    assert a.set_index("atopid").loc[9101, "name"] == "Test pact"
    assert pd.isna(pact["asymm"]).all()  # provisions the file does not record stay unknown


def test_contradicting_events_fail(fixture_raw, tmp_path):
    members, alliances = read_atop_members(fixture_raw), read_atop_alliances(fixture_raw)
    tail = f",,,,,,,{CITE},high,"
    bad = [
        ("R2020-3260-EXIT-365,exit,2020-01-01,3260,365,abrogation" + tail, "not a member"),
        ("R2020-3260-ACC-2,accession,2020-01-01,3260,2," + tail, "already a member"),
        ("R2020-2470-END,end,2020-01-01,2470,,natural" + tail, "not in force"),
        ("R2020-3260-EXIT-2,exit,2020-01-01,3260,2,abrogation" + tail, "record an 'end'"),
    ]
    for row, message in bad:
        with pytest.raises(DataValidationError, match=message):
            apply_events(members, alliances, read_events(write(tmp_path, row)), end_year=2024)
