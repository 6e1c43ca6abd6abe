"""Readers on small fixtures: shapes, codes and the documented quirks of each source."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.sources.archigos import read_archigos
from forecast.sources.atop import read_atop_alliances, read_atop_members
from forecast.sources.chisols import read_chisols
from forecast.sources.contiguity import read_contdir
from forecast.sources.depth import read_depth
from forecast.sources.maddison import read_maddison
from forecast.sources.mids import read_cow_mids, read_gml_mids
from forecast.sources.nmc import read_nmc
from forecast.sources.polity import read_polity
from forecast.sources.rivalries import read_rivalries
from forecast.sources.sipri import read_sipri
from forecast.sources.states import read_majors, read_states, spells_to_years
from forecast.sources.threat import read_lsthreat, read_terrthreat
from forecast.sources.vdem import read_vdem


def test_atop_alliances_keep_in_force_code_zero(fixture_raw):
    a = read_atop_alliances(fixture_raw).set_index("atopid")
    assert list(a.index) == [2470, 3260, 3270, 5070]
    assert a.loc[2470, "endyr"] == 1941
    assert a.loc[3260, "endyr"] == 0 and a.loc[3260, "ineffect"] == 1


def test_atop_members_key_and_reentry(fixture_raw):
    m = read_atop_members(fixture_raw)
    assert not m.duplicated(["atopid", "member", "phase", "yrent", "moent"]).any()
    seato = m[m["atopid"] == 3260]
    assert set(seato.loc[seato["phase"] == 2, "member"]) == {2, 800}
    assert (m.loc[m["yrexit"] == 0, "ineffect"] == 1).all()


def test_nmc_units_and_key(fixture_raw):
    n = read_nmc(fixture_raw)
    assert list(n.columns) == ["ccode", "year", "milex", "milper", "tpop", "cinc"]
    us2016 = n[(n["ccode"] == 2) & (n["year"] == 2016)].iloc[0]
    assert 5e8 < us2016["milex"] < 7e8  # thousands of current US$: about 600 bn
    assert n["cinc"].between(0, 1).all()


def test_states_and_majors_expand_to_years(fixture_raw):
    s = read_states(fixture_raw)
    assert {"stateabb", "ccode", "statenme"} <= set(s.columns)
    years = spells_to_years(read_majors(fixture_raw))
    assert ((years["ccode"] == 255) & (years["year"] == 1939)).any()
    assert not ((years["ccode"] == 255) & (years["year"] == 1950)).any()  # not major 1946-1990


def test_contiguity_dates(fixture_raw):
    c = read_contdir(fixture_raw)
    assert (c["enddate"] >= c["stdate"]).all()
    assert c["conttype"].between(0, 5).all()


def test_sipri_cp1252_blanks_and_names(fixture_raw):
    s = read_sipri(fixture_raw)
    assert "Côte d’Ivoire" in set(s["country"])  # 0x92 decoded as a right quote
    assert set(s.loc[s["country"] == "Côte d’Ivoire", "ccode"]) == {437}
    assert s.loc[(s["ccode"] == 2) & (s["year"] == 1949), "sipri_milex"].item() == 13503
    ussr = s[s["ccode"] == 365]
    assert set(ussr.loc[ussr["year"] <= 1991, "country"]) <= {"USSR"}
    assert set(ussr.loc[ussr["year"] >= 1992, "country"]) <= {"Russia"}
    assert not s.duplicated(["ccode", "year"]).any()
    assert s["sipri_milex"].isna().any()  # ' ' blanks are missing, not zero
    germany = s[s["country"] == "Germany"]
    assert set(germany.loc[germany["year"] <= 1990, "ccode"]) == {260}
    assert set(germany.loc[germany["year"] >= 1991, "ccode"]) == {255}


def test_maddison_codes_and_gdp(fixture_raw):
    m = read_maddison(fixture_raw)
    russia = m[m["ccode"] == 365].set_index("year")
    assert {1990, 1991, 1992, 2016} <= set(russia.index)
    assert not m.duplicated(["ccode", "year"]).any()
    row = m.dropna(subset=["gdp"]).iloc[0]
    assert np.isclose(row["gdp"], row["cgdppc"] * row["pop"] / 1000)
    assert 437 in set(m["ccode"])  # Côte d'Ivoire, cp1252 name


def test_polity_special_codes_and_recodes(fixture_raw):
    p = read_polity(fixture_raw)
    assert not p.duplicated(["ccode", "year"]).any()
    assert p["polity"].dropna().between(-10, 10).all()  # -66/-77/-88 -> NaN
    ussr = p[(p["ccode"] == 365) & (p["year"] == 1990)]
    assert ussr["polity_code"].item() == 364
    assert set(p.loc[p["polity_code"] == 529, "ccode"]) == {530}
    assert set(p.loc[p["polity_code"].isin([342, 347]), "ccode"]) == {345}


def test_vdem_drops_rows_without_cow_code(fixture_raw):
    v = read_vdem(fixture_raw)
    assert v["ccode"].notna().all() and v["polyarchy"].dropna().between(0, 1).all()


def test_chisols_mixed_types(fixture_raw):
    c = read_chisols(fixture_raw)
    assert c["dem"].dropna().isin([0, 1]).all()
    assert c["dem"].isna().any()  # "Transition Year" -> NaN
    assert c["solschdum"].dropna().isin([0, 1]).all()


def test_lsthreat_artefacts_removed(fixture_raw):
    t = read_lsthreat(fixture_raw)
    assert t["ccode"].notna().all()  # 2009-2015 rows without a code dropped
    assert t.loc[t["year"] > 2002, "lsthreat"].isna().all()
    assert t.loc[t["year"] <= 2002, "lsthreat"].notna().all()


def test_terrthreat_after_2010_is_missing(raw_copy):
    path = raw_copy / "threat" / "terrthreat.csv"
    text = path.read_text()
    path.write_text(text + "2,2011,0.5,0.1,0.3,0.7,,,,\n")
    t = read_terrthreat(raw_copy)
    assert t.loc[t["year"] == 2011, "terrthreat"].isna().all()
    assert t.loc[t["year"] == 2010, "terrthreat"].notna().all()


def test_mids_directed_duplicates_collapsed(fixture_raw):
    raw = pd.read_csv(fixture_raw / "mids" / "gml_mid_ddydisps.csv")
    g = read_gml_mids(fixture_raw)
    assert len(g) == len(raw) // 2
    assert (g["ccode1"] < g["ccode2"]).all()
    assert not g.duplicated(["dispnum", "ccode1", "ccode2", "year"]).any()
    assert len(read_cow_mids(fixture_raw)) >= 1


def test_rivalries_ongoing_flag(fixture_raw):
    r = read_rivalries(fixture_raw)
    assert r.loc[r["endyear"] == 2010, "ongoing"].all()
    assert not r.loc[r["endyear"] < 2010, "ongoing"].any()


def test_archigos_gw_to_cow(fixture_raw):
    a = read_archigos(fixture_raw)
    kohl = a[a["leader"] == "Kohl"].iloc[0]
    assert kohl["gwcode"] == 260 and kohl["ccode"] == 260  # started 1982: West Germany
    schroder = a[a["leader"] == "Schroder"].iloc[0]
    assert schroder["ccode"] == 255  # started 1998: unified Germany (COW 255)
    assert a.loc[a["entry"] == "Irregular", "irregular_entry"].eq(1).all()


def test_depth_scores(fixture_raw):
    d = read_depth(fixture_raw)
    assert list(d.columns) == ["atopid", "depth", "scope", "capacity"]
    assert d["atopid"].is_unique
