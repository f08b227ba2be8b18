"""Watching a nonlinear run for what the equation forbids: the scheme failing at a front.

Unforced viscous Burgers (any nu >= 0 before a shock forms) never increases ``max|u|``, its
total variation ``sum |u[i+1] - u[i]|`` or its energy ``h sum u**2``. Central stencils cannot
carry a front steeper than the grid resolves: they answer with oscillations that raise all
three. A run is stopped (:class:`~solvers.errors.SchemeFailureError`) when one of them exceeds
its initial value by ``SCHEME_FAILURE_GROWTH``; a smaller growth of ``max|u|``, beyond
``MAXIMUM_GROWTH_TOLERANCE``, is reported as a
:class:`~solvers.errors.MaximumPrincipleWarning`. Forced runs are not watched (a forcing may
raise all three); their blow-ups are caught by the norm check as for linear problems.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solvers.problems import Problem

__all__ = [
    "MAXIMUM_GROWTH_TOLERANCE",
    "SCHEME_FAILURE_GROWTH",
    "InvariantMonitor",
    "Invariants",
    "SchemeFailure",
    "invariants",
]

SCHEME_FAILURE_GROWTH = 0.05
"""Relative growth of the total variation, the maximum or the energy that stops a run."""
MAXIMUM_GROWTH_TOLERANCE = 1e-6
"""Relative growth of ``max|u|`` reported as a maximum-principle violation (far above
round-off, far below a failure)."""


@dataclass(frozen=True)
class Invariants:
    """Per-row measures of a state (arrays of shape (rows,))."""

    maximum: np.ndarray
    total_variation: np.ndarray
    energy: np.ndarray


def invariants(state: np.ndarray, h: float) -> Invariants:
    """max|u|, periodic total variation and energy ``h sum u**2``, per row."""
    rows = np.atleast_2d(state)
    with np.errstate(over="ignore", invalid="ignore"):
        jumps = np.abs(np.diff(rows, axis=1, append=rows[:, :1]))
        return Invariants(np.abs(rows).max(axis=1), jumps.sum(axis=1),
                          h * np.einsum("ij,ij->i", rows, rows))


@dataclass(frozen=True)
class SchemeFailure:
    """Which measure grew, when, and what the grid resolves there.

    Attributes:
        measure: ``"total variation"``, ``"maximum"`` or ``"energy"``.
        value: Its value.
        initial: Its initial value.
        row: The batch row (0 for one field).
        steepest: The largest ``|u[i+1] - u[i]| / h`` of that row.
    """

    measure: str
    value: float
    initial: float
    row: int
    steepest: float


class InvariantMonitor:
    """Checks an unforced nonlinear run's invariants at each blow-up check.

    Args:
        problem: The problem (watched only with flux terms and no forcing).
        state: The initial state, shape (n,) or (rows, n).
    """

    def __init__(self, problem: Problem, state: np.ndarray) -> None:
        """Measure the initial invariants (only for a watched run)."""
        rhs = problem.right_hand_side()
        self.active = bool(rhs.fluxes) and rhs.forcing is None
        self.h = problem.grid.h
        self.viscosity = float(getattr(problem, "viscosity", 0.0))
        self.initial = invariants(state, self.h) if self.active else None
        self.largest_growth = 0.0
        self.largest_growth_time = 0.0

    def check(self, state: np.ndarray, t: float) -> SchemeFailure | None:
        """The first broken invariant, or None; records the growth of ``max|u|``."""
        if not self.active:
            return None
        now = invariants(state, self.h)
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(self.initial.maximum > 0.0,
                              now.maximum / self.initial.maximum - 1.0, 0.0)
        worst = float(growth.max())
        if worst > self.largest_growth:
            self.largest_growth, self.largest_growth_time = worst, t
        limit = 1.0 + SCHEME_FAILURE_GROWTH
        for measure, value, initial in (
            ("total variation", now.total_variation, self.initial.total_variation),
            ("maximum", now.maximum, self.initial.maximum),
            ("energy", now.energy, self.initial.energy),
        ):
            bad = np.flatnonzero(value > limit * initial)
            if bad.size:
                row = int(bad[0])
                field = np.atleast_2d(state)[row]
                steepest = float(np.abs(np.diff(field, append=field[:1])).max() / self.h)
                return SchemeFailure(measure, float(value[row]), float(initial[row]), row,
                                     steepest)
        return None

    def record_maximum(self, largest: np.ndarray, t: float) -> None:
        """Take in the largest ``max|u|`` per row a compiled kernel saw up to time ``t``."""
        if not self.active:
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(self.initial.maximum > 0.0,
                              np.asarray(largest) / self.initial.maximum - 1.0, 0.0)
        worst = float(np.max(growth))
        if worst > self.largest_growth:
            self.largest_growth, self.largest_growth_time = worst, t

    def limits(self) -> np.ndarray:
        """Per row, the (total variation, max|u|, energy) beyond which a run is stopped."""
        init = self.initial
        return (1.0 + SCHEME_FAILURE_GROWTH) * np.stack(
            [init.total_variation, init.maximum, init.energy], axis=1)

    def explain(self, failure: SchemeFailure, t: float, member: str) -> str:
        """The message: when, which measure, what the grid resolves, what to do."""
        maximum = float(self.initial.maximum[failure.row])
        peclet = math.inf if self.viscosity == 0.0 else maximum * self.h / self.viscosity
        width = (failure.steepest and maximum / failure.steepest) or math.inf
        return (
            f"the discrete scheme is failing at t = {t:.6g}{member}: the {failure.measure} "
            f"grew to {failure.value / failure.initial:.3g}x its initial value "
            f"{failure.initial:.4g}, which this equation never does (a front steeper than the "
            f"grid resolves: steepest slope {failure.steepest:.4g}, a front about "
            f"{width / self.h:.3g} nodes wide; mesh Peclet number max|u| h / nu = "
            f"{peclet:.3g}); use more viscosity, a finer grid, or a dissipative scheme; the "
            "partial solution is attached"
        )

    def growth_message(self) -> str | None:
        """A maximum-principle note when ``max|u|`` grew beyond the tolerance, else None."""
        if not self.active or self.largest_growth <= MAXIMUM_GROWTH_TOLERANCE:
            return None
        return (
            f"max|u| grew by {self.largest_growth:.3g} (relative, largest at t = "
            f"{self.largest_growth_time:.6g}) although unforced Burgers never increases it: "
            "the discretization is failing to keep the maximum principle (a coarse grid or a "
            "steep front); refine the grid or add viscosity"
        )
