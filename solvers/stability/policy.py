"""Largest stable time steps, computed from the operator itself.

An explicit Runge-Kutta method with stability polynomial R is stable for ``u' = L u`` when
``|R(dt lambda)| <= 1`` for every eigenvalue lambda of L. On a periodic grid the eigenvalues
are ``sum_k coef_k h**-m_k sigma_k(theta)`` at ``theta = 2 pi k / N`` (the operators' symbols);
on a bounded grid they are the eigenvalues of the assembled matrix (fixed nodes removed),
together with the interior stencil's symbol values (eigenvalues of a non-normal matrix alone
can be badly optimistic).

The maths lives in two modules: :mod:`solvers.stability.spectrum` assembles the eigenvalues,
each with the round-off it may carry, and :mod:`solvers.stability.polynomial` finds the
largest stable step along each eigenvalue's ray. This module is the policy: which growth is
refused, which is weak growth to report, and the explanations. Two classic failures come out
as a limit of 0 and are explained: an eigenvalue with positive real part (the semi-discrete
system itself grows: a downwind operator, one that amplifies constants, or boundary closures
whose growth scales like 1/h) and eigenvalues on the imaginary axis with a method whose
stability region contains no piece of it (central + forward Euler).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from solvers.errors import ProblemError
from solvers.grid import Grid
from solvers.operators import ComposedOperator, OperatorLike, operator_label, stencil_data
from solvers.problems import Advection, Heat, Problem
from solvers.stability.growth import classify_growth
from solvers.stability.polynomial import ROUND_OFF, step_limit
from solvers.stability.spectrum import (
    THETA_SAMPLES,
    Spectrum,
    bulk_spectrum,
    problem_spectrum,
    snap_to_axes,
    thetas,
)
from solvers.tableaux import ButcherTableau, get_tableau

__all__ = [
    "StabilityLimit",
    "largest_stable_step",
    "limit_key",
    "stability_limit",
    "stable_numbers",
]

LimitKind = Literal["finite", "amplifying", "imaginary-axis", "unconditional"]

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
        growth_rate_is_bound: True when the rate was measured on a section of a large bounded
            grid (same spacing, shorter domain) and the full grid's could not be computed: the
            full grid's rate is then at most this.
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
    growth_rate_is_bound: bool = False

    @property
    def stable(self) -> bool:
        """True when some positive time step is stable."""
        return self.dt > 0.0

    def __float__(self) -> float:
        return float(self.number)


def largest_stable_step(
    eigenvalues: np.ndarray, tableau: ButcherTableau
) -> tuple[float, int | None, LimitKind]:
    """Largest dt with |R(dt lambda)| <= 1 on [0, dt] for every eigenvalue.

    Round-off is judged relative to the largest eigenvalue: eigenvalues and real or imaginary
    parts below ``ROUND_OFF * max|lambda|`` (about 1.4e-14 of it) count as zero. An eigenvalue
    with a positive real part beyond that gives ``(0, index, "amplifying")``.

    Returns:
        (dt, index of the limiting eigenvalue or None, kind).
    """
    lam = np.asarray(eigenvalues, dtype=np.complex128).ravel()
    scale = float(np.abs(lam).max()) if lam.size else 0.0
    spectrum = Spectrum(lam, np.full(lam.size, ROUND_OFF * scale))
    return _limit(spectrum, tableau)


def _limit(spectrum: Spectrum, tableau: ButcherTableau) -> tuple[float, int | None, LimitKind]:
    growing = spectrum.growing
    if growing.any():
        worst = int(np.argmax(np.where(growing, spectrum.values.real, -np.inf)))
        return 0.0, worst, "amplifying"
    dt, index, kind = step_limit(snap_to_axes(spectrum), tableau)
    return dt, index, kind  # type: ignore[return-value]


# --------------------------------------------------------------------------- sampled symbols
ZOOM_ROUNDS = 4
"""Rounds of resampling that locate a sampled symbol's limiting wavenumber (each narrows the
bracket 32-fold)."""
ZOOM_SAMPLES = 65


def _without_weak_growth(spectrum: Spectrum) -> Spectrum:
    """Weakly growing eigenvalues moved onto the imaginary axis: the stepper must not add
    growth of its own, judged on their imaginary parts (the growth itself is reported)."""
    values = spectrum.values.copy()
    weak = spectrum.growing
    values[weak] = 1j * values.imag[weak]
    return Spectrum(values, spectrum.uncertainty, spectrum.theta)


def _sharpest_bulk_limit(problem: Problem, bulk: Spectrum,
                         tableau: ButcherTableau) -> tuple[float, complex, float]:
    """The interior symbol's limit between its samples: (dt, eigenvalue, theta).

    The symbol is sampled on [0, pi]; where the sampled limit has an interior minimum, the
    continuous minimum lies between the neighbouring samples, and resampling there narrows
    it down (the sample alone can be 3e-4 too optimistic). A minimum at the smallest sampled
    wavenumber is kept as sampled (theta >= pi / 4096).
    """
    dt, index, kind = _limit(_without_weak_growth(bulk), tableau)
    theta = bulk.theta
    if kind != "finite" or index is None or theta is None:
        return math.inf, 0j, math.nan
    k = int(index)
    best = (dt, complex(bulk.values[k]), float(theta[k]))
    if not 2 <= k <= theta.size - 2:
        return best
    lo, hi = float(theta[k - 1]), float(theta[k + 1])
    for _ in range(ZOOM_ROUNDS):
        samples = np.linspace(lo, hi, ZOOM_SAMPLES)
        zoom = bulk_spectrum(problem, samples)
        dt_zoom, i, kind_zoom = _limit(_without_weak_growth(zoom), tableau)
        if kind_zoom != "finite" or i is None:
            break
        if dt_zoom < best[0]:
            best = (dt_zoom, complex(zoom.values[i]), float(samples[i]))
        i = min(max(int(i), 1), ZOOM_SAMPLES - 2)
        lo, hi = float(samples[i - 1]), float(samples[i + 1])
    return best


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
        spectrum, _, _, _ = problem_spectrum(flipped)
        if not spectrum.growing.any():
            side = "left" if problem.velocity > 0 else "right"
            text += (
                f"; the operator {operator_label(problem.operator)} is downwind for velocity "
                f"{problem.velocity:g} (information comes from the {side}); mirror its offsets "
                "or use it for the opposite velocity"
            )
    if theta is not None and theta == 0.0:
        text += "; the growing mode is the constant: the operator does not annihilate constants"
    return text


def _tiny_limit_note(lam: complex | None, number: float) -> str:
    """Why a finite limit is far below 1: the eigenvalue sits almost on the imaginary axis."""
    if lam is None or not (0.0 < number < 1e-3) or lam.real == 0.0:
        return ""
    return (
        f"; the limit is tiny because the eigenvalue is almost on the imaginary axis (Re/|lambda|"
        f" = {lam.real / abs(lam):.3g}) and only that sliver of dissipation keeps the step "
        "stable: in practice the method is unstable with this operator"
    )


LIMIT_CACHE_SIZE = 256
"""Stability limits remembered (by value: operators, coefficients, grid, boundary values and
stepper), so repeated ``solve`` calls and study levels do not recompute them."""
_limits: OrderedDict[tuple, StabilityLimit] = OrderedDict()
_limits_lock = threading.Lock()


def _operator_key(op: OperatorLike) -> tuple:
    if isinstance(op, ComposedOperator):
        return ("composed", _operator_key(op.outer), _operator_key(op.inner))
    offsets, coefficients, m = stencil_data(op)
    return (operator_label(op), tuple(int(o) for o in offsets),
            np.asarray(coefficients, np.float64).tobytes(), m)


def limit_key(problem: Problem, tableau: ButcherTableau) -> tuple:
    """A linear problem and stepper by value: operators and coefficients, grid, boundary
    values, stepper (the key of the limit cache and of :mod:`solvers.prepared`)."""
    grid = problem.grid
    terms = tuple((float(coef), _operator_key(op)) for coef, op in problem.terms())
    fixed = tuple(sorted(problem.fixed_values().items()))
    return (type(problem).__name__, terms, (grid.n, grid.lower, grid.upper, grid.kind), fixed,
            tableau.name, np.asarray(tableau.a, np.float64).tobytes(),
            np.asarray(tableau.b, np.float64).tobytes())  # (a, b) fix the polynomial


def stability_limit(problem: Problem, stepper: str | ButcherTableau = "rk4") -> StabilityLimit:
    """The largest stable time step for a problem and a stepper, with the reason.

    Computed once per (operators, grid, boundary values, stepper) and then remembered (the
    ``LIMIT_CACHE_SIZE`` most recent); the result is immutable.
    """
    tableau = get_tableau(stepper)
    linear = problem.linearizations()
    if linear != (problem,):
        return _frozen_coefficient_limit(problem, linear, tableau)
    key = limit_key(problem, tableau)
    with _limits_lock:
        cached = _limits.get(key)
        if cached is not None:
            _limits.move_to_end(key)
            return cached
    limit = _compute_limit(problem, tableau)
    with _limits_lock:
        _limits[key] = limit
        while len(_limits) > LIMIT_CACHE_SIZE:
            _limits.popitem(last=False)
    return limit


def _frozen_coefficient_limit(problem: Problem, linear: tuple[Problem, ...],
                              tableau: ButcherTableau) -> StabilityLimit:
    """The smallest limit over a nonlinear problem's linearizations, in its own units."""
    if not linear:
        return StabilityLimit(math.inf, math.inf, problem.number_name, tableau.name,
                              "unconditional", "the linearised problem has no terms (u = 0 "
                              "without viscosity stays 0)")
    limits = [stability_limit(p, tableau) for p in linear]
    worst = min(limits, key=lambda lim: lim.dt)
    number = math.inf if math.isinf(worst.dt) else problem.number_for_dt(worst.dt)
    velocity = getattr(linear[limits.index(worst)], "velocity", None)
    about = "" if velocity is None else f" about u = {velocity:.6g}"
    return replace(
        worst, number=number, number_name=problem.number_name,
        reason=f"linearised{about} (frozen coefficients): {worst.reason}",
    )


def _compute_limit(problem: Problem, tableau: ButcherTableau) -> StabilityLimit:
    spectrum, bulk, method, exact = problem_spectrum(problem)
    growth = classify_growth(problem, spectrum, bulk, exact)
    theta_of = spectrum.theta
    if growth.refused:
        growing = spectrum.growing
        index = int(np.argmax(np.where(growing, spectrum.values.real, -np.inf)))
        limiting = complex(spectrum.values[index])
        th = None if theta_of is None else float(theta_of[index])
        reason = (growth.refused if growth.refused != "amplifying"
                  else _explain(problem, tableau, "amplifying", 0.0, limiting, th))
        return StabilityLimit(0.0, 0.0, problem.number_name, tableau.name, "amplifying", reason,
                              limiting, th, method)
    dt, index, kind = _limit(_without_weak_growth(spectrum), tableau)
    limiting = None if index is None else complex(spectrum.values[index])
    th = None if (index is None or theta_of is None) else float(theta_of[index])
    if not problem.grid.is_periodic and kind == "finite":
        dt_bulk, lam_bulk, th_bulk = _sharpest_bulk_limit(problem, bulk, tableau)
        if dt_bulk < dt:
            dt, limiting, th = dt_bulk, lam_bulk, th_bulk
    number = math.inf if math.isinf(dt) else problem.number_for_dt(dt)
    reason = _explain(problem, tableau, kind, dt, limiting, th) + _tiny_limit_note(limiting, number)
    if growth.rate > 0.0:
        cause = ("the boundary closures give the semi-discrete system" if growth.source == "closure"
                 else "the operator is slightly anti-dissipative: the semi-discrete system has")
        size = ("at most " if growth.bound else "")
        reason += (
            f"; note: {cause} a weakly growing mode (max Re lambda = {size}{growth.rate:.4g}, "
            f"e-folding time {1.0 / growth.rate:.4g}), so solutions may grow like "
            "exp(rate t) whatever the time step"
        )
        if growth.bound:
            reason += (" (the rate is measured on a section of the grid with the same spacing,"
                       " which bounds the full grid's rate from above)")
    return StabilityLimit(
        dt, number, problem.number_name, tableau.name, kind, reason, limiting, th, method,
        growth.rate, growth.source, growth.bound,
    )


def stable_numbers(
    operator: OperatorLike | tuple[OperatorLike, OperatorLike],
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
    spectrum = bulk_spectrum(problem, thetas(None))
    dt, index, kind = _limit(spectrum, tableau)
    limiting = None if index is None else complex(spectrum.values[index])
    th = None if index is None else float(spectrum.theta[index])
    if kind == "finite":
        dt, limiting, th = _sharpest_bulk_limit(problem, spectrum, tableau)
    return StabilityLimit(
        dt, dt, problem.number_name, tableau.name, kind,
        _explain(problem, tableau, kind, dt, limiting, th) + _tiny_limit_note(limiting, dt),
        limiting, th, "symbol",
    )
