"""Linear model problems: advection, heat, advection-diffusion with swappable operators.

Each problem is ``u_t = sum_k coef_k D_k u`` for derivative operators ``D_k`` (objects following
the operator protocol), on a :class:`~solvers.grid.Grid`, plus fixed boundary values on a
bounded grid (Dirichlet values for heat, an inflow value for advection).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from solvers.errors import ProblemError
from solvers.grid import Grid
from solvers.problems.base import (
    Problem,
    check_fits,
    check_grid,
    first_derivative,
    real_number,
    second_derivative,
)
from solvers.terms import LinearTerm, RightHandSide

if TYPE_CHECKING:
    from solvers.operators import OperatorLike

__all__ = ["Advection", "AdvectionDiffusion", "Heat"]


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
    operator: OperatorLike
    grid: Grid
    inflow: float = 0.0

    equation = "advection"
    number_name = "Courant number"

    def __post_init__(self) -> None:
        object.__setattr__(self, "velocity", real_number("velocity", self.velocity, nonzero=True))
        object.__setattr__(self, "inflow", real_number("inflow", self.inflow))
        object.__setattr__(self, "operator", first_derivative(self.operator, "advection operator"))
        check_fits(check_grid(self.grid), [self.operator])

    def right_hand_side(self) -> RightHandSide:
        """-a D1 u."""
        return RightHandSide((LinearTerm(-self.velocity, self.operator),))

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
    left = real_number("left Dirichlet value", values[0])
    return left, real_number("right Dirichlet value", values[1])


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
    operator: OperatorLike | tuple[OperatorLike, OperatorLike]
    grid: Grid
    dirichlet: tuple[float, float] = (0.0, 0.0)

    equation = "heat"
    number_name = "diffusion number"

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "diffusivity", real_number("diffusivity", self.diffusivity, positive=True)
        )
        object.__setattr__(self, "operator", second_derivative(self.operator, "heat operator"))
        object.__setattr__(self, "dirichlet", _dirichlet(self.dirichlet))
        check_fits(check_grid(self.grid), [self.operator])

    def right_hand_side(self) -> RightHandSide:
        """nu D2 u."""
        return RightHandSide((LinearTerm(self.diffusivity, self.operator),))

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
    first: OperatorLike
    second: OperatorLike | tuple[OperatorLike, OperatorLike]
    grid: Grid
    dirichlet: tuple[float, float] = (0.0, 0.0)

    equation = "advection-diffusion"
    number_name = "diffusion number"

    def __post_init__(self) -> None:
        object.__setattr__(self, "velocity", real_number("velocity", self.velocity))
        object.__setattr__(
            self, "diffusivity", real_number("diffusivity", self.diffusivity, positive=True)
        )
        object.__setattr__(self, "first", first_derivative(self.first, "advection operator"))
        object.__setattr__(self, "second", second_derivative(self.second, "diffusion operator"))
        object.__setattr__(self, "dirichlet", _dirichlet(self.dirichlet))
        check_fits(check_grid(self.grid), [self.first, self.second])

    def right_hand_side(self) -> RightHandSide:
        """-a D1 u + nu D2 u (the advective term dropped when a = 0)."""
        terms = [LinearTerm(self.diffusivity, self.second)]
        if self.velocity != 0.0:
            terms.insert(0, LinearTerm(-self.velocity, self.first))
        return RightHandSide(tuple(terms))

    def fixed_values(self) -> Mapping[int, float]:
        """Both end nodes on a bounded grid."""
        if self.grid.is_periodic:
            return {}
        return {0: self.dirichlet[0], self.grid.n - 1: self.dirichlet[1]}

    def dt_for_number(self, number: float) -> float:
        """dt = D h**2 / nu (the diffusion number)."""
        return number * self.grid.h**2 / self.diffusivity
