"""Posterior store: versioned fits, manifests, live pointers (no PyMC/ArviZ imports)."""

from forecast.store.registry import Artifact, Registry

__all__ = ["Artifact", "Registry"]
