"""Training stencils through the solver: losses on unrolled trajectories.

- :mod:`~learned_ops.trajectory.stepper`: the solver's explicit Runge-Kutta stepping of a
  periodic problem in TensorFlow, differentiable in the stencils' coefficients (imports
  TensorFlow);
- :mod:`~learned_ops.trajectory.train`: :func:`train_trajectory`, a constrained stencil fitted
  to K-step trajectories with L-BFGS on TensorFlow gradients (imports TensorFlow);
- :mod:`~learned_ops.trajectory.oracle`: the closed-form Fourier-space loss of advection and
  heat and its SciPy minimiser (NumPy and SciPy only);
- :mod:`~learned_ops.trajectory.data`: seeded initial conditions.

This package reads ``solvers`` (problems, tableaux): like ``learned_ops.cli`` it is glue
between the two. Importing it does not import TensorFlow; the names from the TensorFlow
modules are loaded on first access.
"""

from __future__ import annotations

from typing import Any

from learned_ops.trajectory.data import sine_sums
from learned_ops.trajectory.oracle import (
    FourierTrajectoryLoss,
    OracleResult,
    fourier_loss_for,
    minimise_fourier_loss,
)

__all__ = [
    "FourierTrajectoryLoss",
    "OracleResult",
    "TrajectoryResult",
    "fourier_loss_for",
    "minimise_fourier_loss",
    "rollout",
    "sine_sums",
    "system_from_problem",
    "train_trajectory",
    "trajectory_loss",
]

_LAZY = {
    "rollout": "learned_ops.trajectory.stepper",
    "system_from_problem": "learned_ops.trajectory.stepper",
    "TrajectoryResult": "learned_ops.trajectory.train",
    "train_trajectory": "learned_ops.trajectory.train",
    "trajectory_loss": "learned_ops.trajectory.train",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
