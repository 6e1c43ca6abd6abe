"""The stacked forecast: a mixture of the theory variants' posterior predictive draws
with their stacking weights (``GET /v1/theories``), served as model ``stacked``.

Each variant contributes ``round(weight x N)`` of its draws of the survival curve and the
cumulative incidences (N = the smallest number of draws among the variants), so the
mixture's mean and 90 % interval are those of the stacked predictive distribution.
Drivers and scenarios are properties of one model's covariates and are not offered here
(ask a variant for them).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from forecast.errors import InputError
from forecast.predict.forecaster import _check_horizon, _iv, _summ
from forecast.predict.types import Forecast, Scenario


class StackedForecaster:
    """Forecasts of the stacked mixture of alliance-level ``forecasters`` (see module)."""

    unit = "alliance"
    covariates: tuple[str, ...] = ()
    scenario_covariates: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def __init__(self, forecasters: Mapping[str, object], weights: Mapping[str, float]):
        used = {m: float(w) for m, w in weights.items() if w > 1e-6}
        missing = sorted(set(used) - set(forecasters))
        if missing:
            raise InputError(f"stacked: variants {missing} are not served")
        if not used:
            raise InputError("stacked: no variant has a positive stacking weight")
        self.forecasters = {m: forecasters[m] for m in used}
        first = next(iter(self.forecasters.values()))
        self.as_of, self.causes = first.as_of, first.causes
        n = min(f.n_draws for f in self.forecasters.values())
        total = sum(used.values())
        self.takes = {m: max(1, round(w / total * n)) for m, w in used.items()}
        self.weights = {m: w / total for m, w in used.items()}
        self.n_draws = sum(self.takes.values())
        self.atopids = first.atopids
        self.reference = ""
        self.data_through: dict[str, int] = {}
        self.model, self.version = (
            "stacked",
            "+".join(f"{m}:{f.version}" for m, f in self.forecasters.items()),
        )

    def forecast(
        self, atopid: int, horizon: int, scenario: Scenario | None = None, with_drivers: bool = True
    ) -> Forecast:
        """The mixture's persistence forecast of one alliance (no drivers, no scenarios)."""
        if scenario is not None and scenario.overrides:
            raise InputError(
                "the stacked model takes no scenarios: ask a variant (model=full, ...)",
                field="model",
            )
        H = _check_horizon(horizon)
        surv, cif = [], []
        for m, f in self.forecasters.items():
            s, c = f.curve_draws(atopid, H)
            surv.append(s[: self.takes[m]])
            cif.append(c[: self.takes[m], -1])
        s_all, c_all = np.concatenate(surv), np.concatenate(cif)
        summ = _summ(np.concatenate([s_all, 1.0 - s_all[:, -1:], c_all], axis=1))
        return Forecast(
            atopid=int(atopid),
            as_of=self.as_of,
            horizon=H,
            p_persist=_iv(*summ[:, H - 1]),
            p_end=_iv(*summ[:, H]),
            causes={c: _iv(*summ[:, H + 1 + k]) for k, c in enumerate(self.causes)},
            survival=tuple(_iv(*summ[:, h]) for h in range(H)),
        )
