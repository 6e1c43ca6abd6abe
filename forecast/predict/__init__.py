"""Forecast core: survival, cause-specific incidence, drivers and scenarios from stored
draws, in numpy only (never imports PyMC, PyTensor or ArviZ)."""

from forecast.predict.forecaster import Forecaster, ForecastTable, NotInForceError

__all__ = ["ForecastTable", "Forecaster", "NotInForceError"]
