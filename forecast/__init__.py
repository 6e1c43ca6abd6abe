"""alliance-forecast: calibrated Bayesian forecasts of military-alliance persistence.

Data flow (one subpackage per stage):
``sources`` -> ``panel`` -> ``model`` -> ``store`` -> ``predict`` -> ``api`` / ``cli`` / ``jobs``.
The serving path (``api``, ``predict``, ``store``) never imports PyMC or PyTensor.
"""

__version__ = "0.1.0"
