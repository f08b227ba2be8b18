"""Viscous Burgers: ``u_t + (u**2 / 2)_x = nu u_xx + f(x, t)`` on a periodic grid.

The flux goes through a first-derivative operator in one of three forms (see
:mod:`solvers.terms`): ``"conservative"`` keeps the mean of u exactly and is the default;
``"skew"`` also keeps the discrete energy when the flux operator is skew-symmetric (central),
so only the viscous term dissipates it -- the choice for long, well-resolved runs;
``"advective"`` ``u D(u)`` is the cheapest and conserves neither (kept for comparison and for
operators trained in that form). The viscous term takes a second-derivative operator or a pair
of first-derivative ones. Any protocol operator, learned or textbook, fits either slot.

The time step is limited by the operators' symbols linearised about the state: advection at
``+-speed`` (a bound on ``max|u|`` over the run) plus diffusion at ``nu``. ``solve`` takes the
speed from the initial data (plus ``t_final * sum|A_j|`` under a forcing, the most the maximum
principle lets ``max|u|`` grow); a Courant number is ``speed dt / h``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

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
    """

    viscosity: float
    flux_operator: Any
    diffusion_operator: Any
    grid: Grid
    form: FluxForm = "conservative"
    forcing: TravellingWaves | None = None
    speed: float | None = None

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
        first_derivative(self.flux_operator, "flux operator")
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

    def linearizations(self) -> tuple[Problem, ...]:
        """Advection at +speed and -speed (plus diffusion at nu): frozen coefficients."""
        speed = self._speed()
        if speed == 0.0:
            if self.viscosity == 0.0:
                return ()
            return (AdvectionDiffusion(0.0, self.viscosity, self.flux_operator,
                                       self.diffusion_operator, self.grid),)
        if self.viscosity == 0.0:
            return tuple(Advection(s * speed, self.flux_operator, self.grid) for s in (1, -1))
        return tuple(AdvectionDiffusion(s * speed, self.viscosity, self.flux_operator,
                                        self.diffusion_operator, self.grid) for s in (1, -1))

    def for_state(self, values: np.ndarray, t_final: float) -> Burgers:
        """A copy whose speed bounds max|u| up to ``t_final`` (never lowers a given speed).

        Without forcing viscous Burgers obeys a maximum principle: ``max|u|`` never exceeds
        its initial value. A forcing adds at most ``sum|A_j|`` per unit time.
        """
        finite = np.asarray(values, dtype=np.float64)
        bound = float(np.abs(finite).max()) if finite.size else 0.0
        if self.forcing is not None:
            bound += float(t_final) * self.forcing.bound
        speed = max(self.speed or 0.0, bound)
        return self if speed == self.speed else dataclasses.replace(self, speed=speed)
