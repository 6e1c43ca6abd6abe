"""The Jinja2 environment of the pages (templates in this package, autoescaped)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from forecast.pages.charts import pct, pct_iv


@lru_cache(maxsize=1)
def environment() -> Environment:
    """One environment per process (templates compiled once)."""
    env = Environment(
        loader=PackageLoader("forecast.pages", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    env.filters["pct_iv"] = pct_iv
    env.filters["svg"] = Markup  # charts escape their own text
    env.filters["num"] = lambda x, d=3: "n/a" if x is None else f"{x:.{d}f}"
    return env


def page(template: str, **context: Any) -> str:
    """Render one page."""
    return environment().get_template(template).render(**context)
