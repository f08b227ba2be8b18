"""The largest stable time step on a periodic 2-D grid, from the per-axis symbols.

A per-axis operator ``D`` along axis ``a`` acts on the Fourier mode
``exp(i (kx x + ky y))`` as ``h_a**-m sigma(theta_a)`` with ``theta_a = k_a h_a``, so the
semi-discrete operator's eigenvalues are

    lambda(theta_x, theta_y) = sum over terms of coef * h_axis**-m * sigma(theta_axis),

the per-axis symbols summed over the 2-D frequency grid. An explicit Runge-Kutta method is
stable when ``|R(dt lambda)| <= 1`` for every eigenvalue, with the same stepper polynomials
(:func:`solvers.stability.polynomial.step_limit`) as in 1-D. The exact wavenumbers
``2 pi k / N`` are used up to ``EXACT_AXIS_MAX`` nodes per axis, a dense sample beyond.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solvers.errors import NoStableTimeStepError, UnstableTimeStepError
from solvers.operators import ComposedOperator, OperatorLike, stencil_data, symbol
from solvers.stability.polynomial import step_limit
from solvers.stability.spectrum import SYMBOL_ROUND_OFF, Spectrum, snap_to_axes
from solvers.tableaux import ButcherTableau, get_tableau

__all__ = ["EXACT_AXIS_MAX", "StabilityLimit2D", "axis_thetas", "check_dt", "spectrum_2d",
           "stability_limit_2d"]

EXACT_AXIS_MAX = 256
"""Most nodes per axis whose exact wavenumbers are all used (256 x 256 eigenvalues)."""
SAMPLES = 257
"""Wavenumbers sampled on [-pi, pi] per axis beyond EXACT_AXIS_MAX (0 and pi included)."""


def axis_thetas(n: int) -> np.ndarray:
    """theta = 2 pi k / n for k = 0..n-1 (wrapped to (-pi, pi]), or a dense sample."""
    if n <= EXACT_AXIS_MAX:
        k = np.arange(n)
        k = np.where(k > n // 2, k - n, k)
        return 2.0 * np.pi * k / n
    return np.linspace(-np.pi, np.pi, SAMPLES)


def _symbol(op: OperatorLike, theta: np.ndarray) -> np.ndarray:
    if isinstance(op, ComposedOperator):
        return _symbol(op.outer, theta) * _symbol(op.inner, theta)
    return symbol(op, theta)


def _weight(op: OperatorLike) -> float:
    if isinstance(op, ComposedOperator):
        return _weight(op.outer) * _weight(op.inner)
    return float(np.sum(np.abs(stencil_data(op)[1])))


def spectrum_2d(problem: object) -> Spectrum:
    """Eigenvalues lambda(theta_x, theta_y) of a 2-D problem, flattened (theta_y major)."""
    grid = problem.grid
    tx, ty = axis_thetas(grid.nx), axis_thetas(grid.ny)
    per_axis = [np.zeros(tx.size, dtype=np.complex128), np.zeros(ty.size, dtype=np.complex128)]
    size = 0.0
    for term in problem.right_hand_side().linear:
        h = grid.axes[term.axis].h
        m = stencil_data(term.operator)[2]
        scale = term.coefficient * h ** (-m)
        per_axis[term.axis] += scale * _symbol(term.operator, (tx, ty)[term.axis])
        size += abs(scale) * _weight(term.operator)
    lam = (per_axis[1][:, None] + per_axis[0][None, :]).ravel()
    return Spectrum(lam, np.full(lam.size, SYMBOL_ROUND_OFF * size))


@dataclass(frozen=True)
class StabilityLimit2D:
    """The largest stable step of one stepper on one 2-D problem.

    Attributes:
        dt: Largest stable dt (0: none; inf: every eigenvalue is zero).
        number: ``dt`` as the problem's Courant / diffusion number.
        kind: ``"finite"``, ``"imaginary-axis"`` (dt = 0), ``"unconditional"`` or
            ``"growing"`` (an eigenvalue with a positive real part: no dt is stable).
        stepper: The stepper's name.
        limiting: The limiting eigenvalue (None when unconditional).
    """

    dt: float
    number: float
    kind: str
    stepper: str
    limiting: complex | None

    def explain(self) -> str:
        """One sentence on what limits the step."""
        if self.kind == "growing":
            return (f"the semi-discrete operator has a growing mode ({self.limiting:.4g}): no "
                    "time step is stable; use a consistent, non-downwind operator")
        if self.kind == "imaginary-axis":
            return (f"{self.stepper} is unstable for every dt on this problem (eigenvalues on "
                    "the imaginary axis outside its region); use rk4 or ssp-rk3, or a "
                    "dissipative operator")
        if self.kind == "unconditional":
            return "every eigenvalue is zero: any dt is stable"
        return f"{self.stepper} is stable up to dt = {self.dt:.6g} ({self.number:.6g})"


def stability_limit_2d(problem: object, stepper: str | ButcherTableau = "rk4"
                       ) -> StabilityLimit2D:
    """The largest dt with ``|R(dt lambda)| <= 1`` over the 2-D symbol."""
    tableau = get_tableau(stepper)
    spectrum = spectrum_2d(problem)
    lam = snap_to_axes(spectrum)
    if np.any(spectrum.growing):
        worst = complex(lam[np.argmax(lam.real)])
        return StabilityLimit2D(0.0, 0.0, "growing", tableau.name, worst)
    dt, index, kind = step_limit(lam, tableau)
    number = problem.number_for_dt(dt) if math.isfinite(dt) else math.inf
    limiting = None if index is None else complex(lam[index])
    return StabilityLimit2D(dt, number, kind, tableau.name, limiting)


def check_dt(problem: object, dt: float, stepper: str | ButcherTableau,
             allow_unstable: bool) -> StabilityLimit2D:
    """The limit; raises unless ``dt`` is within it or ``allow_unstable`` is set.

    Raises:
        NoStableTimeStepError: When no dt is stable (and ``allow_unstable`` is not set).
        StabilityError: When ``dt`` is beyond the limit (the subclass
            :class:`~solvers.errors.UnstableTimeStepError`).
    """
    limit = stability_limit_2d(problem, stepper)
    if allow_unstable:
        return limit
    if limit.dt == 0.0:
        raise NoStableTimeStepError(limit.explain(), limit=limit)
    if dt > limit.dt * (1.0 + 1e-12):
        raise UnstableTimeStepError(
            f"dt = {dt:.6g} ({problem.number_name} {problem.number_for_dt(dt):.6g}) is beyond "
            f"the stability limit: {limit.explain()}; take a smaller dt or pass "
            "allow_unstable=True", limit=limit,
        )
    return limit

