"""Explicit Runge-Kutta stepping of a 2-D problem with NumPy: per-axis stencils, fused per axis.

:func:`discretize_2d` merges the terms that act along the same axis into one stencil of
dimensional weights (coefficient, ``h_axis**-m`` and the operator's coefficients folded in);
:class:`AxisStencils` evaluates ``L u = sum_axis sum_j w_j u[shifted by o_j along the axis]``
into a preallocated array; :func:`solve_2d` runs the stepper's tableau from ``t = 0`` to
``t_final`` with steps of equal length, after checking the step against the 2-D stability
limit (:mod:`solvers.stability2d`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from solvers.errors import BlowUpError, ScheduleError
from solvers.grid2d import array_axis
from solvers.operators import stencil_data
from solvers.stability2d import StabilityLimit2D, check_dt
from solvers.tableaux import ButcherTableau, get_tableau

__all__ = ["AxisStencils", "Solution2D", "discretize_2d", "solve_2d"]

MAX_STEPS = 10_000_000
"""Most time steps one run may take."""


@dataclass(frozen=True, eq=False)
class AxisStencils:
    """``L u`` as one stencil per grid axis.

    Attributes:
        shape: (ny, nx).
        stencils: Per grid axis (0 = x, 1 = y): (offsets, dimensional weights); an axis
            without terms has empty offsets.
    """

    shape: tuple[int, int]
    stencils: tuple[tuple[tuple[int, ...], np.ndarray], ...]

    def apply(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``L u`` for ``u`` of shape [..., ny, nx] (written into ``out`` when given)."""
        result = np.zeros_like(u) if out is None else out
        if out is not None:
            result.fill(0.0)
        for axis, (offsets, weights) in enumerate(self.stencils):
            along = array_axis(axis)
            for o, w in zip(offsets, weights, strict=True):
                # (L u)[i] += w * u[i + o]: u shifted left by o along the axis.
                result += w * np.roll(u, -o, axis=along)
        return result


def discretize_2d(problem: object) -> AxisStencils:
    """The problem's terms merged into one stencil per axis (dimensional weights)."""
    grid = problem.grid
    merged: list[dict[int, float]] = [{}, {}]
    for term in problem.right_hand_side().linear:
        array_axis(term.axis)  # checks the axis
        offsets, coefficients, m = stencil_data(term.operator)
        scale = float(term.coefficient) * grid.axes[term.axis].h ** (-m)
        for o, c in zip(offsets.tolist(), coefficients, strict=True):
            merged[term.axis][o] = merged[term.axis].get(o, 0.0) + scale * float(c)
    stencils = []
    for taps in merged:
        offsets = tuple(sorted(o for o, w in taps.items() if w != 0.0))
        stencils.append((offsets, np.array([taps[o] for o in offsets], dtype=np.float64)))
    return AxisStencils(grid.shape, tuple(stencils))


@dataclass(frozen=True)
class Solution2D:
    """The field at ``t_final`` and how the run went.

    Attributes:
        values: u at ``t_final``, shape [..., ny, nx].
        t_final: The end time.
        steps: Time steps taken.
        dt: Their length.
        number: ``dt`` as the problem's Courant / diffusion number.
        stepper: Stepper name.
        stability: The 2-D stability limit it was checked against.
        kernel: ``"numpy"`` or the compiled kernel's name.
        wall_time: Seconds spent stepping.
    """

    values: np.ndarray
    t_final: float
    steps: int
    dt: float
    number: float
    stepper: str
    stability: StabilityLimit2D
    kernel: str
    wall_time: float


def _schedule(problem: object, t_final: float, dt: float | None,
              number: float | None) -> tuple[int, float]:
    if not (isinstance(t_final, (int, float)) and math.isfinite(t_final) and t_final > 0):
        raise ScheduleError(f"t_final must be a positive finite number, got {t_final!r}")
    if (dt is None) == (number is None):
        raise ScheduleError("give exactly one of dt and number (a Courant / diffusion number)")
    target = problem.dt_for_number(number) if dt is None else dt
    if not (isinstance(target, (int, float)) and math.isfinite(target) and target > 0):
        raise ScheduleError(f"the time step must be a positive finite number, got {target!r}")
    steps = max(1, math.ceil(t_final / target * (1.0 - 1e-12)))
    if steps > MAX_STEPS:
        raise ScheduleError(
            f"{steps:,} steps of dt = {target:.3g} exceed the limit of {MAX_STEPS:,}; "
            "take a larger dt or a shorter t_final"
        )
    return steps, t_final / steps


def rk_steps(operator: AxisStencils, u0: np.ndarray, dt: float, steps: int,
             tableau: ButcherTableau) -> np.ndarray:
    """``steps`` steps of ``tableau`` on ``u' = L u`` with preallocated stage arrays."""
    a, b = tableau.a, tableau.b
    s = tableau.stages
    u = u0.copy()
    stages = [np.empty_like(u) for _ in range(s)]
    work = np.empty_like(u)
    scale = max(1.0, float(np.max(np.abs(u0))) if u0.size else 1.0)
    for step in range(steps):
        for i in range(s):
            np.copyto(work, u)
            for j in range(i):
                if a[i, j] != 0.0:
                    work += (dt * a[i, j]) * stages[j]
            operator.apply(work, out=stages[i])
        for i in range(s):
            if b[i] != 0.0:
                u += (dt * b[i]) * stages[i]
        if step % 64 == 63 or step == steps - 1:
            peak = float(np.max(np.abs(u)))
            if not math.isfinite(peak) or peak > 1e12 * scale:
                raise BlowUpError(
                    f"the solution blew up at step {step + 1} (max|u| = {peak:.3g}); the time "
                    "step or the operator is unstable", step=step + 1, time=(step + 1) * dt,
                    norm=peak, partial=None,
                )
    return u


def solve_2d(problem: object, u0: object, t_final: float, *, stepper: str = "rk4",
             dt: float | None = None, number: float | None = None,
             allow_unstable: bool = False, kernel: str = "numpy") -> Solution2D:
    """Integrate a 2-D problem from ``u0`` (shape [..., ny, nx]) to ``t_final``.

    Args:
        problem: An :class:`~solvers.problems2d.Advection2D` or
            :class:`~solvers.problems2d.Heat2D`.
        u0: Initial values, shape [..., ny, nx], or a callable ``f(X, Y)``.
        t_final: End time.
        stepper: A stepper name (see :func:`solvers.stepper_names`) or a tableau.
        dt: Time step (shortened so that the steps land on ``t_final``), or
        number: a Courant / diffusion number instead.
        allow_unstable: Run a dt beyond the stability limit (to watch it grow).
        kernel: ``"numpy"``, or ``"compiled"`` for the numba path
            (:mod:`solvers.fast2d`), which gives the same numbers to round-off.

    Raises:
        ScheduleError: For a bad t_final / dt / number.
        StabilityError: When dt is beyond the stability limit (unless allowed).
        BlowUpError: When the solution grows without bound.
    """
    grid = problem.grid
    values = u0(*grid.mesh()) if callable(u0) else u0
    u = grid.check_field(values, "initial values")
    tableau = get_tableau(stepper)
    steps, step = _schedule(problem, t_final, dt, number)
    limit = check_dt(problem, step, tableau, allow_unstable)
    operator = discretize_2d(problem)
    start = time.perf_counter()
    if kernel == "numpy":
        final = rk_steps(operator, u, step, steps, tableau)
    elif kernel == "compiled":
        from solvers.fast2d import compiled_steps

        final = compiled_steps(operator, u, step, steps, tableau)
    else:
        raise ScheduleError(f"kernel must be 'numpy' or 'compiled', got {kernel!r}")
    wall = time.perf_counter() - start
    return Solution2D(final, float(t_final), steps, step, problem.number_for_dt(step),
                      tableau.name, limit, kernel, wall)
