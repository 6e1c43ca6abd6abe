"""A dependency-free SVG chart of a survival curve and its 90% band."""

from __future__ import annotations

from html import escape
from typing import Any

W, H = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 40, 44


def survival_chart(forecast: dict[str, Any]) -> str:
    """SVG of ``forecast['survival']`` (mean line, lo–hi band, S(0) = 1 at as_of)."""
    points = [{"year": forecast["as_of"], "mean": 1.0, "lo": 1.0, "hi": 1.0}]
    points += [p for p in forecast["survival"] if p["mean"] is not None]
    years = [p["year"] for p in points]
    x0, x1 = years[0], max(years[-1], years[0] + 1)

    def x(year: float) -> float:
        return LEFT + (year - x0) / (x1 - x0) * (W - LEFT - RIGHT)

    def y(p: float) -> float:
        return TOP + (1 - p) * (H - TOP - BOTTOM)

    upper = " ".join(f"{x(p['year']):.1f},{y(p['hi']):.1f}" for p in points)
    lower = " ".join(f"{x(p['year']):.1f},{y(p['lo']):.1f}" for p in reversed(points))
    line = " ".join(f"{x(p['year']):.1f},{y(p['mean']):.1f}" for p in points)
    grid = "".join(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
        f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>'
        for v in (0.0, 0.25, 0.5, 0.75, 1.0)
    )
    step = max(1, round((x1 - x0) / 6))
    ticks = "".join(
        f'<text x="{x(yr):.1f}" y="{H - BOTTOM + 18}" text-anchor="middle">{yr}</text>'
        for yr in range(x0, x1 + 1, step)
    )
    model = forecast["model"]
    title = escape(f"{forecast['label']} (ATOP {forecast['atopid']}): probability still in force")
    foot = escape(
        f"mean and 90% credible band; model {model['name']} {model['version']}, "
        f"data to {forecast['as_of']}"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11" role="img">'
        f"<title>{title}</title>"
        f'<text x="{LEFT}" y="20" font-size="13">{title}</text>'
        f"{grid}{ticks}"
        f'<polygon points="{upper} {lower}" fill="#4c78a8" fill-opacity="0.25" stroke="none"/>'
        f'<polyline points="{line}" fill="none" stroke="#1f4e79" stroke-width="2"/>'
        f'<text x="{LEFT}" y="{H - 8}" fill="#555">{foot}</text>'
        "</svg>"
    )
