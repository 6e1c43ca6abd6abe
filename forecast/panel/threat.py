"""Threat covariates: threat scores, MIDs, rivalries and named threats (all up to t−1).

* ``lsthreat_max/mean``: max/mean over members of Leeds–Savun ``lsthreat`` at t−1
  (NaN for t−1 > 2002, the artefact years).
* ``terrthreat_max/mean``: same for Miller's latent territorial threat (NaN for t−1 > 2010);
  ``terrthreat_d5`` = mean at t−1 minus mean at t−6 for the same roster.
* ``shared_mid_5y``: disputes in [t−5, t−1] with ≥ 2 members on one side against at least
  one non-member; ``intra_mid_5y``: disputes in [t−5, t−1] with members on both sides.
  GML MIDs to 2010, COW MIDs 2011–2014; NaN when the window reaches past 2014.
* ``common_rival``: some non-member is a Thompson–Sakuwa–Suhas rival of ≥ 2 members at
  t−1. ``lost_common_rival``: some state was a common rival in a year of [t−6, t−2] but
  is not at t−1. ``rival_rise``: max over non-member rivals of members (active at t−1) of
  the 10-year change in log CINC (t−11 → t−1); 0 when no member has an active rival.
  Rivalries the source codes as ongoing in 2020 (its last year) are held active to the
  panel's end year (their ``data_through`` stays 2020).
* ``strongest_rival_growth``: the rising rival: 5-year change in log CINC (t−6 → t−1) of
  the strongest (highest CINC at t−1) non-member rival of any member; 0 without a rival.
* ``member_conflict``: a member took part in an interstate or internationalised armed
  conflict in t−1; ``conflict_between_members``: two members on opposite sides of an
  armed conflict in t−1; ``conflict_with_rival``: a member on the opposite side from one
  of its active rivals. One rule where MIDs and UCDP overlap: UCDP/PRIO (any conflict
  type for the dyadic measures) from 1946, its first year; before 1946, GML MIDs at
  hostility level ≥ 4 (use of force or war). The MID counts above stay MID-only.
* ``named_threat_alive``: 1 if a state named as the threat in the phase in force
  (``statthr1``/``statthr2``) is a COW system member at t−1; 0 otherwise (incl. none named).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.panel.context import Context
from forecast.panel.lagged import align, at_lag, outside_years
from forecast.sources.mids import COW_LAST_YEAR, GML_LAST_YEAR
from forecast.sources.rivalries import LAST_YEAR as RIVALRY_LAST_YEAR

WINDOW = 5
UCDP_FIRST_YEAR = 1946
MID_FORCE_LEVEL = 4


def mid_participants(gml: pd.DataFrame, cow: pd.DataFrame) -> pd.DataFrame:
    """``dispnum, year, ccode, side`` (side 1 = A) from GML (≤ 2010) and COW (2011–2014)."""
    d = pd.concat([gml, cow[cow["year"] > GML_LAST_YEAR]], ignore_index=True)
    p = pd.concat(
        [
            d[["dispnum", "year", "ccode1", "sidea1"]].set_axis(
                ["dispnum", "year", "ccode", "side"], axis=1
            ),
            d[["dispnum", "year", "ccode2", "sidea2"]].set_axis(
                ["dispnum", "year", "ccode", "side"], axis=1
            ),
        ]
    )
    return p.drop_duplicates().reset_index(drop=True)


def mid_columns(frame: pd.DataFrame, roster: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """``shared_mid_5y`` and ``intra_mid_5y`` aligned with ``frame``."""
    rw = pd.concat(
        [roster.assign(y=roster["year"] - k) for k in range(1, WINDOW + 1)], ignore_index=True
    )
    m = rw.merge(part.rename(columns={"year": "y"}), on=["ccode", "y"])
    n_side = part.groupby(["dispnum", "year", "side"]).size()
    cnt = m.groupby(["atopid", "year", "dispnum", "y", "side"]).size().unstack("side", fill_value=0)
    cnt = cnt.reindex(columns=[0, 1], fill_value=0)
    idx = cnt.index.to_frame(index=False)
    tot0 = (
        n_side.reindex(
            pd.MultiIndex.from_arrays([idx["dispnum"], idx["y"], np.zeros(len(idx), int)])
        )
        .fillna(0)
        .to_numpy()
    )
    tot1 = (
        n_side.reindex(
            pd.MultiIndex.from_arrays([idx["dispnum"], idx["y"], np.ones(len(idx), int)])
        )
        .fillna(0)
        .to_numpy()
    )
    m0, m1 = cnt[0].to_numpy(), cnt[1].to_numpy()
    shared = ((m1 >= 2) & (tot0 - m0 >= 1)) | ((m0 >= 2) & (tot1 - m1 >= 1))
    intra = (m0 >= 1) & (m1 >= 1)
    idx["shared"], idx["intra"] = shared, intra
    agg = idx.groupby(["atopid", "year"]).apply(
        lambda g: pd.Series(
            {
                "shared_mid_5y": g.loc[g["shared"], "dispnum"].nunique(),
                "intra_mid_5y": g.loc[g["intra"], "dispnum"].nunique(),
            }
        ),
        include_groups=False,
    )
    out = pd.DataFrame(index=frame.index)
    for col in ("shared_mid_5y", "intra_mid_5y"):
        v = (
            align(agg[col], frame).astype(float).fillna(0.0)
            if len(agg)
            else pd.Series(0.0, index=frame.index)
        )
        out[col] = v.where(~outside_years(frame, 1816, COW_LAST_YEAR), np.nan)
    return out


def _anti_join(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows of ``left`` whose ``keys`` do not occur in ``right``."""
    marks = right[keys].drop_duplicates().assign(_hit=True)
    m = left.merge(marks, on=keys, how="left")
    return m[m["_hit"].isna()].drop(columns="_hit")


def _has(rows: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """1.0 for frame rows whose ``(atopid, year)`` occurs in ``rows``, else 0.0."""
    hit = rows[["atopid", "year"]].drop_duplicates().assign(_hit=1.0)
    return (
        frame[["atopid", "year"]]
        .merge(hit, on=["atopid", "year"], how="left")["_hit"]
        .fillna(0.0)
        .to_numpy()
    )


def rival_pairs(riv: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """Directed rivalry spells ``ccode, rival, styear, endyear`` (ongoing ones to ``end_year``)."""
    riv = riv.assign(
        endyear=riv["endyear"].where(~riv["ongoing"], max(end_year, RIVALRY_LAST_YEAR))
    )
    a = riv[["ccode1", "ccode2", "styear", "endyear"]].set_axis(
        ["ccode", "rival", "styear", "endyear"], axis=1
    )
    b = riv[["ccode2", "ccode1", "styear", "endyear"]].set_axis(
        ["ccode", "rival", "styear", "endyear"], axis=1
    )
    return pd.concat([a, b], ignore_index=True)


def rivalry_columns(
    frame: pd.DataFrame, roster: pd.DataFrame, pairs: pd.DataFrame, nmc: pd.DataFrame
) -> pd.DataFrame:
    """``common_rival, lost_common_rival, rival_rise, strongest_rival_growth`` for ``frame``
    (``pairs`` = :func:`rival_pairs`)."""

    def non_member_rivals(lag: int) -> pd.DataFrame:
        r = roster.assign(y=roster["year"] - lag).merge(pairs, on="ccode")
        r = r[(r["styear"] <= r["y"]) & (r["endyear"] >= r["y"])]
        return _anti_join(r, roster.rename(columns={"ccode": "rival"}), ["atopid", "year", "rival"])

    def common_at(lag: int) -> pd.DataFrame:
        r = non_member_rivals(lag)
        c = r.groupby(["atopid", "year", "rival"])["ccode"].nunique()
        return c[c >= 2].reset_index()[["atopid", "year", "rival"]]

    now = common_at(1)
    past = pd.concat([common_at(k) for k in range(2, 7)], ignore_index=True)
    lost = _anti_join(past, now, ["atopid", "year", "rival"])
    out = pd.DataFrame(index=frame.index)
    out["common_rival"] = _has(now, frame)
    out["lost_common_rival"] = _has(lost, frame)

    r = non_member_rivals(1)
    logc = np.log(nmc.set_index(["ccode", "year"])["cinc"].where(lambda s: s > 0))
    now_c = logc.reindex(pd.MultiIndex.from_arrays([r["rival"], r["year"] - 1])).to_numpy()
    then_c = logc.reindex(pd.MultiIndex.from_arrays([r["rival"], r["year"] - 11])).to_numpy()
    r = r.assign(rise=now_c - then_c)
    rise = r.groupby(["atopid", "year"])["rise"].max()
    any_rival = r.groupby(["atopid", "year"]).size()
    key = pd.MultiIndex.from_frame(frame[["atopid", "year"]])
    v = rise.reindex(key).to_numpy()
    has = any_rival.reindex(key).notna().to_numpy()
    out["rival_rise"] = np.where(has, v, 0.0)
    c5 = logc.reindex(pd.MultiIndex.from_arrays([r["rival"], r["year"] - 6])).to_numpy()
    r = r.assign(c_now=now_c, growth=now_c - c5)
    # the strongest rival by CINC at t−1; NaN when no rival's CINC is known (after 2022)
    top = r.sort_values("c_now", ascending=False, na_position="last")
    top = top.drop_duplicates(["atopid", "year"]).set_index(["atopid", "year"])
    growth = top["growth"].reindex(key).to_numpy()
    out["strongest_rival_growth"] = np.where(has, growth, 0.0)
    return out


def named_threat_alive(frame: pd.DataFrame, state_years: pd.DataFrame) -> pd.Series:
    """1 if a state named as the threat in the phase in force is a system member at t−1
    (``frame`` carries the design columns ``statthr1``/``statthr2``)."""
    m = frame
    alive = set(zip(state_years["ccode"], state_years["year"], strict=True))
    out = np.zeros(len(m))
    for col in ("statthr1", "statthr2"):
        c = m[col].fillna(0).astype(int)
        hit = [(cc > 0) and ((cc, y - 1) in alive) for cc, y in zip(c, m["year"], strict=True)]
        out = np.maximum(out, np.array(hit, dtype=float))
    return pd.Series(out, index=frame.index)


def conflict_participants(ucdp: pd.DataFrame, gml: pd.DataFrame) -> pd.DataFrame:
    """``cid, year, ccode, side, external`` by the overlap rule: UCDP from 1946, GML MIDs
    at hostility ≥ 4 before (``external``: interstate or internationalised, or any MID)."""
    u = ucdp.assign(
        cid="u" + ucdp["conflict_id"].astype(str),
        external=ucdp["type_of_conflict"].isin(["interstate", "II"]),
    )[["cid", "year", "ccode", "side", "external"]]
    m = gml[(gml["year"] < UCDP_FIRST_YEAR) & (gml["hostlev"] >= MID_FORCE_LEVEL)]
    sides = [
        m[["dispnum", "year", c, s]].set_axis(["dispnum", "year", "ccode", "sidea"], axis=1)
        for c, s in (("ccode1", "sidea1"), ("ccode2", "sidea2"))
    ]
    mp = pd.concat(sides, ignore_index=True).drop_duplicates()
    mp = mp.assign(
        cid="m" + mp["dispnum"].astype(str),
        side=np.where(mp["sidea"] == 1, "A", "B"),
        external=True,
    )[["cid", "year", "ccode", "side", "external"]]
    return pd.concat([mp, u[u["year"] >= UCDP_FIRST_YEAR]], ignore_index=True)


def conflict_columns(
    frame: pd.DataFrame, roster: pd.DataFrame, part: pd.DataFrame, pairs: pd.DataFrame
) -> pd.DataFrame:
    """``member_conflict, conflict_between_members, conflict_with_rival`` for ``frame``."""
    r = roster.assign(y=roster["year"] - 1)
    m = r.merge(part.rename(columns={"year": "y"}), on=["ccode", "y"])
    out = pd.DataFrame(index=frame.index)
    out["member_conflict"] = _has(m[m["external"]], frame)
    sides = m.groupby(["atopid", "year", "cid"])["side"].nunique()
    out["conflict_between_members"] = _has(sides[sides > 1].reset_index(), frame)
    # a member and one of its active rivals on opposite sides of the same conflict
    riv = pairs.rename(columns={"rival": "rccode"})
    mr = m.merge(riv, on="ccode")
    mr = mr[(mr["styear"] <= mr["y"]) & (mr["endyear"] >= mr["y"])]
    opp = mr.merge(
        part.rename(columns={"ccode": "rccode", "side": "rside", "year": "y"})[
            ["cid", "y", "rccode", "rside"]
        ],
        on=["cid", "y", "rccode"],
    )
    out["conflict_with_rival"] = _has(opp[opp["side"] != opp["rside"]], frame)
    return out


def threat_columns(ctx: Context) -> pd.DataFrame:
    """All threat columns aligned with ``ctx.frame``."""
    frame, roster, sy, src = ctx.frame, ctx.roster.roster, ctx.state_year, ctx.sources
    r = roster.copy()
    r["ls"] = at_lag(r, sy, "lsthreat", 1)
    r["tt"] = at_lag(r, sy, "terrthreat", 1)
    r["tt6"] = at_lag(r, sy, "terrthreat", 6)
    g = r.groupby(["atopid", "year"])
    out = pd.DataFrame(index=frame.index)
    out["lsthreat_max"] = align(g["ls"].max(), frame)
    out["lsthreat_mean"] = align(g["ls"].mean(), frame)
    out["terrthreat_max"] = align(g["tt"].max(), frame)
    out["terrthreat_mean"] = align(g["tt"].mean(), frame)
    out["terrthreat_d5"] = align(g["tt"].mean() - g["tt6"].mean(), frame)
    part = mid_participants(src.gml_mids, src.cow_mids)
    out = out.join(mid_columns(frame, roster, part))
    pairs = rival_pairs(src.rivalries, ctx.end_year)
    out = out.join(rivalry_columns(frame, roster, pairs, src.nmc))
    conflicts = conflict_participants(src.ucdp, src.gml_mids)
    out = out.join(conflict_columns(frame, roster, conflicts, pairs))
    alive = sy.loc[sy["system_member"] == 1, ["ccode", "year"]]
    out["named_threat_alive"] = named_threat_alive(frame, alive)
    return out
