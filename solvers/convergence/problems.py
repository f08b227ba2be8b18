"""Problem helpers of a study: its kinds, refinement, expected order, default initial condition."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from solvers.cole_hopf import ColeHopfWave
from solvers.errors import ScheduleError
from solvers.grid import Grid
from solvers.initial_conditions import Bump
from solvers.operators import ComposedOperator, OperatorLike, accuracy_order_of
from solvers.problems import Advection, Burgers, Problem
from solvers.tableaux import get_tableau

StudyKind = Literal["space", "time", "coupled"]
KINDS: tuple[str, ...] = ("space", "time", "coupled")
BURGERS_AMPLITUDE = 1.5
"""A of the default Burgers initial condition (smooth: max|u_x| = 2 nu k**2 / (A - 1))."""


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ScheduleError(f"unknown study kind {kind!r}; choose one of {', '.join(KINDS)}")


def _with_grid(problem: Problem, n: int) -> Problem:
    g = problem.grid
    return dataclasses.replace(problem, grid=Grid(n, g.lower, g.upper, g.kind))


def _operators(problem: Problem) -> list[OperatorLike]:
    return list(problem.right_hand_side().operators)


def _dt_power(problem: Problem) -> int:
    """m in dt_limit ∝ h**m: the highest derivative order of the problem's terms."""
    return max(int(op.derivative_order) for op in _operators(problem))


def _spatial_order(problem: Problem) -> int:
    """Smallest verified order of the problem's operators. A composition is judged by its
    composite stencil on a periodic grid (forward after backward is the order-2 central
    second derivative); on a bounded grid each factor's own closure rows count too."""
    orders = []
    for op in _operators(problem):
        if isinstance(op, ComposedOperator):
            factors = [accuracy_order_of(op.outer), accuracy_order_of(op.inner)]
            composite = accuracy_order_of(op)
            if min(factors) == 0:
                orders.append(0)
            elif problem.grid.is_periodic:
                orders.append(composite)
            else:
                orders.append(min([*factors, composite]))
        else:
            orders.append(accuracy_order_of(op))
    return min(orders)


def expected_order(problem: Problem, stepper: Any, kind: str) -> int:
    """The order a study of ``kind`` should observe for this problem and stepper.

    ``space``: the smallest verified accuracy order of the problem's operators (0 for an
    inconsistent one); ``time``: the stepper's order; ``coupled``: ``min(p, m r)`` with ``m``
    the power of h in dt (1: Courant number, 2: diffusion number).
    """
    _check_kind(kind)
    r = get_tableau(stepper).order
    if kind == "time":
        return r
    p = _spatial_order(problem)
    return p if kind == "space" else min(p, _dt_power(problem) * r)


def default_initial_condition(problem: Problem) -> Callable[[np.ndarray], np.ndarray]:
    """A smooth initial condition whose errors are clean for this problem.

    Viscous Burgers: the Cole-Hopf wave of one period on the domain with ``A = 1.5``
    (exact solution in closed form). Periodic grids: the smooth periodic
    :class:`~solvers.initial_conditions.Bump` centred on the domain (its period the domain's
    length). Bounded advection: the same bump (about 1e-11 at the ends, so the inflow value 0
    is compatible). Bounded heat: the steady line through the
    Dirichlet values plus ``sin(pi xi) + 0.5 sin(4 pi xi) + 0.25 sin(7 pi xi)`` with
    ``xi = (x - lower) / L``: compatible with the boundary values to every order (every even
    derivative of the sines vanishes at the ends), and rich enough that a fourth-order error
    stays above the round-off floor up to N = 800.
    """
    g = problem.grid
    if isinstance(problem, Burgers) and problem.viscosity > 0.0:
        return ColeHopfWave(problem.viscosity, BURGERS_AMPLITUDE, 2.0 * np.pi / g.length)
    bump = Bump(center=0.5 * (g.lower + g.upper), period=g.length)
    if g.is_periodic or isinstance(problem, Advection):
        return bump
    left, right = problem.fixed_values()[0], problem.fixed_values()[g.n - 1]

    def smooth(x: np.ndarray) -> np.ndarray:
        xi = (np.asarray(x, dtype=np.float64) - g.lower) / g.length
        return (left + (right - left) * xi + np.sin(np.pi * xi)
                + 0.5 * np.sin(4.0 * np.pi * xi) + 0.25 * np.sin(7.0 * np.pi * xi))

    return smooth
