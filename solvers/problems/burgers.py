"""Viscous Burgers: ``u_t + (u**2 / 2)_x = nu u_xx + f(x, t)`` on a periodic grid.

The flux goes through a first-derivative operator in one of three forms (see
:mod:`solvers.terms`): ``"conservative"`` keeps the mean of u exactly and is the default;
``"skew"`` also keeps the discrete energy when the flux operator is skew-symmetric (central),
so only the viscous term dissipates it -- the choice for long, well-resolved runs;
``"advective"`` ``u D(u)`` is the cheapest and conserves neither (kept for comparison and for
operators trained in that form). The viscous term takes a second-derivative operator or a pair
of first-derivative ones. Any protocol operator, learned or textbook, fits either slot.

The time step is limited by the operators' symbols linearised about the state: advection at
every velocity u takes over the run (the ends of its range, and 0 between) plus diffusion at
``nu``. ``solve`` takes the range from the initial data (widened by ``t_final * sum|A_j|`` under
a forcing, the most the maximum principle lets u move); ``speed`` is its largest magnitude and
a Courant number is ``speed dt / h``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from solvers.errors import ProblemError
from solvers.forcing import TravellingWaves
from solvers.grid import Grid
from solvers.problems.base import (
    Problem,
    check_fits,
    check_grid,
    first_derivative,
    real_number,
    second_derivative,
)
from solvers.problems.linear import Advection, AdvectionDiffusion
from solvers.terms import FLUX_FORMS, FluxForm, FluxTerm, LinearTerm, RightHandSide

if TYPE_CHECKING:
    from solvers.operators import OperatorLike

__all__ = ["Burgers"]


@dataclass(frozen=True, eq=False)
class Burgers(Problem):
    """u_t + (u**2/2)_x = nu u_xx + f(x, t), periodic.

    Attributes:
        viscosity: nu >= 0 (0: inviscid; smooth data then steepens into a shock that no
            central stencil carries, which the solver detects and reports).
        flux_operator: A first-derivative operator for the flux.
        diffusion_operator: A second-derivative operator, or a pair ``(outer, inner)`` of
            first-derivative ones (stored composed); None when ``viscosity`` is 0.
        grid: A periodic grid.
        form: ``"conservative"`` (default), ``"advective"`` or ``"skew"``.
        forcing: A :class:`~solvers.forcing.TravellingWaves` forcing, or None.
        speed: The velocity scale ``max|u|`` used for Courant numbers and the stability limit;
            None until :meth:`for_state` sets it from the initial data (``solve`` does).
        velocities: ``(lowest, highest)`` value u takes over the run (the frozen advection
            velocities the stability limit checks); None: ``(-speed, speed)``.
    """

    viscosity: float
    flux_operator: OperatorLike
    diffusion_operator: OperatorLike | tuple[OperatorLike, OperatorLike] | None
    grid: Grid
    form: FluxForm = "conservative"
    forcing: TravellingWaves | None = None
    speed: float | None = None
    velocities: tuple[float, float] | None = None

    equation = "burgers"
    number_name = "Courant number"

    def __post_init__(self) -> None:
        nu = real_number("viscosity", self.viscosity)
        if nu < 0.0:
            raise ProblemError(f"viscosity must be >= 0, got {nu!r}")
        object.__setattr__(self, "viscosity", nu)
        grid = check_grid(self.grid)
        if not grid.is_periodic:
            raise ProblemError(
                "Burgers runs on periodic grids only (the flux has no boundary closures here); "
                "use Grid.periodic(n, lower, upper)"
            )
        if self.form not in FLUX_FORMS:
            raise ProblemError(f"form must be one of {', '.join(FLUX_FORMS)}, got {self.form!r}")
        object.__setattr__(self, "flux_operator",
                           first_derivative(self.flux_operator, "flux operator"))
        operators = [self.flux_operator]
        if nu > 0.0:
            if self.diffusion_operator is None:
                raise ProblemError(
                    f"viscosity {nu:g} > 0 needs a diffusion_operator (a second-derivative "
                    "operator or a pair of first-derivative ones)"
                )
            diffusion = second_derivative(self.diffusion_operator, "diffusion operator")
            object.__setattr__(self, "diffusion_operator", diffusion)
            operators.append(diffusion)
        elif self.diffusion_operator is not None:
            raise ProblemError(
                "viscosity 0 has no diffusion term, so the diffusion operator would be unused; "
                "pass diffusion_operator=None or a viscosity > 0"
            )
        if self.forcing is not None:
            if not isinstance(self.forcing, TravellingWaves):
                raise ProblemError(
                    f"forcing must be a solvers.TravellingWaves, got {type(self.forcing).__name__}"
                )
            self.forcing.check_period(grid.lower, grid.upper)
        if self.speed is not None:
            object.__setattr__(self, "speed", real_number("speed", self.speed))
            if self.speed < 0.0:
                raise ProblemError(f"speed must be >= 0, got {self.speed!r}")
        if self.velocities is not None:
            if self.speed is None:
                raise ProblemError("velocities need a speed too (speed >= max|velocities|)")
            low, high = (real_number("velocities", v) for v in self.velocities)
            if not (low <= high and max(-low, high) <= self.speed * (1 + 1e-12)):
                raise ProblemError(
                    f"velocities must be an interval (low, high) inside [-speed, speed] = "
                    f"[{-self.speed:g}, {self.speed:g}], got {self.velocities!r}"
                )
            object.__setattr__(self, "velocities", (low, high))
        check_fits(grid, operators)

    def right_hand_side(self) -> RightHandSide:
        """nu D2 u - N(u) + f."""
        linear = (LinearTerm(self.viscosity, self.diffusion_operator),) if self.viscosity else ()
        return RightHandSide(linear, (FluxTerm(-1.0, self.flux_operator, self.form),),
                             self.forcing)

    def _speed(self) -> float:
        if self.speed is None:
            raise ProblemError(
                "this Burgers problem has no velocity scale yet: solve() takes it from the "
                "initial data; elsewhere give speed=max|u| (Burgers(..., speed=...))"
            )
        return self.speed

    def dt_for_number(self, number: float) -> float:
        """dt = C h / speed (with speed = max|u| over the run)."""
        speed = self._speed()
        return math.inf if speed == 0.0 else number * self.grid.h / speed

    def frozen_velocities(self) -> tuple[float, ...]:
        """The advection velocities checked: both ends of :attr:`velocities`, and 0 between."""
        speed = self._speed()
        low, high = self.velocities if self.velocities is not None else (-speed, speed)
        middle = (0.0,) if low < 0.0 < high else ()
        return tuple(sorted({low, high, *middle}))

    def linearizations(self) -> tuple[Problem, ...]:
        """Advection at each frozen velocity (plus diffusion at nu): frozen coefficients.

        The eigenvalues ``-c D1(theta) + nu D2(theta)`` are affine in ``c``; the ends of the
        range and ``c = 0`` are checked.
        """
        problems: list[Problem] = []
        for c in self.frozen_velocities():
            if self.viscosity > 0.0:
                problems.append(AdvectionDiffusion(c, self.viscosity, self.flux_operator,
                                                   self.diffusion_operator, self.grid))
            elif c != 0.0:
                problems.append(Advection(c, self.flux_operator, self.grid))
        return tuple(problems)

    def for_state(self, values: np.ndarray, t_final: float) -> Burgers:
        """A copy whose velocities bound u up to ``t_final`` (never narrowing given ones).

        Without forcing viscous Burgers obeys a maximum principle: u stays within the range
        of its initial values. A forcing moves either end by at most ``sum|A_j|`` per unit
        time.
        """
        finite = np.asarray(values, dtype=np.float64)
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        if self.forcing is not None:
            grow = float(t_final) * self.forcing.bound
            low, high = low - grow, high + grow
        if self.speed is not None:
            given = self.velocities or (-self.speed, self.speed)
            low, high = min(low, given[0]), max(high, given[1])
        speed = max(-low, high, self.speed or 0.0)
        if speed == self.speed and (low, high) == self.velocities:
            return self
        return dataclasses.replace(self, speed=speed, velocities=(low, high))
