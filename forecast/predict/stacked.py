"""The stacked forecast: a mixture of the theory variants' posterior predictive draws
with their stacking weights (``GET /v1/theories``), served as model ``stacked``.

Every draw of every variant enters the mixture, a draw of variant m weighing
``weight_m / n_draws_m``: the mixture's mean is exactly the weighted mean of the variants'
means, and its 90 % interval is that of the weighted predictive distribution (weighted
quantiles of the pooled draws).
Drivers and scenarios are properties of one model's covariates and are not offered here
(ask a variant for them).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from forecast.errors import InputError
from forecast.predict.forecaster import HI, LO, _check_horizon, _iv
from forecast.predict.types import Forecast, Scenario


def weighted_summary(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(3, columns): weighted mean, 5 % and 95 % quantiles of draws ``x`` (draws, columns)
    with draw weights ``w`` (summing to 1); each sorted draw sits at the middle of its
    cumulative weight."""
    order = np.argsort(x, axis=0)
    xs = np.take_along_axis(x, order, axis=0)
    ws = w[order]
    pos = np.cumsum(ws, axis=0) - ws / 2
    out = np.empty((3, x.shape[1]))
    out[0] = w @ x
    for j in range(x.shape[1]):
        out[1:, j] = np.interp((LO, HI), pos[:, j], xs[:, j])
    return out


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
        total = sum(used.values())
        self.weights = {m: w / total for m, w in used.items()}
        self.n_draws = sum(f.n_draws for f in self.forecasters.values())
        self.draw_weights = np.concatenate(
            [np.full(f.n_draws, self.weights[m] / f.n_draws) for m, f in self.forecasters.items()]
        )
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
        for f in self.forecasters.values():
            s, c = f.curve_draws(atopid, H)
            surv.append(s)
            cif.append(c[:, -1])
        s_all, c_all = np.concatenate(surv), np.concatenate(cif)
        x = np.concatenate([s_all, 1.0 - s_all[:, -1:], c_all], axis=1)
        summ = weighted_summary(x, self.draw_weights)
        return Forecast(
            atopid=int(atopid),
            as_of=self.as_of,
            horizon=H,
            p_persist=_iv(*summ[:, H - 1]),
            p_end=_iv(*summ[:, H]),
            causes={c: _iv(*summ[:, H + 1 + k]) for k, c in enumerate(self.causes)},
            survival=tuple(_iv(*summ[:, h]) for h in range(H)),
        )
