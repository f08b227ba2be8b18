"""The convergence studies the tests share: one place that sets up each problem.

Importable from any test folder as ``tests.convergence.studies``. Problems sit on [-2, 2)
(``Grid.periodic(n)``); a study rebuilds them on each of its grids.
"""

from __future__ import annotations

from typing import Any

from learned_ops import Stencil, central_stencil
from solvers import Advection, ConvergenceStudy, Grid, Heat, convergence_study

TOL = 0.1
"""The order tolerance of the studies (two-sided; the study's default)."""
ADVECTION_T = 1.0
HEAT_NU, HEAT_T = 0.1, 0.1
PRETRAINED_GRIDS = (50, 100, 200, 400, 800, 1600)
SMALL_GRIDS = (50, 100, 200, 400)


def advection(operator: Any, velocity: float = 1.0, n: int = 50) -> Advection:
    """Periodic advection u_t + a u_x = 0 with ``operator``."""
    return Advection(velocity, operator, Grid.periodic(n))


def heat(operator: Any, kind: str = "periodic") -> Heat:
    """Heat u_t = 0.1 u_xx on [-2, 2] (periodic or with zero Dirichlet ends)."""
    return Heat(HEAT_NU, operator, Grid(50, -2.0, 2.0, kind))


def advection_study(operator: Any, grids: tuple[int, ...] | None = SMALL_GRIDS,
                    **options: Any) -> ConvergenceStudy:
    """A study of periodic advection to t = 1 (``options`` go to ``convergence_study``)."""
    velocity = options.pop("velocity", 1.0)
    return convergence_study(advection(operator, velocity), ADVECTION_T, grids=grids,
                             **options)


def central_advection_study(order: int = 2, grids: tuple[int, ...] = SMALL_GRIDS,
                            **options: Any) -> ConvergenceStudy:
    """The textbook case: the central first derivative of ``order`` on periodic advection."""
    return advection_study(central_stencil(1, order), grids, **options)


def upwind_velocity(op: Stencil) -> float:
    """The velocity that makes a biased first-derivative stencil upwind (1 for a symmetric)."""
    return -1.0 if sum(op.offsets) > 0 else 1.0
