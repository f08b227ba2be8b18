"""Linear problems on a periodic two-dimensional grid, as per-axis terms.

- :class:`Advection2D`: ``u_t + ax u_x + ay u_y = 0``;
- :class:`Heat2D`: ``u_t = nu (u_xx + u_yy)``.

Each is a :class:`~solvers.terms.RightHandSide` of :class:`~solvers.terms.LinearTerm` s, one
per axis (``axis=0`` is x, ``axis=1`` is y; see :mod:`solvers.grid2d`), with any operator of the
protocol along each axis (``operator`` along x, ``operator_y`` along y, the same by default).
Stepping (:mod:`solvers.stepping2d`), stability (:mod:`solvers.stability2d`), the scipy
reference (:mod:`solvers.reference2d`) and the convergence studies read only these terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from solvers.errors import ProblemError
from solvers.grid2d import Grid2D
from solvers.operators import operator_label, stencil_data
from solvers.problems.base import first_derivative, real_number, second_derivative
from solvers.terms import LinearTerm, RightHandSide

if TYPE_CHECKING:
    from solvers.operators import OperatorLike

__all__ = ["Advection2D", "Heat2D", "Problem2D"]


def _check_grid(grid: object, operators: tuple[OperatorLike, OperatorLike]) -> Grid2D:
    if not isinstance(grid, Grid2D):
        raise ProblemError(f"grid must be a solvers.grid2d.Grid2D, got {type(grid).__name__}")
    for axis, (op, n) in enumerate(zip(operators, (grid.nx, grid.ny), strict=True)):
        offsets, _, _ = stencil_data(op)
        span = int(offsets[-1] - offsets[0])
        if n < span + 1:
            name = "nx" if axis == 0 else "ny"
            raise ProblemError(
                f"{name} = {n} is too small for {operator_label(op)} (span {span}); "
                f"use {name} >= {span + 1}"
            )
    return grid


class Problem2D:
    """Base: ``u_t = right_hand_side()`` on a periodic :class:`Grid2D`."""

    grid: Grid2D
    equation = "problem"
    number_name = "number"

    def right_hand_side(self) -> RightHandSide:  # pragma: no cover - abstract
        """The per-axis terms of ``u_t = ...``."""
        raise NotImplementedError

    def dt_for_number(self, number: float) -> float:  # pragma: no cover - abstract
        """The time step for a Courant / diffusion number."""
        raise NotImplementedError

    def number_for_dt(self, dt: float) -> float:
        """The Courant / diffusion number of a time step (inverse of dt_for_number)."""
        return dt / self.dt_for_number(1.0)

    def describe(self) -> str:
        """One line."""
        ops = ", ".join(f"{operator_label(t.operator)} along {'xy'[t.axis]}"
                        for t in self.right_hand_side().linear)
        return f"2-D {self.equation} on a periodic {self.grid.ny} x {self.grid.nx} grid with {ops}"


@dataclass(frozen=True, eq=False)
class Advection2D(Problem2D):
    """u_t + ax u_x + ay u_y = 0.

    Attributes:
        velocity: (ax, ay), not both zero; a zero component drops that axis' term.
        operator: First-derivative operator along x.
        grid: The grid.
        operator_y: First-derivative operator along y (None: ``operator``).
    """

    velocity: tuple[float, float]
    operator: OperatorLike
    grid: Grid2D
    operator_y: OperatorLike | None = None

    equation = "advection"
    number_name = "Courant number"

    def __post_init__(self) -> None:
        v = self.velocity
        if not isinstance(v, (tuple, list)) or len(v) != 2:
            raise ProblemError(f"velocity must be a pair (ax, ay), got {v!r}")
        ax, ay = real_number("ax", v[0]), real_number("ay", v[1])
        if ax == 0.0 and ay == 0.0:
            raise ProblemError("velocity (ax, ay) must not be (0, 0): nothing would move")
        object.__setattr__(self, "velocity", (ax, ay))
        object.__setattr__(self, "operator",
                           first_derivative(self.operator, "advection operator (x)"))
        if self.operator_y is None:
            object.__setattr__(self, "operator_y", self.operator)
        object.__setattr__(self, "operator_y",
                           first_derivative(self.operator_y, "advection operator (y)"))
        _check_grid(self.grid, (self.operator, self.operator_y))

    def right_hand_side(self) -> RightHandSide:
        """-ax Dx u - ay Dy u (a zero component's term dropped)."""
        terms = [LinearTerm(-a, op, axis) for axis, (a, op) in
                 enumerate(zip(self.velocity, (self.operator, self.operator_y), strict=True))
                 if a != 0.0]
        return RightHandSide(tuple(terms))

    def dt_for_number(self, number: float) -> float:
        """dt = C / (|ax| / hx + |ay| / hy)."""
        ax, ay = self.velocity
        return number / (abs(ax) / self.grid.hx + abs(ay) / self.grid.hy)


@dataclass(frozen=True, eq=False)
class Heat2D(Problem2D):
    """u_t = nu (u_xx + u_yy).

    Attributes:
        diffusivity: nu > 0.
        operator: Second-derivative operator along x, or a pair (outer, inner) of first
            derivatives composed.
        grid: The grid.
        operator_y: The same along y (None: ``operator``).
    """

    diffusivity: float
    operator: OperatorLike | tuple[OperatorLike, OperatorLike]
    grid: Grid2D
    operator_y: OperatorLike | tuple[OperatorLike, OperatorLike] | None = None

    equation = "heat"
    number_name = "diffusion number"

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "diffusivity", real_number("diffusivity", self.diffusivity, positive=True)
        )
        op_x = second_derivative(self.operator, "heat operator (x)")
        op_y = op_x if self.operator_y is None else second_derivative(
            self.operator_y, "heat operator (y)")
        object.__setattr__(self, "operator", op_x)
        object.__setattr__(self, "operator_y", op_y)
        _check_grid(self.grid, (op_x, op_y))

    def right_hand_side(self) -> RightHandSide:
        """nu Dxx u + nu Dyy u."""
        return RightHandSide((LinearTerm(self.diffusivity, self.operator, 0),
                              LinearTerm(self.diffusivity, self.operator_y, 1)))

    def dt_for_number(self, number: float) -> float:
        """dt = D / (nu (1/hx**2 + 1/hy**2))."""
        return number / (self.diffusivity * (self.grid.hx ** -2 + self.grid.hy ** -2))
