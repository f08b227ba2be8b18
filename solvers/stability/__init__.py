"""Largest stable time steps, computed from the operator itself.

- :mod:`solvers.stability.spectrum`: the eigenvalues (symbol or matrix), each with its round-off;
- :mod:`solvers.stability.polynomial`: the largest stable step along each eigenvalue's ray;
- :mod:`solvers.stability.policy`: which growth is refused or reported, the explanations, and the
  public entry points re-exported here.
"""

from solvers.stability.policy import (
    StabilityLimit,
    largest_stable_step,
    stability_limit,
    stable_numbers,
)

__all__ = ["StabilityLimit", "largest_stable_step", "stability_limit", "stable_numbers"]
