"""Kept importable: :func:`plot_convergence` lives in :mod:`solvers.convergence.plot`."""

from __future__ import annotations

from solvers.convergence.plot import plot_convergence

__all__ = ["plot_convergence"]
