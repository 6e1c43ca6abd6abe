"""Inline SVG charts fit for a briefing: axis titles, value labels, a zoomed axis when every
value sits near 1, a "data through" footnote, the Okabe-Ito colour-blind-safe palette, and
``<title>``/``<desc>`` in every SVG. Pure functions of plain numbers -> SVG text."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

# Okabe & Ito (2008), safe for the common colour-vision deficiencies
BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
PURPLE, SKY, YELLOW, GREY, INK = "#CC79A7", "#56B4E9", "#F0E442", "#767676", "#222222"
CAUSE_COLOURS = {
    "abrogation": VERMILLION,
    "replacement": BLUE,
    "natural": GREEN,
    "exogenous": PURPLE,
}
HORIZON_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, VERMILLION, SKY)
FONT = 'font-family="system-ui, sans-serif"'


def pct(x: float | None, digits: int = 1) -> str:
    """0.9761 -> '97.6%' (None -> 'n/a')."""
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def pct_iv(iv: Mapping[str, Any] | None, digits: int = 1) -> str:
    """'97.6% [93.5–99.5]' from ``{mean, lo, hi}``."""
    if not iv or iv.get("mean") is None:
        return "n/a"
    if iv.get("lo") is None or iv.get("hi") is None:
        return pct(iv["mean"], digits)
    return f"{pct(iv['mean'], digits)} [{100 * iv['lo']:.{digits}f}–{100 * iv['hi']:.{digits}f}]"


def _t(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}" {extra}>{escape(text)}</text>'
    )


def _frame(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" {FONT} '
        f'class="chart" id="{ident}">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def _foot(x: float, y: float, text: str, width: int = 118) -> str:
    """A grey footnote, wrapped onto a second line above ``y`` when long."""
    if len(text) <= width:
        return _t(x, y, text, size=10, fill=GREY)
    cut = text.rfind(" · ", 0, width)
    cut = cut if cut > 0 else width
    return _t(x, y - 13, text[:cut], size=10, fill=GREY) + _t(
        x, y, text[cut:].removeprefix(" · "), size=10, fill=GREY
    )


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values from ``lo`` up to the first one at or above ``hi``."""
    if hi <= lo:
        hi = lo + 1e-9
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    out, v = [], start
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    if out[-1] < hi - 1e-9:
        out.append(round(v, 10))
    return out


class _Scale:
    def __init__(self, d0: float, d1: float, r0: float, r1: float) -> None:
        self.d0, self.d1, self.r0, self.r1 = d0, d1, r0, r1

    def __call__(self, v: float) -> float:
        span = (self.d1 - self.d0) or 1.0
        return self.r0 + (v - self.d0) / span * (self.r1 - self.r0)


def zoomed_floor(values: Sequence[float], step: float = 0.05) -> float:
    """Lower end of a probability axis: 0, or a round value below the data when every value
    sits high (so a curve near 1 fills the plot instead of its top sliver)."""
    low = min(values) if values else 0.0
    if low < 0.5:
        return 0.0
    return max(0.0, math.floor((low - 0.01) / step) * step)


def _axes(x: _Scale, y: _Scale, xticks, yticks, xfmt, yfmt, xtitle: str, ytitle: str) -> list[str]:
    out = []
    for v in yticks:
        py = y(v)
        out.append(
            f'<line x1="{x.r0:.1f}" x2="{x.r1:.1f}" y1="{py:.1f}" y2="{py:.1f}" stroke="#e3e3e3"/>'
        )
        out.append(_t(x.r0 - 6, py + 4, yfmt(v), size=11, anchor="end", fill=GREY))
    for v in xticks:
        px = x(v)
        out.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{y.r0:.1f}" y2="{y.r0 + 4:.1f}" '
            f'stroke="{GREY}"/>'
        )
        out.append(_t(px, y.r0 + 17, xfmt(v), size=11, anchor="middle", fill=GREY))
    out.append(
        f'<line x1="{x.r0:.1f}" x2="{x.r1:.1f}" y1="{y.r0:.1f}" y2="{y.r0:.1f}" stroke="{GREY}"/>'
    )
    out.append(
        f'<line x1="{x.r0:.1f}" x2="{x.r0:.1f}" y1="{y.r0:.1f}" y2="{y.r1:.1f}" stroke="{GREY}"/>'
    )
    out.append(_t((x.r0 + x.r1) / 2, y.r0 + 36, xtitle, size=12, anchor="middle"))
    cy = (y.r0 + y.r1) / 2
    out.append(
        _t(16, cy, ytitle, size=12, anchor="middle", extra=f'transform="rotate(-90 16 {cy:.1f})"')
    )
    return out


def survival_fan(
    points: Sequence[Mapping[str, Any]],
    *,
    as_of: int,
    today: int,
    label: str,
    footnote: str,
    scenario: Sequence[Mapping[str, Any]] | None = None,
    ident: str = "fan",
) -> str:
    """Probability still in force by year: 90% band, mean line, "today" marker, labels."""
    W, H, L, R, T, B = 720, 380, 70, 150, 40, 78
    pts = [{"year": as_of, "mean": 1.0, "lo": 1.0, "hi": 1.0}, *points]
    years = [p["year"] for p in pts]
    vals = [p["lo"] for p in pts if p["lo"] is not None]
    if scenario:
        vals += [p["lo"] for p in scenario if p["lo"] is not None]
    y0 = zoomed_floor(vals)
    x = _Scale(years[0], years[-1], L, W - R)
    y = _Scale(y0, 1.0, H - B, T)
    body: list[str] = []
    if as_of < today:
        x_today = x(min(today, years[-1]))
        body.append(
            f'<rect x="{x.r0:.1f}" y="{T}" width="{x_today - x.r0:.1f}" '
            f'height="{H - B - T}" fill="#f2f2f2"/>'
        )
        body.append(
            _t(x.r0 + 4, H - B - 8, f"no data after {as_of}: already elapsed", size=10, fill=GREY)
        )
    step = max(1, round((years[-1] - years[0]) / 8))
    xticks = list(range(years[0], years[-1] + 1, step))
    body += _axes(
        x,
        y,
        xticks,
        nice_ticks(y0, 1.0, 5),
        str,
        lambda v: f"{100 * v:.0f}%",
        "Year",
        "Probability still in force",
    )
    upper = " ".join(f"{x(p['year']):.1f},{y(p['hi']):.1f}" for p in pts)
    lower = " ".join(f"{x(p['year']):.1f},{y(p['lo']):.1f}" for p in reversed(pts))
    body.append(
        f'<polygon points="{upper} {lower}" fill="{SKY}" fill-opacity="0.35" '
        f'stroke="none"><title>90% credible band</title></polygon>'
    )
    line = " ".join(f"{x(p['year']):.1f},{y(p['mean']):.1f}" for p in pts)
    body.append(f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    if scenario:
        spts = [pts[0], *scenario]
        sline = " ".join(f"{x(p['year']):.1f},{y(p['mean']):.1f}" for p in spts)
        body.append(
            f'<polyline points="{sline}" fill="none" stroke="{ORANGE}" '
            f'stroke-width="2.5" stroke-dasharray="7 4"/>'
        )
    if years[0] < today <= years[-1]:
        px = x(today)
        body.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{T:.1f}" y2="{H - B:.1f}" '
            f'stroke="{INK}" stroke-dasharray="4 3"/>'
        )
        body.append(_t(px + 4, H - B - 8, f"today ({today})", size=11, weight="bold"))
        at = next(p for p in pts if p["year"] == today)
        body.append(f'<circle cx="{px:.1f}" cy="{y(at["mean"]):.1f}" r="4" fill="{BLUE}"/>')
        body.append(_t(px + 6, y(at["mean"]) - 8, pct_iv(at), size=11))
    last = pts[-1]
    body.append(
        _t(
            x(last["year"]) + 6,
            y(last["mean"]) + 4,
            f"{pct(last['mean'])} by {last['year']}",
            size=12,
            weight="bold",
            fill=BLUE,
        )
    )
    body.append(
        _t(
            x(last["year"]) + 6,
            y(last["mean"]) + 19,
            f"90%: {pct(last['lo'])}–{pct(last['hi'])}",
            size=11,
            fill=GREY,
        )
    )
    if scenario:
        s = scenario[-1]
        body.append(
            _t(
                x(s["year"]) + 6,
                y(s["mean"]) + 34,
                f"scenario {pct(s['mean'])}",
                size=11,
                fill="#9a6700",
                weight="bold",
            )
        )
    body.append(_t(L, 24, f"{label}: probability still in force", size=14, weight="bold"))
    if y0 > 0:
        body.append(
            _t(
                W - 8,
                H - B + 36,
                f"axis zoomed: starts at {100 * y0:.0f}%",
                size=11,
                anchor="end",
                fill=VERMILLION,
            )
        )
    body.append(_foot(10, H - 8, footnote))
    end = pts[-1]
    desc = (
        f"Survival fan from {as_of} to {end['year']}: probability still in force "
        f"{pct_iv(end)} by {end['year']}; today marker at {today}."
    )
    return _frame(W, H, f"{label}: probability still in force", desc, body, ident)


def cause_bars(
    causes: Mapping[str, Mapping[str, Any]],
    *,
    target_year: int,
    footnote: str,
    ident: str = "causes",
) -> str:
    """Probability of ending by each cause by ``target_year``, with 90% intervals."""
    W, L, R, T, row = 720, 120, 200, 36, 34
    names = list(causes)
    H = T + row * len(names) + 76
    top = max([(c.get("hi") or c.get("mean") or 0) for c in causes.values()] + [1e-3])
    x = _Scale(0, nice_ticks(0, top * 1.1, 4)[-1], L, W - R)
    y_end = T + row * len(names)
    body = _axes(
        x,
        _Scale(0, 1, y_end, T),
        nice_ticks(0, x.d1, 4),
        [],
        lambda v: f"{100 * v:g}%",
        str,
        f"Probability of ending by this cause by {target_year}",
        "",
    )
    for i, c in enumerate(names):
        iv = causes[c]
        cy = T + row * i + row / 2
        mean = iv.get("mean") or 0.0
        body.append(_t(L - 8, cy + 4, c, anchor="end"))
        body.append(
            f'<rect x="{x(0):.1f}" y="{cy - 9:.1f}" width="{x(mean) - x(0):.1f}" '
            f'height="18" fill="{CAUSE_COLOURS.get(c, GREY)}"/>'
        )
        if iv.get("lo") is not None and iv.get("hi") is not None:
            body.append(
                f'<line x1="{x(iv["lo"]):.1f}" x2="{x(iv["hi"]):.1f}" y1="{cy:.1f}" '
                f'y2="{cy:.1f}" stroke="{INK}" stroke-width="1.5"/>'
            )
        body.append(_t(x(max(mean, iv.get("hi") or mean)) + 8, cy + 4, pct_iv(iv, 2), size=11))
    body.append(
        _t(
            L,
            22,
            f"How it would end: cumulative incidence by cause to {target_year}",
            size=14,
            weight="bold",
        )
    )
    body.append(_foot(10, H - 6, footnote))
    desc = "; ".join(f"{c} {pct_iv(causes[c], 2)}" for c in names)
    return _frame(W, H, f"Causes of ending by {target_year}", desc, body, ident)


def waterfall(
    drivers: Sequence[Mapping[str, Any]],
    *,
    total: Mapping[str, Any] | None,
    reference: Mapping[str, Any] | None,
    footnote: str,
    scale: str | None = None,
    reference_is: str | None = None,
    ident: str = "drivers",
) -> str:
    """Drivers as a waterfall of contributions to the log-odds of ending, with freshness:
    from the reference (``reference_is`` says what it is) to the total, on ``scale``."""
    W, L, R, T, row = 720, 230, 150, 36, 32
    rows: list[tuple[str, str, float, float, Mapping[str, Any] | None, str]] = []
    start = float(reference["mean"]) if reference and reference.get("mean") is not None else 0.0
    run = start
    for d in drivers:
        c = d["contribution"]
        m = float(c.get("mean") or 0.0)
        rows.append((d["group"], d.get("freshness", ""), run, run + m, c, "step"))
        run += m
    end = float(total["mean"]) if total and total.get("mean") is not None else run
    rows.append(("total of drivers", "", start, end, total, "total"))
    H = T + row * len(rows) + 84
    ends = [start, end] + [v for _, _, a, b, _, _ in rows for v in (a, b)]
    for _, _, a, _, iv, kind in rows:
        if kind == "step" and iv and iv.get("lo") is not None and iv.get("hi") is not None:
            ends += [a + iv["lo"], a + iv["hi"]]
    lo_v, hi_v = min(ends), max(ends)
    pad = 0.1 * ((hi_v - lo_v) or 1.0)
    ticks = nice_ticks(lo_v - pad, hi_v + pad, 5)
    x = _Scale(min(ticks[0], lo_v - pad), max(ticks[-1], hi_v + pad), L, W - R)
    y_end = T + row * len(rows)
    if scale:
        axis_title = f"{scale[0].upper()}{scale[1:]}"
    else:
        axis_title = "Log-odds of ending, relative to the reference alliance (0)"
    body = _axes(
        x,
        _Scale(0, 1, y_end, T),
        ticks,
        [],
        lambda v: f"{v:+.1f}",
        str,
        axis_title,
        "",
    )
    body.append(
        f'<line x1="{x(start):.1f}" x2="{x(start):.1f}" y1="{T}" y2="{y_end}" '
        f'stroke="{GREY}" stroke-dasharray="3 3"/>'
    )
    if reference:
        what = f"reference ({reference_is})" if reference_is else "reference"
        body.append(_t(x(start) + 4, T - 3, f"{what}: {start:+.2f}", size=10, fill=GREY))
    for i, (name, fresh, a, b, iv, kind) in enumerate(rows):
        cy = T + row * i + row / 2
        colour = INK if kind == "total" else (VERMILLION if b > a else BLUE)
        body.append(
            _t(L - 8, cy, name, anchor="end", weight="bold" if kind == "total" else "normal")
        )
        if fresh:
            body.append(
                _t(
                    L - 8,
                    cy + 12,
                    fresh,
                    anchor="end",
                    size=10,
                    fill=VERMILLION if "missing" in fresh else GREY,
                )
            )
        x0, x1 = sorted((x(a), x(b)))
        label_x = x1 + 6
        body.append(
            f'<rect x="{x0:.1f}" y="{cy - 9:.1f}" width="{max(x1 - x0, 1):.1f}" '
            f'height="18" fill="{colour}" fill-opacity="0.85"/>'
        )
        if iv and iv.get("lo") is not None and iv.get("hi") is not None and kind == "step":
            lo, hi = a + iv["lo"], a + iv["hi"]
            label_x = max(label_x, x(hi) + 6)
            body.append(
                f'<line x1="{x(lo):.1f}" x2="{x(hi):.1f}" y1="{cy:.1f}" y2="{cy:.1f}" '
                f'stroke="{INK}" stroke-width="1.2"/>'
            )
        value = b - a if kind == "step" else b
        body.append(_t(label_x, cy + 4, f"{value:+.2f}", size=11))
    body.append(
        _t(
            L - 220,
            22,
            "Drivers: what moves the risk of ending (waterfall)",
            size=14,
            weight="bold",
        )
    )
    body.append(
        _t(
            10,
            H - 36,
            "Red raises the risk of ending, blue lowers it; whiskers: 90% "
            "interval of each contribution.",
            size=10,
            fill=GREY,
        )
    )
    body.append(_foot(10, H - 6, footnote))
    desc = "; ".join(f"{r[0]} {r[3] - r[2]:+.2f}" for r in rows[:-1]) + f"; total {end:+.2f}"
    return _frame(W, H, "Drivers of the risk of ending", desc, body, ident)


def reliability(
    bins_by_horizon: Sequence[Mapping[str, Any]], *, footnote: str, ident: str = "reliability"
) -> str:
    """Observed frequency of ends against the forecast probability, per horizon."""
    W, H, L, R, T, B = 720, 450, 70, 130, 40, 92
    allv = [b["mean_p"] for h in bins_by_horizon for b in h["bins"]]
    allv += [b["observed"] for h in bins_by_horizon for b in h["bins"]]
    top = nice_ticks(0, max([*allv, 0.05]) * 1.08, 5)[-1]
    x, y = _Scale(0, top, L, W - R), _Scale(0, top, H - B, T)
    ticks = nice_ticks(0, top, 5)
    body = _axes(
        x,
        y,
        ticks,
        ticks,
        lambda v: f"{100 * v:g}%",
        lambda v: f"{100 * v:g}%",
        "Forecast probability of ending (bin mean)",
        "Observed frequency of ends",
    )
    body.append(
        f'<line x1="{x(0):.1f}" y1="{y(0):.1f}" x2="{x(top):.1f}" y2="{y(top):.1f}" '
        f'stroke="{GREY}" stroke-dasharray="5 4"/>'
    )
    body.append(
        _t(x(top) - 4, y(top) + 14, "perfect calibration", size=10, anchor="end", fill=GREY)
    )
    for k, h in enumerate(bins_by_horizon):
        colour = HORIZON_COLOURS[k % len(HORIZON_COLOURS)]
        pts = [(x(b["mean_p"]), y(b["observed"])) for b in h["bins"]]
        body.append(
            '<polyline points="'
            + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
            + f'" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        )
        for b, (px, py) in zip(h["bins"], pts, strict=True):
            if b.get("mean_lo") is not None and b.get("mean_hi") is not None:
                body.append(
                    f'<line x1="{x(b["mean_lo"]):.1f}" x2="{x(min(b["mean_hi"], top)):.1f}" '
                    f'y1="{py:.1f}" y2="{py:.1f}" stroke="{colour}" stroke-opacity="0.4"/>'
                )
            body.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}">'
                f"<title>H={h['horizon']}: forecast {pct(b['mean_p'])}, observed "
                f"{pct(b['observed'])}, n={b['n']}</title></circle>"
            )
        ly = T + 16 + 18 * k
        body.append(f'<circle cx="{W - R + 16}" cy="{ly - 4}" r="5" fill="{colour}"/>')
        n = sum(b["n"] for b in h["bins"])
        body.append(_t(W - R + 26, ly, f"{h['horizon']}-year (n={n})", size=11))
    body.append(
        _t(
            L,
            24,
            "Reliability: forecast vs observed frequency of alliance ends",
            size=14,
            weight="bold",
        )
    )
    body.append(
        _t(
            10,
            H - 34,
            "Equal-count bins; faint bars: the bin's mean 90% interval.",
            size=10,
            fill=GREY,
        )
    )
    body.append(_foot(10, H - 6, footnote))
    desc = "; ".join(
        f"{h['horizon']}-year: "
        + ", ".join(f"{pct(b['mean_p'])}→{pct(b['observed'])}" for b in h["bins"])
        for h in bins_by_horizon
    )
    return _frame(W, H, "Reliability diagram", desc, body, ident)


def scores_over_time(
    rows: Sequence[Mapping[str, Any]], *, footnote: str, ident: str = "over-time"
) -> str:
    """Brier score of the model and of climatology by forecast origin, per horizon."""
    W, H, L, R, T, B = 720, 400, 70, 170, 40, 78
    horizons = sorted({r["horizon"] for r in rows})
    years = sorted({r["as_of"] for r in rows})
    top = max([r["brier"] for r in rows] + [r["brier_climatology"] for r in rows] + [0.01])
    top = nice_ticks(0, top * 1.1, 5)[-1]
    x = _Scale(years[0], years[-1] if years[-1] > years[0] else years[0] + 1, L, W - R)
    y = _Scale(0, top, H - B, T)
    xticks = [int(v) for v in nice_ticks(x.d0, x.d1, 7) if x.d0 <= v <= x.d1]
    body = _axes(
        x,
        y,
        xticks,
        nice_ticks(0, top, 5),
        str,
        lambda v: f"{v:g}",
        "Forecast origin (as_of year)",
        "Brier score (lower is better)",
    )
    for k, h in enumerate(horizons):
        colour = HORIZON_COLOURS[k % len(HORIZON_COLOURS)]
        hr = sorted((r for r in rows if r["horizon"] == h), key=lambda r: r["as_of"])
        for key, dash in (("brier", ""), ("brier_climatology", ' stroke-dasharray="5 4"')):
            pts = " ".join(f"{x(r['as_of']):.1f},{y(r[key]):.1f}" for r in hr)
            body.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" '
                f'stroke-width="{2 if not dash else 1.3}"{dash}/>'
            )
        for r in hr:
            body.append(
                f'<circle cx="{x(r["as_of"]):.1f}" cy="{y(r["brier"]):.1f}" r="3" '
                f'fill="{colour}"><title>{h}-year from {r["as_of"]}: Brier '
                f"{r['brier']:.3f} (climatology {r['brier_climatology']:.3f}), "
                f"n={r['n_scored']}</title></circle>"
            )
        last = hr[-1]
        body.append(
            _t(
                x(last["as_of"]) + 6,
                y(last["brier"]) + 4,
                f"{last['brier']:.3f}",
                size=10,
                fill=colour,
            )
        )
        ly = T + 16 + 18 * k
        body.append(
            f'<line x1="{W - R + 40}" x2="{W - R + 58}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        body.append(_t(W - R + 62, ly, f"{h}-year", size=11))
    ly = T + 16 + 18 * len(horizons)
    body.append(
        f'<line x1="{W - R + 40}" x2="{W - R + 58}" y1="{ly - 4}" y2="{ly - 4}" '
        f'stroke="{GREY}" stroke-dasharray="5 4"/>'
    )
    body.append(_t(W - R + 62, ly, "climatology", size=11))
    body.append(
        _t(L, 24, "Scores over time: Brier score by forecast origin", size=14, weight="bold")
    )
    body.append(_foot(10, H - 6, footnote))
    desc = "; ".join(f"{r['horizon']}-year from {r['as_of']}: {r['brier']:.3f}" for r in rows)
    return _frame(W, H, "Brier score over time", desc, body, ident)
