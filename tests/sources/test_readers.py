"""Readers on small fixtures: shapes, codes and the documented quirks of each source."""

from __future__ import annotations

import pandas as pd

from forecast.sources.archigos import read_archigos
from forecast.sources.atop import (
    read_atop_alliances,
    read_atop_members,
    read_atop_phases,
    read_atop_v4_alliances,
)
from forecast.sources.chisols import read_chisols
from forecast.sources.depth import read_depth
from forecast.sources.mids import read_cow_mids, read_gml_mids
from forecast.sources.nmc import read_nmc
from forecast.sources.polity import read_polity
from forecast.sources.rivalries import read_rivalries
from forecast.sources.sipri import read_sipri
from forecast.sources.states import read_majors, read_states, spells_to_years
from forecast.sources.threat import read_lsthreat, read_terrthreat
from forecast.sources.ucdp import read_ucdp
from forecast.sources.vdem import read_vdem, read_vdem14
from forecast.sources.wdi import read_wdi_gdp


def test_atop_alliances_keep_in_force_code_zero(fixture_raw):
    a = read_atop_alliances(fixture_raw).set_index("atopid")
    assert list(a.index) == [2470, 3260, 3270, 4735, 5070]
    assert a.loc[2470, "endyr"] == 1941
    assert a.loc[3260, "endyr"] == 0 and a.loc[3260, "ineffect"] == 1
    assert a.loc[4735, "endyr"] == 2018  # v5.1 runs to 2018


def test_atop_phases_carry_institutionalisation(fixture_raw):
    p = read_atop_phases(fixture_raw)
    assert set(p["atopid"]) == {2470, 3260, 3270, 4735, 5070}
    seato = p[p["atopid"] == 3260].sort_values("phase")
    assert seato["phase"].tolist() == [1, 2]  # SEATO, then the US–Thailand phase
    assert p["milinst"].dropna().isin([0, 1, 2]).all()
    assert {"formal", "milinst"} <= set(p.columns)


def test_atop_v4_reader_is_the_older_release(fixture_raw):
    v4 = read_atop_v4_alliances(fixture_raw)
    assert set(v4["atopid"]) == {2470, 3260, 3270, 5070}
    assert (v4["endyr"] <= 2016).all()


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
    years = spells_to_years(read_majors(fixture_raw), last=2016)
    assert ((years["ccode"] == 255) & (years["year"] == 1939)).any()
    assert not ((years["ccode"] == 255) & (years["year"] == 1950)).any()  # not major 1946-1990


def test_spells_open_in_2016_run_to_the_edge(fixture_raw):
    years = spells_to_years(read_states(fixture_raw), last=2024)
    assert ((years["ccode"] == 2) & (years["year"] == 2024)).any()  # censored, not ended
    assert years["year"].max() == 2024


def test_sipri_workbook_sheets_names_and_marks(fixture_raw):
    s = read_sipri(fixture_raw).set_index(["ccode", "year"])
    assert list(s.columns) == ["milex_current", "milex_constant", "milex_gdp"]
    assert 640 in s.index.get_level_values(0)  # "Türkiye" -> COW 640
    assert 437 in s.index.get_level_values(0)  # "Cote d'Ivoire"
    us = s.loc[(2, 2015)]
    assert 3.0 < us["milex_gdp"] < 4.0  # share of GDP read as a fraction, stored in %
    assert 6e5 < us["milex_current"] < 7e5  # US$ m, current
    assert (265, 1970) in s.index  # German Democratic Republic
    assert s.loc[(260, 1970), "milex_current"] > 0  # Germany before 1991 = FRG (260)
    assert (255, 1990) not in s.index and (255, 1991) in s.index
    ussr = s.xs(365, level="ccode")
    assert 1990 in ussr.index and 1992 in ussr.index  # USSR to 1991, Russia from 1992
    assert not s.index.duplicated().any()
    # ". .", "..." and "xxx" are missing, region heading rows and the EU are skipped
    assert s.notna().any(axis=1).all()


def test_wdi_drops_aggregates_and_territories(fixture_raw):
    w = read_wdi_gdp(fixture_raw)
    assert set(w["ccode"]) == {2, 640, 255, 365, 437}  # ARB, EUU, HKG dropped
    assert w.loc[w["ccode"] == 255, "year"].min() == 1991  # no unified Germany before 1991
    assert w.loc[w["ccode"] == 365, "year"].min() == 1992  # Russia, not the USSR
    us = w[(w["ccode"] == 2) & (w["year"] == 2023)]["gdp_current"].item()
    assert 2e7 < us < 3.5e7  # US$ m: about 27 trillion


def test_ucdp_gw_codes_to_cow_and_sides(fixture_raw):
    u = read_ucdp(fixture_raw)
    mali = u[(u["conflict_id"] == 11347) & (u["year"] == 2019)]
    assert {432, 2, 255} <= set(mali["ccode"])  # GW 260 in 2019 is unified Germany (COW 255)
    assert not mali.loc[mali["ccode"] == 2, "primary"].item()
    war = u[(u["conflict_id"] == 13243) & (u["year"] == 2022)].set_index("ccode")["side"]
    assert war[365] == "A" and war[369] == "B"
    assert set(u["type_of_conflict"]) <= {"interstate", "intrastate", "II", "extrasystemic"}


def test_vdem14_crosswalk_and_overlap_rule(fixture_raw):
    v14 = read_vdem14(fixture_raw)
    assert set(v14.loc[v14["year"] == 1989, "ccode"]) >= {265, 260, 365, 2}  # DDR, FRG
    assert 255 in set(v14.loc[v14["year"] == 1991, "ccode"])
    assert not (v14["ccode"] == 0).any() and not v14.duplicated(["ccode", "year"]).any()
    both = read_vdem(fixture_raw)
    assert not both.duplicated(["ccode", "year"]).any()
    in14 = both.merge(v14[["ccode", "year"]], on=["ccode", "year"])
    assert (in14["vdem_release"] == 14).all()  # v14 wins wherever it has the state-year
    assert (both.loc[both["year"] < 1970, "vdem_release"] == 10).all()  # older fills the rest


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
    assert 0 not in set(v["ccode"])  # Hong Kong has no COW state


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
    assert r.loc[r["endyear"] == 2020, "ongoing"].all()  # censored at the data's end
    assert not r.loc[r["endyear"] < 2020, "ongoing"].any()
    assert r[["ccode1", "ccode2", "styear", "endyear"]].dtypes.eq("int64").all()  # were floats
    assert set(r["spatial"]) <= {0, 1}


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
