"""Linear model problems: advection, heat, advection-diffusion with swappable operators.

Each problem is ``u_t = sum_k coef_k D_k u`` for derivative operators ``D_k`` (objects following
the operator protocol), on a :class:`~solvers.grid.Grid`, plus fixed boundary values on a
bounded grid (Dirichlet values for heat, an inflow value for advection).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from solvers.errors import ProblemError
from solvers.grid import Grid
from solvers.operators import ComposedOperator, operator_label, stencil_data

__all__ = ["Advection", "AdvectionDiffusion", "Heat", "Problem"]


def _real(name: str, value: object, *, positive: bool = False, nonzero: bool = False) -> float:
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


def _check_grid(grid: object) -> Grid:
    if not isinstance(grid, Grid):
        raise ProblemError(f"grid must be a solvers.Grid, got {type(grid).__name__}")
    return grid


def _first_derivative(operator: object, role: str) -> Any:
    _, _, order = stencil_data(operator, role)
    if order != 1:
        raise ProblemError(
            f"{role} must approximate a first derivative, but {operator_label(operator)} has "
            f"derivative order {order}"
        )
    return operator


def _second_derivative(operator: object, role: str) -> Any:
    """A second-derivative operator, or a pair of first-derivative ones composed."""
    if isinstance(operator, (tuple, list)):
        if len(operator) != 2:
            raise ProblemError(
                f"{role}: give one second-derivative operator or a pair (outer, inner) of "
                f"first-derivative operators, got {len(operator)} operators"
            )
        outer = _first_derivative(operator[0], f"{role} (outer factor)")
        inner = _first_derivative(operator[1], f"{role} (inner factor)")
        return ComposedOperator(outer, inner)
    _, _, order = stencil_data(operator, role)
    if order != 2:
        hint = " (pass a pair (D1, D1) to compose first derivatives)" if order == 1 else ""
        raise ProblemError(
            f"{role} must approximate a second derivative, but {operator_label(operator)} has "
            f"derivative order {order}{hint}"
        )
    return operator


def _check_fits(grid: Grid, operators: list[Any]) -> None:
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
    """Base class: ``u_t = sum_k coef_k D_k u`` on ``grid`` with fixed boundary nodes."""

    grid: Grid

    equation = "problem"
    number_name = "number"

    def terms(self) -> list[tuple[float, Any]]:  # pragma: no cover - abstract
        """(coefficient, operator) pairs; the right-hand side is sum coef * D u."""
        raise NotImplementedError

    def fixed_values(self) -> Mapping[int, float]:
        """Node index -> value held fixed in time (empty on periodic grids)."""
        return {}

    def dt_for_number(self, number: float) -> float:  # pragma: no cover - abstract
        """The time step for a Courant / diffusion number."""
        raise NotImplementedError

    def number_for_dt(self, dt: float) -> float:
        """The Courant / diffusion number of a time step (inverse of dt_for_number)."""
        return dt / self.dt_for_number(1.0)

    def describe(self) -> str:
        """One line."""
        ops = ", ".join(operator_label(op) for _, op in self.terms())
        return f"{self.equation} on a {self.grid.kind} grid of {self.grid.n} nodes with {ops}"


@dataclass(frozen=True, eq=False)
class Advection(Problem):
    """u_t + a u_x = 0.

    On a bounded grid the inflow node (left for a > 0, right for a < 0) holds ``inflow``
    and the outflow node uses the operator's one-sided closure.

    Attributes:
        velocity: a (nonzero).
        operator: A first-derivative operator.
        grid: The grid.
        inflow: Value at the inflow node on a bounded grid (constant in time).
    """

    velocity: float
    operator: Any
    grid: Grid
    inflow: float = 0.0

    equation = "advection"
    number_name = "Courant number"

    def __post_init__(self) -> None:
        object.__setattr__(self, "velocity", _real("velocity", self.velocity, nonzero=True))
        object.__setattr__(self, "inflow", _real("inflow", self.inflow))
        _first_derivative(self.operator, "advection operator")
        _check_fits(_check_grid(self.grid), [self.operator])

    def terms(self) -> list[tuple[float, Any]]:
        """[(-a, D1)]."""
        return [(-self.velocity, self.operator)]

    def fixed_values(self) -> Mapping[int, float]:
        """The inflow node on a bounded grid."""
        if self.grid.is_periodic:
            return {}
        return {0 if self.velocity > 0 else self.grid.n - 1: self.inflow}

    def dt_for_number(self, number: float) -> float:
        """dt = C h / |a|."""
        return number * self.grid.h / abs(self.velocity)


def _dirichlet(values: object) -> tuple[float, float]:
    if not isinstance(values, (tuple, list)) or len(values) != 2:
        raise ProblemError(f"dirichlet must be a pair (left, right), got {values!r}")
    return _real("left Dirichlet value", values[0]), _real("right Dirichlet value", values[1])


@dataclass(frozen=True, eq=False)
class Heat(Problem):
    """u_t = nu u_xx.

    Attributes:
        diffusivity: nu > 0.
        operator: A second-derivative operator, or a pair ``(outer, inner)`` of
            first-derivative operators composed (stored as a ComposedOperator).
        grid: The grid.
        dirichlet: (left, right) values held at the end nodes of a bounded grid.
    """

    diffusivity: float
    operator: Any
    grid: Grid
    dirichlet: tuple[float, float] = (0.0, 0.0)

    equation = "heat"
    number_name = "diffusion number"

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "diffusivity", _real("diffusivity", self.diffusivity, positive=True)
        )
        object.__setattr__(self, "operator", _second_derivative(self.operator, "heat operator"))
        object.__setattr__(self, "dirichlet", _dirichlet(self.dirichlet))
        _check_fits(_check_grid(self.grid), [self.operator])

    def terms(self) -> list[tuple[float, Any]]:
        """[(nu, D2)]."""
        return [(self.diffusivity, self.operator)]

    def fixed_values(self) -> Mapping[int, float]:
        """Both end nodes on a bounded grid."""
        if self.grid.is_periodic:
            return {}
        return {0: self.dirichlet[0], self.grid.n - 1: self.dirichlet[1]}

    def dt_for_number(self, number: float) -> float:
        """dt = D h**2 / nu."""
        return number * self.grid.h**2 / self.diffusivity


@dataclass(frozen=True, eq=False)
class AdvectionDiffusion(Problem):
    """u_t + a u_x = nu u_xx; Dirichlet values at both ends of a bounded grid.

    Attributes:
        velocity: a (may be zero).
        diffusivity: nu > 0.
        first: First-derivative operator for u_x.
        second: Second-derivative operator (or a pair of first-derivative ones) for u_xx.
        grid: The grid.
        dirichlet: (left, right) values on a bounded grid.
    """

    velocity: float
    diffusivity: float
    first: Any
    second: Any
    grid: Grid
    dirichlet: tuple[float, float] = (0.0, 0.0)

    equation = "advection-diffusion"
    number_name = "diffusion number"

    def __post_init__(self) -> None:
        object.__setattr__(self, "velocity", _real("velocity", self.velocity))
        object.__setattr__(
            self, "diffusivity", _real("diffusivity", self.diffusivity, positive=True)
        )
        _first_derivative(self.first, "advection operator")
        object.__setattr__(self, "second", _second_derivative(self.second, "diffusion operator"))
        object.__setattr__(self, "dirichlet", _dirichlet(self.dirichlet))
        _check_fits(_check_grid(self.grid), [self.first, self.second])

    def terms(self) -> list[tuple[float, Any]]:
        """[(-a, D1), (nu, D2)] (the advective term dropped when a = 0)."""
        terms = [(self.diffusivity, self.second)]
        if self.velocity != 0.0:
            terms.insert(0, (-self.velocity, self.first))
        return terms

    def fixed_values(self) -> Mapping[int, float]:
        """Both end nodes on a bounded grid."""
        if self.grid.is_periodic:
            return {}
        return {0: self.dirichlet[0], self.grid.n - 1: self.dirichlet[1]}

    def dt_for_number(self, number: float) -> float:
        """dt = D h**2 / nu (the diffusion number)."""
        return number * self.grid.h**2 / self.diffusivity
