"""Fold construction and outcome labelling."""

from __future__ import annotations

import pytest

from forecast.errors import InputError
from forecast.evaluation import folds


def test_parse_lists_and_ranges():
    assert folds.parse_int_list("1950,1955", name="origins") == [1950, 1955]
    assert folds.parse_int_list("1950:1960:5", name="origins") == [1950, 1955, 1960]
    assert folds.parse_int_list("2000:2010:5,2018,2005", name="origins") == [
        2000, 2005, 2010, 2018,
    ]  # fmt: skip
    with pytest.raises(InputError, match="--origins"):
        folds.parse_int_list("19x0", name="origins")


def test_make_folds_drops_unobservable_windows_on_request():
    fs = folds.make_folds([2005, 2010], [5, 10], observable_only=True, last_year=2016)
    assert fs == [folds.Fold(2005, 5), folds.Fold(2005, 10), folds.Fold(2010, 5)]
    with pytest.raises(InputError, match="horizon"):
        folds.make_folds([2000], [0])


def test_at_risk_excludes_alliances_that_ended_in_the_origin_year(panel):
    origin = 1985
    risk = folds.at_risk(panel, origin)
    ended_then = set(panel.loc[(panel.year == origin) & (panel.event == 1), "atopid"])
    assert ended_then.isdisjoint(risk["atopid"])
    assert (risk["begyr"] <= origin).all()
    assert risk["atopid"].is_unique


def test_labels_match_the_panel(panel):
    fold = folds.Fold(1985, 10)
    labels = folds.label_outcomes(panel, fold)
    for row in labels.itertuples():
        history = panel.loc[panel.atopid == row.atopid]
        ends = history.loc[history.event == 1, "year"]
        ended = bool(len(ends)) and 1985 < ends.iloc[0] <= 1995
        assert row.ended == int(ended)
        assert (row.cause != "none") == ended


def test_unobservable_fold_cannot_be_labelled(panel):
    with pytest.raises(InputError, match="not observed"):
        folds.label_outcomes(panel, folds.Fold(2012, 5))
