"""Country crosswalks: the data files are consistent and cover the real sources."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forecast.config import DEFAULT_RAW_DIR
from forecast.sources.crosswalk import countries, recodes, to_cow

needs_raw = pytest.mark.skipif(
    not (DEFAULT_RAW_DIR / "atop").is_dir(),
    reason=f"shared raw data not found at {DEFAULT_RAW_DIR} (integration data absent)",
)


def test_countries_file_is_one_row_per_cow_state():
    c = countries()
    assert c["ccode"].is_unique and c["stateabb"].notna().all()
    assert c["iso3"].dropna().is_unique
    assert c["sipri_name"].dropna().is_unique
    assert c["iso3"].dropna().str.fullmatch(r"[A-Z]{3}").all()
    usa = c.set_index("ccode").loc[2]
    assert (usa["stateabb"], usa["iso3"], usa["sipri_name"]) == (
        "USA",
        "USA",
        "United States of America",
    )


def test_recodes_have_no_overlapping_ranges():
    r = recodes()
    assert set(r["source"]) <= {"polity", "gw", "sipri", "wdi", "vdem"}
    for (_, _), g in r.groupby(["source", "code"]):
        g = g.sort_values("first_year")
        assert (g["first_year"].shift(-1).dropna() > g["last_year"].iloc[:-1].to_numpy()).all()


def test_to_cow_year_bounds():
    df = pd.DataFrame(
        {"code": ["260", "260", "678", "678", "2"], "year": [1980, 1995, 1980, 1995, 1995]}
    )
    out = to_cow(df, "gw", "code")
    assert out["ccode"].tolist() == [260, 255, 678, 679, 2]


def test_to_cow_drops_series_that_are_not_the_cow_state():
    df = pd.DataFrame({"iso": ["DEU", "DEU", "RUS", "RUS"], "year": [1980, 2000, 1980, 2000]})
    out = to_cow(df, "wdi", "iso")
    assert list(zip(out["iso"], out["year"], out["ccode"], strict=True)) == [
        ("DEU", 2000, 255),
        ("RUS", 2000, 365),
    ]
    v = to_cow(pd.DataFrame({"iso": ["DEU", "DDR"], "year": [1980, 1980]}), "vdem", "iso")
    assert v["ccode"].tolist() == [260, 265]


def test_unknown_source_is_rejected():
    with pytest.raises(ValueError, match="unknown crosswalk source"):
        to_cow(pd.DataFrame({"c": [1], "year": [2000]}), "iso", "c")


@pytest.mark.integration
@needs_raw
def test_every_atop_member_state_is_in_the_crosswalk():
    m = pd.read_csv(Path(DEFAULT_RAW_DIR) / "atop" / "atop5_1m.csv", usecols=["member"])
    unknown = set(m["member"]) - set(countries()["ccode"])
    assert unknown <= {8152}, sorted(unknown)  # ATOP's own code for a non-system state


@pytest.mark.integration
@needs_raw
def test_wdi_and_vdem_cover_major_states():
    wdi = pd.read_csv(Path(DEFAULT_RAW_DIR) / "gdp" / "wdi-gdp-current-usd.csv")
    out = to_cow(wdi.rename(columns={"Year": "year"}), "wdi", "Country Code")
    assert not out.duplicated(["ccode", "year"]).any()
    for ccode in (2, 200, 220, 255, 365, 710, 740, 750):
        assert (out["ccode"] == ccode).any(), ccode
    v = pd.read_csv(Path(DEFAULT_RAW_DIR) / "vdem" / "vdem-v14-core-1970-2023.csv")
    vo = to_cow(v, "vdem", "country_text_id")
    assert not vo.duplicated(["ccode", "year"]).any()
    dropped = set(v["country_text_id"]) - set(vo["country_text_id"])
    assert dropped == {"HKG", "PSE", "PSG", "SML", "ZZB"}  # no COW state
