"""The SVG charts and the page views on plain numbers: briefing conventions and the
drivers shape (``data_through``, ``drivers_total``, ``drivers_reference``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from forecast.pages import charts, views

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.find(f"{NS}title").text and root.find(f"{NS}desc").text
    return root


def survival(as_of: int, values: list[float]) -> list[dict]:
    return [{"year": as_of + h, "h": h, "mean": v, "lo": v - 0.03, "hi": min(1.0, v + 0.01)}
            for h, v in enumerate(values, start=1)]  # fmt: skip


@pytest.mark.parametrize(
    ("values", "floor"), [([0.99, 0.97, 0.93], 0.9), ([0.9, 0.6, 0.3], 0.0), ([], 0.0)]
)
def test_probability_axis_zooms_only_when_everything_sits_high(values, floor) -> None:
    assert charts.zoomed_floor(values) == pytest.approx(floor)


def test_ticks_cover_the_data() -> None:
    assert charts.nice_ticks(0, 0.23, 5)[-1] >= 0.23
    assert charts.nice_ticks(1950, 2015, 7)[0] == 1950


def test_survival_fan_marks_today_labels_values_and_zooms() -> None:
    svg = charts.survival_fan(survival(2016, [0.99, 0.98, 0.97] * 5), as_of=2016, today=2026,
                              label="NATO", footnote="data through 2016")  # fmt: skip
    parse(svg)
    assert "today (2026)" in svg and "axis zoomed: starts at" in svg
    assert "by 2031" in svg and "data through 2016" in svg
    low = charts.survival_fan(survival(2016, [0.8, 0.5, 0.2]), as_of=2016, today=2017,
                              label="x", footnote="f")  # fmt: skip
    assert "axis zoomed" not in low


def test_text_is_escaped() -> None:
    svg = charts.survival_fan(survival(2016, [0.9]), as_of=2016, today=2026,
                              label="A & B <pact>", footnote="f")  # fmt: skip
    assert "A &amp; B &lt;pact&gt;" in svg
    parse(svg)


NEW_SHAPE = {
    "as_of": 2025,
    "drivers": [
        {
            "group": "threat",
            "contribution": {"mean": 0.2, "lo": 0.1, "hi": 0.3},
            "covariates": {"lsthreat_max": 0.6},
            "data_through": 2024,
        },
        {
            "group": "spending",
            "contribution": {"mean": -0.1, "lo": -0.3, "hi": 0.1},
            "covariates": {"leader_milex_share": None},
            "data_through": None,
        },
        {
            "group": "design",
            "contribution": {"mean": 0.05, "lo": 0.0, "hi": 0.1},
            "covariates": {"bilateral": 1.0},
            "data_through": None,
        },
    ],
    "drivers_total": {"mean": -3.85, "lo": -4.1, "hi": -3.6},  # reference + groups
    "drivers_reference": {"mean": -4.0, "lo": -4.2, "hi": -3.8},
    "drivers_reference_is": "the median alliance in force",
    "drivers_scale": "log-odds of ending (any cause) in the first forecast year",
    "data_through": {"atop": 2025, "threat": 2024},
    "model": {"name": "full", "version": "v"},
}


def test_drivers_view_reads_the_served_freshness() -> None:
    dv = views.drivers_view(NEW_SHAPE)
    fresh = {d["group"]: d["freshness"] for d in dv["drivers"]}
    assert fresh == {"threat": "data through 2024", "spending": "inputs missing: imputed",
                     "design": "no data: imputed"}  # fmt: skip
    assert dv["total"]["mean"] == -3.85 and dv["reference"]["mean"] == -4.0
    note = views.data_through_note(NEW_SHAPE)
    assert "atop 2025" in note and "threat 2024" in note


def test_drivers_view_without_data_through_reads_missing_values() -> None:
    old = {"as_of": 2016, "drivers": [
        {"group": "threat", "contribution": {"mean": -0.6, "lo": -1, "hi": 0},
         "covariates": {"a": None, "b": None}},
        {"group": "domestic", "contribution": {"mean": 0.1, "lo": 0, "hi": 0.2},
         "covariates": {"a": None, "b": 1.0}},
    ]}  # fmt: skip
    fresh = [d["freshness"] for d in views.drivers_view(old)["drivers"]]
    assert fresh == ["inputs missing: imputed", "1 of 2 inputs missing"]


def test_waterfall_runs_from_the_reference_to_the_total() -> None:
    dv = views.drivers_view(NEW_SHAPE)
    svg = charts.waterfall(dv["drivers"], total=dv["total"], reference=dv["reference"],
                           footnote="data through 2024", scale=dv["scale"],
                           reference_is=dv["reference_is"])  # fmt: skip
    parse(svg)
    assert "total of drivers" in svg and "-3.85" in svg
    assert "reference (the median alliance in force): -4.00" in svg
    assert "Log-odds of ending (any cause) in the first forecast year" in svg
    assert "inputs missing: imputed" in svg and "data through 2024" in svg


def test_causes_reliability_and_scores_over_time_are_labelled() -> None:
    causes = {"abrogation": {"mean": 0.01, "lo": 0.002, "hi": 0.03},
              "natural": {"mean": 0.02, "lo": None, "hi": None}}  # fmt: skip
    svg = charts.cause_bars(causes, target_year=2026, footnote="f")
    parse(svg)
    assert "1.00% [0.20–3.00]" in svg and "by 2026" in svg
    bins = [{"horizon": 5, "bins": [
        {"n": 10, "mean_p": 0.05, "observed": 0.0, "mean_lo": 0.01, "mean_hi": 0.1},
        {"n": 10, "mean_p": 0.2, "observed": 0.3, "mean_lo": 0.1, "mean_hi": 0.4}]}]  # fmt: skip
    rel = charts.reliability(bins, footnote="n")
    parse(rel)
    assert "Forecast probability of ending" in rel and "perfect calibration" in rel
    rows = [{"as_of": y, "horizon": 5, "brier": 0.1, "brier_climatology": 0.12, "n_scored": 9}
            for y in (1950, 1955)]  # fmt: skip
    over = charts.scores_over_time(rows, footnote="n")
    parse(over)
    assert "climatology" in over and "Forecast origin" in over
