"""Largest stable time steps, computed from the operator itself.

An explicit Runge-Kutta method with stability polynomial R is stable for ``u' = L u`` when
``|R(dt lambda)| <= 1`` for every eigenvalue lambda of L. On a periodic grid the eigenvalues
are ``sum_k coef_k h**-m_k sigma_k(theta)`` at ``theta = 2 pi k / N`` (the operators' symbols);
on a bounded grid they are the eigenvalues of the assembled matrix (fixed nodes removed),
together with the interior stencil's symbol values (eigenvalues of a non-normal matrix alone
can be badly optimistic).

For each eigenvalue the largest stable step along its ray is found exactly: with
``w = lambda / |lambda|`` and ``t = dt |lambda|``, ``|R(t w)|**2 - 1`` is a real polynomial in
``t`` whose first positive sign change is the limit. Two classic failures come out as a limit
of 0 and are explained: an eigenvalue with positive real part (the semi-discrete system itself
grows: a downwind operator, or one that amplifies constants) and eigenvalues on the imaginary
axis with a method whose stability region contains no piece of it (central + forward Euler).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from solvers.discretization import discretize
from solvers.errors import ProblemError
from solvers.grid import Grid
from solvers.operators import ComposedOperator, operator_label, stencil_data, symbol
from solvers.problems import Advection, Heat, Problem
from solvers.tableaux import ButcherTableau, get_tableau

__all__ = [
    "StabilityLimit",
    "largest_stable_step",
    "stability_limit",
    "stable_numbers",
]

LimitKind = Literal["finite", "amplifying", "imaginary-axis", "unconditional"]

RE_TOL = 1e-9
WEAK_GROWTH_RTOL = 1e-3
"""Growing eigenvalues with Re(lambda) <= this times max|lambda| are *weak* growth (e.g. a
learned stencil a hair off symmetry): reported with their rate, not refused. Stronger growth
(a downwind or inconsistent-at-theta=0 operator) makes every time step unstable."""
"""Re(lambda)/|lambda| below this counts as zero (round-off in a symbol or an eigen-solve)."""
COEF_TOL = 1e-10
"""Normalised coefficients of |R|**2 - 1 below this count as zero."""
GROWTH_TOL = 1e-12
"""|R|**2 - 1 up to this counts as stable (round-off)."""
THETA_SAMPLES = 4097
"""Most wavenumbers sampled on [0, pi] for a periodic grid (exact ones when N is smaller)."""
EXACT_EIG_MAX = 512
"""Largest number of free nodes whose eigenvalues are computed exactly (dense)."""


@dataclass(frozen=True)
class StabilityLimit:
    """The largest stable time step for a problem (or operator) and a stepper.

    Attributes:
        dt: Largest stable time step (0: none is stable; inf: every step is).
        number: The same limit as a Courant number (advection) or diffusion number (heat).
        number_name: ``"Courant number"`` or ``"diffusion number"``.
        stepper: The stepper's name.
        kind: ``finite``, ``amplifying`` (an eigenvalue with Re > 0), ``imaginary-axis``
            (eigenvalues on the imaginary axis outside the method's region) or
            ``unconditional``.
        reason: A human explanation.
        eigenvalue: The limiting eigenvalue (dimensional), if any.
        theta: Its wavenumber theta = k h when it comes from a symbol.
        method: ``symbol`` (periodic), or ``eigenvalues + interior symbol`` (bounded; for
            more than EXACT_EIG_MAX free nodes the eigenvalues of a section of the grid with
            the same spacing).
        growth_rate: Largest positive real part of a *weakly* growing eigenvalue (0 if none):
            one that comes from the boundary closures alone, or one whose real part is at most
            ``WEAK_GROWTH_RTOL`` times the largest eigenvalue. The semi-discrete system itself
            grows like ``exp(growth_rate t)``, whatever the time step. Such modes do not make
            the run refused; the limit then keeps the stepper from adding growth of its own,
            judged on the eigenvalue's imaginary part.
        growth_source: ``"closure"``, ``"interior"`` or ``""`` (no weak growth).
    """

    dt: float
    number: float
    number_name: str
    stepper: str
    kind: LimitKind
    reason: str
    eigenvalue: complex | None = None
    theta: float | None = None
    method: str = "symbol"
    growth_rate: float = 0.0
    growth_source: str = ""

    @property
    def stable(self) -> bool:
        """True when some positive time step is stable."""
        return self.dt > 0.0

    def __float__(self) -> float:
        return float(self.number)


# --------------------------------------------------------------------------- core maths
def _growth_coefficients(phi: np.ndarray, r: np.ndarray) -> np.ndarray:
    """q[:, m-1] for m = 1..2p: |R(t e^{i phi})|**2 - 1 = sum_m q_m t**m."""
    p = r.size - 1
    q = np.zeros((phi.size, 2 * p))
    for j in range(p + 1):
        for k in range(p + 1):
            if j + k >= 1:
                q[:, j + k - 1] += r[j] * r[k] * np.cos((j - k) * phi)
    return q


def _first_unstable_t(q: np.ndarray) -> np.ndarray:
    """Per row: the smallest t > 0 beyond which sum_m q_m t**m first turns positive."""
    rows, deg = q.shape  # P(t) = sum_{m=1}^{deg} q_m t**(m-1) has degree deg - 1
    q = np.where(np.abs(q) <= COEF_TOL, 0.0, q)
    q[:, -1] = np.where(q[:, -1] == 0.0, COEF_TOL, q[:, -1])
    d = deg - 1
    if d == 0:
        roots = np.zeros((rows, 0))
    else:
        comp = np.zeros((rows, d, d))
        comp[:, 0, :] = -q[:, -2::-1] / q[:, -1:]
        if d > 1:
            comp[:, np.arange(1, d), np.arange(d - 1)] = 1.0
        eig = np.linalg.eigvals(comp)
        real = (np.abs(eig.imag) <= 1e-7 * np.maximum(1.0, np.abs(eig.real))) & (eig.real > 1e-9)
        roots = np.sort(np.where(real, eig.real, np.inf), axis=1)
    edges = np.concatenate([np.zeros((rows, 1)), roots, np.full((rows, 1), np.inf)], axis=1)
    lo, hi = edges[:, :-1], edges[:, 1:]
    mid = np.where(np.isinf(hi), np.where(lo > 0, 2.0 * lo, 1.0), 0.5 * (lo + hi))
    mid = np.where(np.isinf(lo), 1.0, mid)
    values = np.zeros_like(mid)
    for m in range(deg - 1, -1, -1):  # Horner on P(t) * t
        values = values * mid + q[:, m : m + 1]
    values = values * mid
    unstable = (values > GROWTH_TOL) & ~np.isinf(lo)
    first = np.argmax(unstable, axis=1)
    return np.where(unstable.any(axis=1), lo[np.arange(rows), first], np.inf)


ZERO_EIGENVALUE_RTOL = 1e-12
"""Eigenvalues smaller than this times the largest one are treated as exactly zero."""


def largest_stable_step(
    eigenvalues: np.ndarray, tableau: ButcherTableau
) -> tuple[float, int | None, LimitKind]:
    """Largest dt with |R(dt lambda)| <= 1 on [0, dt] for every eigenvalue.

    Returns:
        (dt, index of the limiting eigenvalue or None, kind).
    """
    lam = np.asarray(eigenvalues, dtype=np.complex128).ravel()
    mag = np.abs(lam)
    # Eigenvalues that vanish in exact arithmetic (a consistent operator at theta = 0, a
    # skew-symmetric one at theta = pi) come out as +-1e-16 * max|lambda|: their direction
    # is noise, so they count as zero rather than as amplifying.
    scale = float(mag.max()) if mag.size else 0.0
    nonzero = np.flatnonzero(mag > ZERO_EIGENVALUE_RTOL * scale)
    if nonzero.size == 0:
        return math.inf, None, "unconditional"
    w = lam[nonzero] / mag[nonzero]
    amplifying = w.real > RE_TOL
    if amplifying.any():
        worst = nonzero[np.argmax(np.where(amplifying, lam[nonzero].real, -np.inf))]
        return 0.0, int(worst), "amplifying"
    t_star = _first_unstable_t(_growth_coefficients(np.angle(w), tableau.stability_coefficients))
    dts = t_star / mag[nonzero]
    dt = float(dts.min())
    ties = np.flatnonzero(dts <= dt * (1.0 + 1e-9))
    k = int(ties[np.argmax(mag[nonzero][ties])])  # among equal limits, the largest eigenvalue
    if dt == 0.0:
        return 0.0, int(nonzero[k]), "imaginary-axis"
    return dt, int(nonzero[k]), "finite"


# --------------------------------------------------------------------------- eigenvalues
def _thetas(n: int | None) -> np.ndarray:
    if n is not None and n // 2 + 1 <= THETA_SAMPLES:
        return 2.0 * np.pi * np.arange(n // 2 + 1) / n
    return np.linspace(0.0, np.pi, THETA_SAMPLES)


def _symbol_eigenvalues(problem: Problem, theta: np.ndarray) -> np.ndarray:
    h = problem.grid.h
    lam = np.zeros(theta.size, dtype=np.complex128)
    for coef, op in problem.terms():
        lam += coef * h ** (-stencil_data(op)[2]) * _op_symbol(op, theta)
    return lam


def _op_symbol(op: Any, theta: np.ndarray) -> np.ndarray:
    if isinstance(op, ComposedOperator):
        return _op_symbol(op.outer, theta) * _op_symbol(op.inner, theta)
    return symbol(op, theta)


def _matrix_eigenvalues(problem: Problem) -> np.ndarray:
    disc = discretize(problem)
    free = np.setdiff1d(np.arange(disc.n), np.array(sorted(disc.fixed), dtype=int))
    dense = disc.matrix.toarray()[np.ix_(free, free)]
    return np.linalg.eigvals(dense)


def _problem_eigenvalues(problem: Problem) -> tuple[np.ndarray, np.ndarray | None, str]:
    grid = problem.grid
    if grid.is_periodic:
        theta = _thetas(grid.n)
        return _symbol_eigenvalues(problem, theta), theta, "symbol"
    # The interior symbol is always included: the matrices of bounded advection are far from
    # normal (upwind with an inflow node is a Jordan block whose eigenvalues are all -a/h), so
    # their eigenvalues alone would allow steps the interior cannot take.
    bulk = _symbol_eigenvalues(problem, _thetas(None))
    if grid.n - len(problem.fixed_values()) <= EXACT_EIG_MAX:
        edge = _matrix_eigenvalues(problem)
        return np.concatenate([edge, bulk]), None, "eigenvalues + interior symbol"
    # Boundary modes depend on h, not on the domain length: take a section of the same spacing.
    section = Grid.bounded(EXACT_EIG_MAX + 1, grid.lower, grid.lower + EXACT_EIG_MAX * grid.h)
    edge = _matrix_eigenvalues(replace(problem, grid=section))
    return np.concatenate([edge, bulk]), None, "eigenvalues of a section + interior symbol"


# --------------------------------------------------------------------------- explanations
def _explain(problem: Problem, tableau: ButcherTableau, kind: LimitKind, dt: float,
             lam: complex | None, theta: float | None) -> str:
    where = f" at theta = {theta:.4g}" if theta is not None else ""
    if kind == "unconditional":
        return "every eigenvalue is zero: any time step is stable"
    if kind == "finite":
        return (
            f"|R(dt lambda)| of {tableau.name} reaches 1 at dt = {dt:.6g} for eigenvalue "
            f"lambda = {lam:.6g}{where}"
        )
    if kind == "imaginary-axis":
        return (
            f"the operator's eigenvalues lie on the imaginary axis (lambda = {lam:.4g}{where}: no "
            f"dissipation, e.g. a central first derivative) and {tableau.name}'s stability "
            "region contains no piece of the imaginary axis near 0, so every time step is "
            "unstable; use ssprk3 or rk4, or a dissipative (upwind) operator"
        )
    text = (
        f"the semi-discrete system itself grows: eigenvalue lambda = {lam:.4g}{where} has "
        "positive real part, so no time step is stable"
    )
    if isinstance(problem, Advection):
        flipped = replace(problem, velocity=-problem.velocity)
        lam_f, _, _ = _problem_eigenvalues(flipped)
        mags = np.abs(lam_f)
        if not np.any(lam_f.real > RE_TOL * mags):
            side = "left" if problem.velocity > 0 else "right"
            text += (
                f"; the operator {operator_label(problem.operator)} is downwind for velocity "
                f"{problem.velocity:g} (information comes from the {side}); mirror its offsets "
                "or use it for the opposite velocity"
            )
    if theta is not None and theta == 0.0:
        text += "; the growing mode is the constant: the operator does not annihilate constants"
    return text


def _weak_growth(problem: Problem, lam: np.ndarray) -> tuple[np.ndarray, float, str]:
    """Growing eigenvalues to report rather than refuse: (projected lam, max rate, source).

    * On a bounded grid whose interior symbol does not grow, an eigenvalue with Re > 0 comes
      from the edges; its rate does not scale like the operator (1/h**m) -- "closure".
    * Anywhere, growth with Re(lambda) <= WEAK_GROWTH_RTOL * max|lambda| is weak -- "interior"
      (tiny anti-dissipation, e.g. a learned stencil a hair off symmetry).

    Such eigenvalues are projected onto the imaginary axis for the time-step limit; anything
    else that grows is left in place, so the step limit is 0 ("amplifying").
    """
    mags = np.abs(lam)
    growing = lam.real > RE_TOL * mags
    if not growing.any():
        return lam, 0.0, ""
    source = ""
    if not problem.grid.is_periodic:
        bulk = _symbol_eigenvalues(problem, _thetas(None))
        if not np.any(bulk.real > RE_TOL * np.abs(bulk)):
            source = "closure"
    if not source:
        if np.any(lam.real > WEAK_GROWTH_RTOL * float(mags.max())):
            return lam, 0.0, ""
        source = "interior"
    rate = float(lam.real[growing].max())
    positive = lam.real > 0.0  # the weak growth and its round-off-sized neighbours
    projected = lam.copy()
    projected[positive] = 1j * lam.imag[positive]
    if rate <= RE_TOL * float(mags.max()):
        return projected, 0.0, ""  # round-off, not growth worth reporting
    return projected, rate, source


def stability_limit(problem: Problem, stepper: str | ButcherTableau = "rk4") -> StabilityLimit:
    """The largest stable time step for a problem and a stepper, with the reason."""
    tableau = get_tableau(stepper)
    lam, theta, method = _problem_eigenvalues(problem)
    lam, rate, source = _weak_growth(problem, lam)
    dt, index, kind = largest_stable_step(lam, tableau)
    limiting = None if index is None else complex(lam[index])
    th = None if (index is None or theta is None) else float(theta[index])
    number = math.inf if math.isinf(dt) else problem.number_for_dt(dt)
    reason = _explain(problem, tableau, kind, dt, limiting, th)
    if rate > 0.0:
        cause = ("the boundary closures give the semi-discrete system" if source == "closure"
                 else "the operator is slightly anti-dissipative: the semi-discrete system has")
        reason += (
            f"; note: {cause} a weakly growing mode (max Re lambda = {rate:.4g}, e-folding "
            f"time {1.0 / rate:.4g}), so solutions may grow like exp(rate t) whatever the "
            "time step"
        )
    return StabilityLimit(
        dt, number, problem.number_name, tableau.name, kind, reason, limiting, th, method, rate,
        source,
    )


def stable_numbers(
    operator: Any,
    equation: str,
    stepper: str | ButcherTableau = "rk4",
    *,
    velocity_sign: int = 1,
) -> StabilityLimit:
    """Largest stable Courant number (advection) or diffusion number (heat) of an operator.

    Grid-independent: the operator's symbol is sampled on theta in [0, pi].

    Args:
        operator: A first-derivative operator (advection), or a second-derivative operator or
            a pair of first-derivative ones (heat).
        equation: ``"advection"`` or ``"heat"``.
        stepper: A stepper name or tableau.
        velocity_sign: +1 or -1: the direction of advection.

    Returns:
        A :class:`StabilityLimit` whose ``number`` is the limit (``float(limit)`` works).
    """
    if velocity_sign not in (1, -1):
        raise ProblemError(f"velocity_sign must be +1 or -1, got {velocity_sign!r}")
    grid = Grid.periodic(THETA_SAMPLES, 0.0, float(THETA_SAMPLES))  # h = 1
    if equation == "advection":
        problem: Problem = Advection(float(velocity_sign), operator, grid)
    elif equation == "heat":
        problem = Heat(1.0, operator, grid)
    else:
        raise ProblemError(f"unknown equation {equation!r}; choose 'advection' or 'heat'")
    tableau = get_tableau(stepper)
    theta = _thetas(None)
    lam = _symbol_eigenvalues(problem, theta)
    dt, index, kind = largest_stable_step(lam, tableau)
    limiting = None if index is None else complex(lam[index])
    th = None if index is None else float(theta[index])
    return StabilityLimit(
        dt, dt, problem.number_name, tableau.name, kind,
        _explain(problem, tableau, kind, dt, limiting, th), limiting, th, "symbol",
    )
