"""Convergence studies on periodic 2-D grids: refine both axes together, fit the order.

Each level is the problem on a grid with both axes refined by the same factor (the aspect
ratio ``ny / nx`` kept), run with the same stepper and Courant / diffusion number from the same
initial profile (a callable ``f(X, Y)``), and compared with the exact solution
(:mod:`solvers.analytic2d`). Errors are grid-weighted L2 (relative to the exact solution's norm)
and max norms; orders are pairwise and fitted over all levels (``pairwise_orders`` and
``fitted_order`` of :mod:`solvers.convergence.orders`).
Keep the number small with RK4 so that the spatial error dominates (DESIGN.md: study space and
time separately).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from solvers.analytic2d import exact_solution_2d, semidiscrete_2d
from solvers.convergence.orders import fitted_order, pairwise_orders
from solvers.errors import ProblemError
from solvers.grid2d import Grid2D
from solvers.operators import accuracy_order_of
from solvers.stepping2d import solve_2d
from solvers.tableaux import get_tableau

__all__ = ["MIN_LEVELS", "ConvergenceStudy2D", "convergence_study_2d"]

MIN_LEVELS = 3
"""Fewest grids a 2-D study runs (two pairwise orders)."""
TOLERANCE = 0.1
"""A fitted order within this of the expected one is ``met``."""


@dataclass(frozen=True)
class ConvergenceStudy2D:
    """Errors and observed orders over grids refined along both axes.

    Attributes:
        shapes: (ny, nx) of each level.
        spacings: (hx, hy) of each level.
        dts: The time step of each level.
        errors: Relative grid-weighted L2 errors at ``t_final``.
        max_errors: Max-norm errors (absolute).
        time_errors: Relative L2 distance to the exact semi-discrete solution (the time
            stepper's share of the error).
        orders: Pairwise orders in the L2 norm (against hx).
        max_orders: Pairwise orders in the max norm.
        fitted: Least-squares order over all levels (L2).
        fitted_max: The same in the max norm.
        expected: The lowest accuracy order among the operators.
        verdict: ``"met"`` when both fitted orders are within ``TOLERANCE`` of the expected
            one, else ``"not met"``.
        stepper: The stepper's name.
        description: One line: the problem, stepper and number.
    """

    shapes: tuple[tuple[int, int], ...]
    spacings: tuple[tuple[float, float], ...]
    dts: tuple[float, ...]
    errors: tuple[float, ...]
    max_errors: tuple[float, ...]
    time_errors: tuple[float, ...]
    orders: tuple[float, ...]
    max_orders: tuple[float, ...]
    fitted: float
    fitted_max: float
    expected: int
    verdict: str
    stepper: str
    description: str

    def table(self) -> str:
        """An ``ny x nx | hx | L2 error | order`` table a person can read."""
        lines = [f"{'grid':>11} {'hx':>10} {'dt':>10} {'rel. L2':>11} {'order':>6} "
                 f"{'max':>11} {'order':>6}"]
        for k, ((ny, nx), (hx, _)) in enumerate(zip(self.shapes, self.spacings, strict=True)):
            l2 = f"{self.orders[k - 1]:6.2f}" if k else f"{'-':>6}"
            mx = f"{self.max_orders[k - 1]:6.2f}" if k else f"{'-':>6}"
            lines.append(f"{f'{ny} x {nx}':>11} {hx:10.4g} {self.dts[k]:10.4g} "
                         f"{self.errors[k]:11.3e} {l2} {self.max_errors[k]:11.3e} {mx}")
        lines.append(f"fitted order L2 {self.fitted:.3f}, max {self.fitted_max:.3f} "
                     f"(expected {self.expected}, tolerance {TOLERANCE}): {self.verdict}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data with the keys of the 1-D study's ``to_dict`` (inf / NaN -> None)."""
        def clean(v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, dict):
                return {k: clean(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [clean(x) for x in v]
            return v

        met = self.verdict == "met"
        shares = [t / e if e > 0 else math.nan
                  for t, e in zip(self.time_errors, self.errors, strict=True)]
        return clean({
            "kind": "coupled", "description": self.description, "stepper": self.stepper,
            "grids": [nx for _, nx in self.shapes], "shapes": [list(s) for s in self.shapes],
            "h": [hx for hx, _ in self.spacings], "hy": [hy for _, hy in self.spacings],
            "dt": list(self.dts),
            "errors": {"l2": list(self.errors), "linf": list(self.max_errors)},
            "orders": {"l2": list(self.orders), "linf": list(self.max_orders)},
            "fitted_order": min(self.fitted, self.fitted_max),
            "fitted_orders": {"l2": self.fitted, "linf": self.fitted_max},
            "mean_orders": {"l2": float(np.mean(self.orders)),
                            "linf": float(np.mean(self.max_orders))},
            "fit_range": [0, len(self.shapes) - 1],
            "fit_grids": [nx for _, nx in self.shapes],
            "expected_order": self.expected, "converges": min(self.fitted, self.fitted_max) > 0.5,
            "meets_expected": met, "verdict": self.verdict, "tolerance": TOLERANCE,
            "agreement": None,
            "reason": (f"fitted orders l2 {self.fitted:.2f}, linf {self.fitted_max:.2f}; "
                       f"expected {self.expected} (tolerance {TOLERANCE}): {self.verdict}"),
            "target": "exact", "time_errors": list(self.time_errors),
            "time_error_shares": shares, "notes": [],
        })


def _grids(grid: Grid2D, sizes: Sequence[int]) -> list[Grid2D]:
    if len(sizes) < MIN_LEVELS or any(b <= a for a, b in itertools.pairwise(sizes)):
        raise ProblemError(
            f"give at least {MIN_LEVELS} increasing grid sizes nx, got {list(sizes)}")
    grids = []
    for nx in sizes:
        ny, rest = divmod(nx * grid.ny, grid.nx)
        if rest:
            raise ProblemError(
                f"nx = {nx} does not keep the aspect ratio ny/nx = {grid.ny}/{grid.nx} with an "
                "integer ny; choose sizes that are multiples of "
                f"{grid.nx // math.gcd(grid.nx, grid.ny)}")
        x, y = grid.x_axis, grid.y_axis
        grids.append(Grid2D.periodic(nx, ny, x.lower, x.upper, y.lower, y.upper))
    return grids


def convergence_study_2d(problem: object, u0: Callable[[np.ndarray, np.ndarray], np.ndarray],
                         t_final: float, sizes: Sequence[int], *, stepper: str = "rk4",
                         number: float = 0.1) -> ConvergenceStudy2D:
    """Run ``problem`` on grids of ``sizes`` (nx; ny follows the aspect ratio) against the
    exact solution.

    Args:
        problem: An Advection2D or Heat2D (its grid gives the domain and aspect ratio).
        u0: The initial profile, a periodic callable ``f(X, Y)`` (sampled on every grid).
        t_final: End time.
        sizes: At least three increasing nx.
        stepper: Stepper name.
        number: Courant / diffusion number on every grid.

    Raises:
        ProblemError: For fewer than three sizes or sizes that break the aspect ratio.
    """
    if not callable(u0):
        raise ProblemError("u0 must be a callable f(X, Y), sampled on every grid of the study")
    rows = []
    for grid in _grids(problem.grid, sizes):
        level = replace(problem, grid=grid)
        run = solve_2d(level, u0, t_final, stepper=stepper, number=number)
        exact = exact_solution_2d(level, u0, t_final)
        semi = semidiscrete_2d(level, u0, t_final)
        scale = grid.norm(exact)
        rows.append((grid.shape, grid.spacing, run.dt, grid.norm(run.values - exact) / scale,
                     float(np.max(np.abs(run.values - exact))),
                     grid.norm(run.values - semi) / scale))
    columns = (tuple(c) for c in zip(*rows, strict=True))
    shapes, spacings, dts, errors, max_errors, time_errors = columns
    steps = [hx for hx, _ in spacings]
    fitted, fitted_max = fitted_order(steps, errors), fitted_order(steps, max_errors)
    expected = min(accuracy_order_of(t.operator) for t in problem.right_hand_side().linear)
    met = all(abs(f - expected) <= TOLERANCE for f in (fitted, fitted_max))
    return ConvergenceStudy2D(
        shapes, spacings, dts, errors, max_errors, time_errors,
        tuple(pairwise_orders(steps, errors)), tuple(pairwise_orders(steps, max_errors)),
        fitted, fitted_max, expected, "met" if met else "not met", get_tableau(stepper).name,
        f"{problem.describe()}; {get_tableau(stepper).name}, {problem.number_name} {number:g}, "
        f"t = {t_final:g}")
