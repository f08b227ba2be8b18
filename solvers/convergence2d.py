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

import numpy as np

from solvers.analytic2d import exact_solution_2d
from solvers.convergence.orders import fitted_order, pairwise_orders
from solvers.errors import ProblemError
from solvers.grid2d import Grid2D
from solvers.operators import accuracy_order_of
from solvers.stepping2d import solve_2d

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
        errors: Relative grid-weighted L2 errors at ``t_final``.
        max_errors: Max-norm errors.
        orders: Pairwise orders in the L2 norm (against hx).
        fitted: Least-squares order over all levels (L2).
        expected: The lowest accuracy order among the operators.
        verdict: ``"met"`` when ``|fitted - expected| <= TOLERANCE``, else ``"not met"``.
    """

    shapes: tuple[tuple[int, int], ...]
    spacings: tuple[tuple[float, float], ...]
    errors: tuple[float, ...]
    max_errors: tuple[float, ...]
    orders: tuple[float, ...]
    fitted: float
    expected: int
    verdict: str

    def table(self) -> str:
        """An ``ny x nx | hx | L2 error | order`` table a person can read."""
        lines = [f"{'grid':>11} {'hx':>10} {'rel. L2':>11} {'max':>11} {'order':>6}"]
        for k, ((ny, nx), (hx, _)) in enumerate(zip(self.shapes, self.spacings, strict=True)):
            order = f"{self.orders[k - 1]:6.2f}" if k else f"{'-':>6}"
            lines.append(f"{f'{ny} x {nx}':>11} {hx:10.4g} {self.errors[k]:11.3e} "
                         f"{self.max_errors[k]:11.3e} {order}")
        lines.append(f"fitted order {self.fitted:.3f} (expected {self.expected}): {self.verdict}")
        return "\n".join(lines)


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
    shapes, spacings, errors, max_errors = [], [], [], []
    for grid in _grids(problem.grid, sizes):
        level = replace(problem, grid=grid)
        computed = solve_2d(level, u0, t_final, stepper=stepper, number=number).values
        exact = exact_solution_2d(level, u0, t_final)
        shapes.append(grid.shape)
        spacings.append(grid.spacing)
        errors.append(grid.norm(computed - exact) / grid.norm(exact))
        max_errors.append(float(np.max(np.abs(computed - exact))))
    steps = [hx for hx, _ in spacings]
    fitted = fitted_order(steps, errors)
    expected = min(accuracy_order_of(t.operator) for t in problem.right_hand_side().linear)
    verdict = "met" if abs(fitted - expected) <= TOLERANCE else "not met"
    return ConvergenceStudy2D(tuple(shapes), tuple(spacings), tuple(errors), tuple(max_errors),
                              tuple(pairwise_orders(steps, errors)), fitted, expected, verdict)
