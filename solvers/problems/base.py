"""What every problem is: terms of ``u_t = ...`` on a grid, boundary values, a time-step scale.

:class:`Problem` is the interface the solver, the stability analysis and the convergence studies
read: :meth:`Problem.right_hand_side` (the terms, :mod:`solvers.terms`),
:meth:`Problem.fixed_values` and the conversion between a time step and the equation's
dimensionless number. The checks of numbers, grids and operators that the concrete problems
share live here too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from solvers.errors import ProblemError
from solvers.grid import Grid
from solvers.operators import (
    ComposedOperator,
    OperatorLike,
    operator_label,
    resolve_operator,
    stencil_data,
)
from solvers.terms import RightHandSide

__all__ = ["Problem", "check_fits", "check_grid", "first_derivative", "real_number",
           "second_derivative"]


def real_number(name: str, value: object, *, positive: bool = False,
                nonzero: bool = False) -> float:
    """``value`` as a finite float (optionally > 0 or nonzero).

    Raises:
        ProblemError: Naming ``name`` and what was wrong.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ProblemError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ProblemError(f"{name} must be finite, got {result!r}")
    if positive and result <= 0.0:
        raise ProblemError(f"{name} must be > 0, got {result!r}")
    if nonzero and result == 0.0:
        raise ProblemError(f"{name} must be nonzero, got {result!r}")
    return result


def check_grid(grid: object) -> Grid:
    if not isinstance(grid, Grid):
        raise ProblemError(f"grid must be a solvers.Grid, got {type(grid).__name__}")
    return grid


def first_derivative(operator: object, role: str) -> OperatorLike:
    """A first-derivative operator (a spec string resolved: :func:`resolve_operator`)."""
    operator = resolve_operator(operator, role)
    _, _, order = stencil_data(operator, role)
    if order != 1:
        raise ProblemError(
            f"{role} must approximate a first derivative, but {operator_label(operator)} has "
            f"derivative order {order}"
        )
    return operator


def second_derivative(operator: object, role: str) -> OperatorLike:
    """A second-derivative operator, or a pair of first-derivative ones composed.

    Each operator may be a spec string (resolved: :func:`resolve_operator`).
    """
    if isinstance(operator, (tuple, list)):
        if len(operator) != 2:
            raise ProblemError(
                f"{role}: give one second-derivative operator or a pair (outer, inner) of "
                f"first-derivative operators, got {len(operator)} operators"
            )
        outer = first_derivative(operator[0], f"{role} (outer factor)")
        inner = first_derivative(operator[1], f"{role} (inner factor)")
        return ComposedOperator(outer, inner)
    operator = resolve_operator(operator, role)
    _, _, order = stencil_data(operator, role)
    if order != 2:
        hint = " (pass a pair (D1, D1) to compose first derivatives)" if order == 1 else ""
        raise ProblemError(
            f"{role} must approximate a second derivative, but {operator_label(operator)} has "
            f"derivative order {order}{hint}"
        )
    return operator


def check_fits(grid: Grid, operators: list[OperatorLike]) -> None:
    for op in operators:
        offsets, _, _ = stencil_data(op)
        span = int(offsets[-1] - offsets[0]) if offsets.size else 0
        if grid.n < span + 1:
            raise ProblemError(
                f"grid of {grid.n} nodes is too small for {operator_label(op)} (span {span}); "
                f"use n >= {span + 1}"
            )
        if not grid.is_periodic and not hasattr(op, "matrix"):
            raise ProblemError(
                f"{operator_label(op)} has no matrix(n, h, boundary) method, which a bounded "
                "grid needs for the operator's boundary closures"
            )


class Problem:
    """Base class: ``u_t = right_hand_side()`` on ``grid`` with fixed boundary nodes.

    A concrete problem gives :meth:`right_hand_side` (its terms), :meth:`dt_for_number` and,
    on bounded grids, :meth:`fixed_values`. A nonlinear problem also gives
    :meth:`linearizations` (the frozen-coefficient linear problems whose stability limits bound
    its time step) and :meth:`for_state` (the problem with its velocity scale taken from the
    initial data).
    """

    grid: Grid

    equation = "problem"
    number_name = "number"

    def right_hand_side(self) -> RightHandSide:  # pragma: no cover - abstract
        """The terms of ``u_t = ...``."""
        raise NotImplementedError

    def terms(self) -> list[tuple[float, OperatorLike]]:
        """(coefficient, operator) of each linear term: their sum is the linear part of u_t."""
        return [(t.coefficient, t.operator) for t in self.right_hand_side().linear]

    @property
    def is_linear(self) -> bool:
        """True without nonlinear (flux) terms."""
        return self.right_hand_side().is_linear

    def fixed_values(self) -> Mapping[int, float]:
        """Node index -> value held fixed in time (empty on periodic grids)."""
        return {}

    def dt_for_number(self, number: float) -> float:  # pragma: no cover - abstract
        """The time step for a Courant / diffusion number."""
        raise NotImplementedError

    def number_for_dt(self, dt: float) -> float:
        """The Courant / diffusion number of a time step (inverse of dt_for_number)."""
        return dt / self.dt_for_number(1.0)

    def linearizations(self) -> tuple[Problem, ...]:
        """Linear problems whose stability limits bound this one's (a linear problem: itself)."""
        return (self,)

    def for_state(self, values: np.ndarray, t_final: float) -> Problem:
        """The problem as it runs from ``values`` up to ``t_final`` (a linear problem: itself).

        A nonlinear problem returns a copy whose velocity scale bounds ``max|u|`` over the run.
        """
        return self

    def describe(self) -> str:
        """One line."""
        ops = ", ".join(operator_label(op) for op in self.right_hand_side().operators)
        return f"{self.equation} on a {self.grid.kind} grid of {self.grid.n} nodes with {ops}"
