"""Convergence-order studies: measure the order of any operator and stepper under refinement.

A study solves one problem on a sequence of refinements, measures the error of each run in the
grid-weighted L2 and max norms, and reports the observed order between each pair of levels,
a least-squares fitted order and the mean order over the *asymptotic range*, the order the
operator and stepper promise, and a verdict. Three kinds:

- ``space``: grids refined (doubling by default), compared with the exact solution. The time
  step is taken small enough that the temporal error is negligible: ``dt ∝ h**s`` with
  ``s = max(m, p / r)`` (``m``: the power of h in the stability limit, 1 for advection and 2
  for heat; ``p``: the operator's accuracy order; ``r``: the stepper's order), starting from a
  quarter of the stability limit on the coarsest grid. Each run is then *checked*: its
  distance to the exact solution of the semi-discrete system ``u' = L u`` (the temporal error
  alone) must be below ``time_error_ratio`` times the spatial error; if not, dt is halved and
  the run repeated (a few times at most; a remaining violation is noted).
- ``time``: a fixed grid, dt halved at each level, compared with the exact solution of the
  semi-discrete system (computed exactly: Fourier symbols on periodic grids, ``expm_multiply``
  on bounded ones), so only the stepper's error is measured.
- ``coupled``: grids refined at a fixed Courant number (advection: ``dt ∝ h``) or diffusion
  number (heat: ``dt ∝ h**2``), compared with the exact solution; order ``min(p, m r)``.

Choosing the asymptotic range (automatic; the grids used are reported as ``fit_range``):

1. Levels whose run blew up (or had no finite error) are excluded; any blow-up makes the study
   a non-convergence result with the solver's message as the reason.
2. Trailing levels at the round-off floor are dropped: a relative error below ``floor``
   (default 1e-11, a hundred times the ~1e-13 that float64 arithmetic over thousands of steps
   attains), or below ``1e-8`` with an order that collapses to under half the previous pair's.
3. Leading (pre-asymptotic) pairs are dropped: walking back from the finest pair, a pair is kept
   while its order lies within ``max(0.1, 0.03 * |q|)`` of the finest pair's order ``q`` in both
   norms; the first one that deviates ends the range.

The fitted order is the least-squares slope of ``log(error)`` against ``log(step)`` over that
range; the mean order is the mean of the pairwise orders in it. The expected order is the
operator's verified accuracy order (space), the stepper's order (time) or ``min(p, m r)``
(coupled). A study *converges* when every run finished, the operator is consistent (for the
studies against the exact solution) and the fitted order is at least ``MIN_ORDER`` in both
norms; it *meets the expected order* when, in addition, both fitted orders are at least
``expected - tolerance``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from solvers.analytic import exact_solution
from solvers.compare import error_norms
from solvers.discretization import discretize
from solvers.errors import (
    BlowUpError,
    InitialConditionError,
    NoStableTimeStepError,
    ScheduleError,
)
from solvers.grid import Grid
from solvers.initial_conditions import Bump, initial_condition, initial_values
from solvers.integrate import operator_warnings, solve
from solvers.operators import ComposedOperator, accuracy_order_of, operator_label
from solvers.problems import Advection, Problem
from solvers.stability import stability_limit
from solvers.tableaux import get_tableau

__all__ = [
    "DEFAULT_GRIDS",
    "KINDS",
    "MIN_ORDER",
    "ConvergenceStudy",
    "asymptotic_range",
    "convergence_study",
    "default_initial_condition",
    "expected_order",
    "fitted_order",
    "pairwise_orders",
    "semidiscrete_solution",
]

StudyKind = Literal["space", "time", "coupled"]
KINDS: tuple[str, ...] = ("space", "time", "coupled")
DEFAULT_GRIDS: tuple[int, ...] = (50, 100, 200, 400, 800)
NORMS: tuple[str, ...] = ("l2", "linf")

MIN_ORDER = 0.5
"""A fitted order below this (in either norm) counts as not converging."""
FLOOR = 1e-11
"""Relative errors below this are at the round-off floor and left out of the fit."""
NEAR_FLOOR = 1e-8
"""Below this relative error, an order collapse (under half the previous pair's) is round-off."""
SPACE_FRACTION = 0.25
"""Spatial studies start from this fraction of the stability limit on the coarsest grid."""
COUPLED_FRACTION = 0.5
"""Default Courant / diffusion number of a coupled study, as a fraction of the limit."""
TIME_FRACTION = 0.5
"""Temporal studies start from this fraction of the stability limit."""
MAX_HALVINGS = 4
"""Most times a spatial study halves dt on one grid to make the temporal error negligible."""


# --------------------------------------------------------------------------- order arithmetic
def pairwise_orders(steps: Sequence[float], errors: Sequence[float]) -> list[float]:
    """Observed order between consecutive levels: log(e_k / e_k+1) / log(s_k / s_k+1).

    NaN where either error is not finite and positive (or the steps are equal).
    """
    orders = []
    for k in range(len(steps) - 1):
        e0, e1, s0, s1 = errors[k], errors[k + 1], steps[k], steps[k + 1]
        ok = all(math.isfinite(v) and v > 0.0 for v in (e0, e1, s0, s1)) and s0 != s1
        orders.append(math.log(e0 / e1) / math.log(s0 / s1) if ok else math.nan)
    return orders


def fitted_order(steps: Sequence[float], errors: Sequence[float]) -> float:
    """Least-squares slope of log(error) against log(step) (NaN with fewer than 2 levels)."""
    s = np.asarray(steps, dtype=np.float64)
    e = np.asarray(errors, dtype=np.float64)
    if s.size < 2 or not (np.all(np.isfinite(e)) and np.all(e > 0.0)):
        return math.nan
    x, y = np.log(s), np.log(e)
    x = x - x.mean()
    return float(np.dot(x, y - y.mean()) / np.dot(x, x))


def _deviation_tolerance(reference: float) -> float:
    return max(0.1, 0.03 * abs(reference))


def asymptotic_range(steps: Sequence[float], errors: dict[str, Sequence[float]],
                     scale: dict[str, float], floor: float = FLOOR,
                     labels: Sequence[str] | None = None) -> tuple[int, int, list[str]]:
    """The levels ``first..last`` (inclusive) of the asymptotic range, and why levels were cut.

    Args:
        steps: The refined quantity (h or dt) per level, coarsest first.
        errors: Errors per norm name, one per level (inf/NaN for a failed level).
        scale: The size of the exact solution per norm (to make errors relative).
        floor: Relative errors below this are round-off.
        labels: How the notes name each level (default ``level i``).

    Returns:
        ``(first, last, notes)``; ``first == last`` when fewer than two usable levels remain
        (then no order can be fitted).
    """
    notes: list[str] = []
    n = len(steps)
    name = list(labels) if labels is not None else [f"level {i}" for i in range(n)]
    usable = [all(math.isfinite(errors[k][i]) and errors[k][i] > 0.0 for k in errors)
              for i in range(n)]
    last = max((i for i in range(n) if usable[i]), default=-1)
    if last < 0:
        return 0, 0, ["no level produced a finite error"]
    first_usable = last
    while first_usable > 0 and usable[first_usable - 1]:
        first_usable -= 1

    def rel(i: int) -> float:
        return max(errors[k][i] / scale[k] if scale[k] > 0 else errors[k][i] for k in errors)

    def order(i: int, k: str) -> float:
        return pairwise_orders(steps[i:i + 2], errors[k][i:i + 2])[0]

    while last > first_usable:
        if rel(last) < floor:
            notes.append(f"{name[last]} left out: relative error {rel(last):.2g} is at the "
                         f"round-off floor (< {floor:g})")
            last -= 1
            continue
        if last - 2 >= first_usable and rel(last) < NEAR_FLOOR and any(
            order(last - 1, k) < 0.5 * order(last - 2, k) for k in errors
        ):
            notes.append(f"{name[last]} left out: the order collapses near the round-off floor "
                         f"(relative error {rel(last):.2g})")
            last -= 1
            continue
        break
    if last == first_usable:
        return last, last, notes
    reference = {k: order(last - 1, k) for k in errors}
    first = last - 1
    while first > first_usable and all(
        abs(order(first - 1, k) - reference[k]) <= _deviation_tolerance(reference[k])
        for k in errors
    ):
        first -= 1
    if first > first_usable:
        left = ", ".join(name[first_usable:first])
        notes.append(f"{left} left out as pre-asymptotic: the orders from there deviate from "
                     "the finest pair's")
    if last - first == 1:
        notes.append("only one pair of levels is in the asymptotic range; refine further for a "
                     "reliable fit")
    return first, last, notes


# --------------------------------------------------------------------------- problem helpers
def _with_grid(problem: Problem, n: int) -> Problem:
    g = problem.grid
    return dataclasses.replace(problem, grid=Grid(n, g.lower, g.upper, g.kind))


def _operators(problem: Problem) -> list[Any]:
    return [op for _, op in problem.terms()]


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

    Periodic grids: the smooth periodic :class:`~solvers.initial_conditions.Bump` centred on the
    domain (its period the domain's length). Bounded advection: the same bump (about 1e-11 at
    the ends, so the inflow value 0 is compatible). Bounded heat: the steady line through the
    Dirichlet values plus ``sin(pi xi) + 0.5 sin(4 pi xi) + 0.25 sin(7 pi xi)`` with
    ``xi = (x - lower) / L``: compatible with the boundary values to every order (every even
    derivative of the sines vanishes at the ends), and rich enough that a fourth-order error
    stays above the round-off floor up to N = 800.
    """
    g = problem.grid
    bump = Bump(center=0.5 * (g.lower + g.upper), period=g.length)
    if g.is_periodic or isinstance(problem, Advection):
        return bump
    left, right = problem.fixed_values()[0], problem.fixed_values()[g.n - 1]

    def smooth(x: np.ndarray) -> np.ndarray:
        xi = (np.asarray(x, dtype=np.float64) - g.lower) / g.length
        return (left + (right - left) * xi + np.sin(np.pi * xi)
                + 0.5 * np.sin(4.0 * np.pi * xi) + 0.25 * np.sin(7.0 * np.pi * xi))

    return smooth


def semidiscrete_solution(problem: Problem, u0: Any, t: float) -> np.ndarray:
    """The exact solution at time ``t`` of the semi-discrete system ``u' = L u``.

    Periodic grids: each discrete Fourier mode is multiplied by ``exp(t lambda(theta))`` with
    ``lambda`` the symbol of the problem's merged stencil. Bounded grids:
    ``scipy.sparse.linalg.expm_multiply`` on the assembled matrix (fixed nodes have zero rows,
    so they keep their values). Growing modes may overflow to inf (no exception).
    """
    disc = discretize(problem)
    values = initial_values(u0, problem.grid)
    for node, value in problem.fixed_values().items():
        values[node] = value
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if disc.periodic:
            theta = 2.0 * np.pi * np.fft.fftfreq(disc.n)
            lam = np.exp(1j * np.multiply.outer(theta, np.asarray(disc.offsets, float))) @ (
                disc.weights.astype(np.complex128)
            )
            return np.real(np.fft.ifft(np.fft.fft(values) * np.exp(t * lam)))
        from scipy.sparse.linalg import expm_multiply

        return np.asarray(expm_multiply(t * disc.matrix, values), dtype=np.float64)


# --------------------------------------------------------------------------- the result
def _fmt(value: float, spec: str = ".3e") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


@dataclass(frozen=True)
class ConvergenceStudy:
    """The result of a convergence study (see the module docstring for the method).

    Attributes:
        kind: ``space``, ``time`` or ``coupled``.
        description: The problem, operator(s) and stepper in one line.
        stepper: The stepper's name.
        grids: Nodes per level.
        h: Grid spacing per level.
        dt: Time step per level (as taken; NaN where no run happened).
        errors: Per norm (``l2``, ``linf``): the absolute error per level (inf: blew up).
        orders: Per norm: observed order between consecutive levels (NaN where undefined).
        fitted_orders: Per norm: least-squares order over the fit range.
        mean_orders: Per norm: mean of the pairwise orders in the fit range.
        fit_range: ``(first, last)`` level indices (inclusive) used by the fit; ``first ==
            last`` when no order could be fitted.
        expected_order: The order promised by the operator / stepper.
        converges: Every run finished, the operator is consistent (studies against the exact
            solution) and the fitted order is at least :data:`MIN_ORDER` in both norms.
        meets_expected: Converges, with both fitted orders >= expected - tolerance.
        tolerance: The tolerance used for ``meets_expected``.
        reason: One paragraph: why it does or does not converge / meet the order.
        target: ``exact`` (analytic solution) or ``semi-discrete`` (exact ODE solution).
        time_errors: Spatial studies: the temporal part of each error (L2 distance to the
            semi-discrete solution); empty otherwise.
        notes: What the study decided along the way (levels cut, dt halved, warnings).
        scale: Per norm: the size of the target solution on the finest level.
    """

    kind: str
    description: str
    stepper: str
    grids: tuple[int, ...]
    h: tuple[float, ...]
    dt: tuple[float, ...]
    errors: dict[str, tuple[float, ...]]
    orders: dict[str, tuple[float, ...]]
    fitted_orders: dict[str, float]
    mean_orders: dict[str, float]
    fit_range: tuple[int, int]
    expected_order: int
    converges: bool
    meets_expected: bool
    tolerance: float
    reason: str
    target: str = "exact"
    time_errors: tuple[float, ...] = ()
    notes: tuple[str, ...] = ()
    scale: dict[str, float] = field(default_factory=dict)

    @property
    def steps(self) -> tuple[float, ...]:
        """The refined quantity per level: dt for a temporal study, else h."""
        return self.dt if self.kind == "time" else self.h

    @property
    def fitted_order(self) -> float:
        """The smaller of the two fitted orders (the one the verdict rests on)."""
        values = [v for v in self.fitted_orders.values() if not math.isnan(v)]
        return min(values) if len(values) == len(self.fitted_orders) else math.nan

    @property
    def fit_grids(self) -> tuple[int, ...]:
        """Nodes of the levels the fit used (empty when no order could be fitted)."""
        first, last = self.fit_range
        return self.grids[first:last + 1] if last > first else ()

    def table(self) -> str:
        """A table a person can read: ``n | h | dt | error | order`` per norm, then fit rows."""
        first, last = self.fit_range
        head = (f"{'':2}{'n':>6} | {'h':>10} | {'dt':>10} | {'L2 error':>10} | {'order':>6} | "
                f"{'max error':>10} | {'order':>6}")
        lines = [f"{self.kind} convergence study: {self.description}", head,
                 "-" * len(head)]
        for i, n in enumerate(self.grids):
            mark = "* " if first <= i <= last and last > first else "  "
            cells = [f"{mark}{n:>6}", f"{_fmt(self.h[i], '.4e'):>10}",
                     f"{_fmt(self.dt[i], '.4e'):>10}"]
            for k in NORMS:
                order = self.orders[k][i - 1] if i > 0 else math.nan
                cells += [f"{_fmt(self.errors[k][i]):>10}", f"{_fmt(order, '.2f'):>6}"]
            lines.append(" | ".join(cells))
        lines.append("-" * len(head))
        for label, values in (("fitted", self.fitted_orders), ("mean", self.mean_orders)):
            lines.append(f"{label:>8} | {'':>10} | {'':>10} | {'':>10} | "
                         f"{_fmt(values['l2'], '.2f'):>6} | {'':>10} | "
                         f"{_fmt(values['linf'], '.2f'):>6}")
        if last <= first:
            used = "no levels"
        elif self.kind == "time":
            used = f"dt = {self.dt[first]:.4g} .. {self.dt[last]:.4g} on n = {self.grids[0]}"
        else:
            used = "n = " + ", ".join(str(n) for n in self.fit_grids)
        lines.append(f"fit over {used} (marked *); expected order {self.expected_order}; "
                     f"errors against the {self.target} solution")
        verdict = ("meets the expected order" if self.meets_expected else
                   "converges, below the expected order" if self.converges else
                   "DOES NOT CONVERGE")
        lines.append(f"verdict: {verdict}. {self.reason}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def assert_order(self, expected: float | None = None, tol: float = 0.1,
                     norm: str = "both") -> None:
        """Fail unless the fitted order is within ``tol`` of ``expected``.

        Args:
            expected: The order to check (default: the study's expected order).
            tol: Allowed absolute difference.
            norm: ``l2``, ``linf`` or ``both``.

        Raises:
            AssertionError: With the table in the message.
        """
        target = float(self.expected_order if expected is None else expected)
        norms = NORMS if norm == "both" else (norm,)
        if any(k not in NORMS for k in norms):
            raise ScheduleError(f"norm must be 'l2', 'linf' or 'both', got {norm!r}")
        problems = []
        if not self.converges:
            problems.append("the study does not converge")
        for k in norms:
            got = self.fitted_orders[k]
            if not (abs(got - target) <= tol):
                problems.append(f"fitted {k} order {got:.3f} is not within {tol:g} of {target:g}")
        if problems:
            raise AssertionError("; ".join(problems) + "\n" + self.table())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (inf and NaN become None)."""
        def clean(v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, dict):
                return {k: clean(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [clean(x) for x in v]
            return v

        return clean({
            "kind": self.kind,
            "description": self.description,
            "stepper": self.stepper,
            "grids": list(self.grids),
            "h": list(self.h),
            "dt": list(self.dt),
            "errors": {k: list(v) for k, v in self.errors.items()},
            "orders": {k: list(v) for k, v in self.orders.items()},
            "fitted_order": self.fitted_order,
            "fitted_orders": dict(self.fitted_orders),
            "mean_orders": dict(self.mean_orders),
            "fit_range": list(self.fit_range),
            "fit_grids": list(self.fit_grids),
            "expected_order": self.expected_order,
            "converges": self.converges,
            "meets_expected": self.meets_expected,
            "tolerance": self.tolerance,
            "reason": self.reason,
            "target": self.target,
            "time_errors": list(self.time_errors),
            "notes": list(self.notes),
        })


# --------------------------------------------------------------------------- running
def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ScheduleError(f"unknown study kind {kind!r}; choose one of {', '.join(KINDS)}")


def _check_grids(grids: Sequence[int]) -> tuple[int, ...]:
    values = tuple(grids)
    if len(values) < 2:
        raise ScheduleError(f"a convergence study needs at least 2 grids, got {list(values)}")
    for n in values:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3:
            raise ScheduleError(f"grid sizes must be integers >= 3, got {list(values)}")
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ScheduleError(f"grid sizes must increase, got {list(values)}")
    return tuple(int(n) for n in values)


class _Level:
    """One run's outcome."""

    def __init__(self, n: int, h: float) -> None:
        self.n, self.h = n, h
        self.dt = math.nan
        self.errors = {k: math.nan for k in NORMS}
        self.time_error = math.nan
        self.scale = {k: math.nan for k in NORMS}
        self.failure: str | None = None


def _run(problem: Problem, u0: Any, t_final: float, stepper: str, dt: float,
         allow_unstable: bool, notes: list[str]) -> Any:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = solve(problem, u0, t_final, stepper=stepper, dt=dt,
                         allow_unstable=allow_unstable, check_every=50)
    for w in caught:
        text = " ".join(str(w.message).split())
        if "inconsistent" in text:
            continue  # reported once, from the operator itself
        beyond = "running beyond the stability limit on request"
        if text.startswith(beyond):
            if any(note.startswith(beyond) for note in notes):
                continue
            text = f"{beyond} (first level): " + text.split("with this operator: ", 1)[-1]
        if text not in notes:
            notes.append(text)
    return solution


def _measure(level: _Level, values: np.ndarray, target: np.ndarray, h: float) -> None:
    e = error_norms(values, target, h)
    level.errors = {"l2": e.l2, "linf": e.linf}
    s = error_norms(target, np.zeros_like(target), h)
    level.scale = {"l2": s.l2, "linf": s.linf}


def _blow_up(level: _Level, exc: BlowUpError) -> None:
    level.errors = {k: math.inf for k in NORMS}
    level.failure = f"n = {level.n}: " + " ".join(str(exc).split())


def _space_level(problem: Problem, u0: Any, t_final: float, stepper: str, dt: float,
                 ratio: float, allow_unstable: bool, notes: list[str], level: _Level) -> None:
    exact = exact_solution(problem, u0, [t_final])[-1]
    semi = semidiscrete_solution(problem, u0, t_final)
    for attempt in range(MAX_HALVINGS + 1):
        try:
            sol = _run(problem, u0, t_final, stepper, dt, allow_unstable, notes)
        except BlowUpError as exc:
            _blow_up(level, exc)
            level.dt = dt
            return
        level.dt = sol.info.dt
        _measure(level, sol.final, exact, problem.grid.h)
        with np.errstate(over="ignore", invalid="ignore"):
            level.time_error = error_norms(sol.final, semi, problem.grid.h).l2
            space_error = error_norms(semi, exact, problem.grid.h).l2
        if not (level.time_error > ratio * space_error) or not math.isfinite(space_error):
            return
        if attempt == MAX_HALVINGS:
            notes.append(f"n = {level.n}: the temporal error {level.time_error:.2g} is still "
                         f"above {ratio:g} x the spatial error {space_error:.2g} at dt = "
                         f"{level.dt:.3g}")
            return
        dt = 0.5 * level.dt


def _start_dt(problem: Problem, stepper: str, number: float | None, fraction: float,
              allow_unstable: bool) -> float:
    """dt on ``problem``'s grid from a number, or a fraction of the stability limit."""
    if number is not None:
        if not (isinstance(number, (int, float)) and math.isfinite(number) and number > 0):
            raise ScheduleError(f"the Courant / diffusion number must be > 0, got {number!r}")
        return problem.dt_for_number(float(number))
    limit = stability_limit(problem, stepper)
    if not limit.stable:
        if allow_unstable:
            raise ScheduleError(
                f"no stable time step exists ({limit.reason}); give the Courant / diffusion "
                "number to run it anyway"
            )
        raise NoStableTimeStepError(
            f"no stable time step for {problem.equation} with {limit.stepper}: {limit.reason}",
            limit=limit,
        )
    return fraction * limit.dt if math.isfinite(limit.dt) else fraction * problem.dt_for_number(1)


MAX_LEVELS = 20


def _check_study_numbers(t_final: object, levels: object, number: object, expected: object,
                         tolerance: object) -> None:
    """Refuse meaningless study parameters before any run starts."""
    def finite(value: object) -> bool:
        return (not isinstance(value, bool) and isinstance(value, (int, float, np.integer,
                np.floating)) and math.isfinite(float(value)))

    if not finite(t_final) or float(t_final) <= 0:  # type: ignore[arg-type]
        raise ScheduleError(f"t_final must be a finite number > 0, got {t_final!r}")
    if isinstance(levels, int) and not isinstance(levels, bool) and levels > MAX_LEVELS:
        raise ScheduleError(f"levels may be at most {MAX_LEVELS} (dt halves each level), got "
                            f"{levels}")
    if number is not None and (not finite(number) or float(number) <= 0):  # type: ignore[arg-type]
        raise ScheduleError(f"the Courant / diffusion number must be finite and > 0, got "
                            f"{number!r}")
    if expected is not None and (not finite(expected) or float(expected) < 0):  # type: ignore[arg-type]
        raise ScheduleError(f"the expected order must be a finite number >= 0, got {expected!r}")
    if not finite(tolerance) or float(tolerance) < 0:  # type: ignore[arg-type]
        raise ScheduleError(f"tolerance must be a finite number >= 0, got {tolerance!r}")


def _still_rising(orders: dict[str, tuple[float, ...]], first: int, last: int,
                  expected: float) -> str:
    """A hint when the pairwise orders are still climbing towards the expected order."""
    pairs = orders["l2"][max(first - 1, 0):last]
    rising = all(b > a for a, b in itertools.pairwise(pairs))
    if len(pairs) >= 2 and rising and pairs[-1] < expected:
        shown = ", ".join(f"{v:.2f}" for v in pairs)
        return (f"; the pairwise orders are still rising ({shown}): the grids are not yet in "
                "the asymptotic range -- refine further or use a smoother initial condition "
                "(e.g. --ic mode:1)")
    return ""


def convergence_study(
    problem: Problem,
    t_final: float,
    u0: Any = None,
    *,
    kind: str = "space",
    grids: Sequence[int] | None = None,
    levels: int = 5,
    stepper: str = "rk4",
    number: float | None = None,
    expected: int | None = None,
    tolerance: float = 0.1,
    floor: float = FLOOR,
    time_error_ratio: float = 0.1,
    allow_unstable: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ConvergenceStudy:
    """Run a convergence study of ``problem`` (its operators and the stepper).

    Args:
        problem: A problem whose grid gives the domain and kind (space and coupled studies
            rebuild it on each of ``grids``; a temporal study uses its grid as is).
        t_final: Final time of every run.
        u0: Initial condition as a function of x, or a name for
            :func:`~solvers.initial_conditions.initial_condition` such as ``"mode:1"`` or
            ``"bump"`` (default: :func:`default_initial_condition`).
        kind: ``space``, ``time`` or ``coupled``.
        grids: Nodes per level (space, coupled; default 50, 100, 200, 400, 800).
        levels: Number of dt levels of a temporal study.
        stepper: Stepper name or tableau.
        number: Courant / diffusion number: of every level (coupled), of the coarsest level
            (space) or of the first level (time). Default: a fraction of the stability limit.
        expected: Override the expected order.
        tolerance: How far below the expected order the fitted one may be.
        floor: Relative error counted as round-off (see :func:`asymptotic_range`).
        time_error_ratio: Spatial studies: the temporal error must be below this times the
            spatial error (dt is halved until it is).
        allow_unstable: Run with the given ``number`` even beyond the stability limit (to
            observe a divergence); without it a problem with no stable dt is reported as not
            converging without running.
        progress: Called with one line after each level (e.g. to print on stderr).

    Returns:
        A :class:`ConvergenceStudy`; blow-ups and missing stable time steps are results
        (``converges`` False, with the reason), not exceptions.

    Raises:
        ScheduleError: Bad kind, grids, levels or number.
        UnstableTimeStepError: A given ``number`` beyond the stability limit without
            ``allow_unstable``.
    """
    _check_kind(kind)
    tableau = get_tableau(stepper)
    _check_study_numbers(t_final, levels, number, expected, tolerance)
    if kind == "time":
        if grids is not None:
            raise ScheduleError("a temporal study keeps the problem's grid; do not pass grids")
        if isinstance(levels, bool) or not isinstance(levels, int) or levels < 2:
            raise ScheduleError(f"levels must be an integer >= 2, got {levels!r}")
        sizes = (problem.grid.n,) * levels
    else:
        sizes = _check_grids(DEFAULT_GRIDS if grids is None else grids)
    if u0 is None:
        u0 = default_initial_condition(problem)
    elif isinstance(u0, str):
        u0 = initial_condition(u0, grid=problem.grid)
    if not callable(u0):
        raise InitialConditionError("a convergence study needs the initial condition as a "
                                    "function of x (it is sampled on every grid)")
    problems = [problem] * len(sizes) if kind == "time" else [_with_grid(problem, n)
                                                               for n in sizes]
    p_expected = expected_order(problems[0], tableau, kind) if expected is None else expected
    notes: list[str] = []
    consistency = [] if kind == "time" else operator_warnings(problems[0])
    runs = [_Level(q.grid.n, q.grid.h) for q in problems]
    description = f"{problem.describe().split(' of ')[0]} with " + ", ".join(
        operator_label(op) for op in _operators(problem)) + f"; {tableau.name}, t = {t_final:g}"

    def report(level: _Level) -> None:
        if progress is not None:
            outcome = level.failure or (f"L2 error {level.errors['l2']:.3e}, max error "
                                        f"{level.errors['linf']:.3e}")
            progress(f"{kind} study level n = {level.n}, dt = {level.dt:.4g}: {outcome}")

    try:
        if kind == "time":
            _time_levels(problems[0], u0, t_final, tableau.name, number, allow_unstable,
                         notes, runs, report)
        else:
            _grid_levels(problems, u0, t_final, tableau.name, kind, number, p_expected,
                         time_error_ratio, allow_unstable, notes, runs, report)
    except NoStableTimeStepError as exc:
        return _no_stable_step(kind, description, tableau.name, runs, p_expected, tolerance,
                               " ".join(str(exc).split()), consistency)
    return _assemble(kind, description, tableau.name, runs, p_expected, tolerance, floor,
                     notes, consistency)


def _grid_levels(problems: list[Problem], u0: Any, t_final: float, stepper: str, kind: str,
                 number: float | None, p: int, ratio: float, allow_unstable: bool,
                 notes: list[str], runs: list[_Level],
                 report: Callable[[_Level], None]) -> None:
    m = _dt_power(problems[0])
    r = get_tableau(stepper).order
    if kind == "coupled":
        if number is None:
            limit = stability_limit(problems[0], stepper)
            if not limit.stable:
                _start_dt(problems[0], stepper, None, COUPLED_FRACTION, allow_unstable)
            number = COUPLED_FRACTION * limit.number if math.isfinite(limit.number) else 0.5
        for q, level in zip(problems, runs, strict=True):
            try:
                sol = _run(q, u0, t_final, stepper, q.dt_for_number(number), allow_unstable,
                           notes)
            except BlowUpError as exc:
                _blow_up(level, exc)
                level.dt = q.dt_for_number(number)
            else:
                level.dt = sol.info.dt
                _measure(level, sol.final, exact_solution(q, u0, [t_final])[-1], q.grid.h)
            report(level)
        return
    dt0 = _start_dt(problems[0], stepper, number, SPACE_FRACTION, allow_unstable)
    s = max(float(m), p / r)
    h0 = problems[0].grid.h
    for q, level in zip(problems, runs, strict=True):
        dt = dt0 * (q.grid.h / h0) ** s
        _space_level(q, u0, t_final, stepper, dt, ratio, allow_unstable, notes, level)
        report(level)


def _time_levels(problem: Problem, u0: Any, t_final: float, stepper: str,
                 number: float | None, allow_unstable: bool, notes: list[str],
                 runs: list[_Level], report: Callable[[_Level], None]) -> None:
    dt0 = _start_dt(problem, stepper, number, TIME_FRACTION, allow_unstable)
    count = max(1, math.ceil(t_final / dt0 * (1.0 - 1e-12)))
    target = semidiscrete_solution(problem, u0, t_final)
    for k, level in enumerate(runs):
        dt = t_final / (count * 2**k)
        try:
            sol = _run(problem, u0, t_final, stepper, dt, allow_unstable, notes)
        except BlowUpError as exc:
            _blow_up(level, exc)
            level.dt = dt
        else:
            level.dt = sol.info.dt
            _measure(level, sol.final, target, problem.grid.h)
        report(level)


def _no_stable_step(kind: str, description: str, stepper: str, runs: list[_Level], p: int,
                    tolerance: float, reason: str, consistency: list[str]) -> ConvergenceStudy:
    nan_list = tuple(math.nan for _ in runs)
    why = "; ".join([*consistency, reason])
    return ConvergenceStudy(
        kind, description, stepper, tuple(r.n for r in runs), tuple(r.h for r in runs),
        nan_list, {k: nan_list for k in NORMS},
        {k: nan_list[1:] for k in NORMS}, {k: math.nan for k in NORMS},
        {k: math.nan for k in NORMS}, (0, 0), p, False, False, tolerance,
        f"does not converge: {why}", "semi-discrete" if kind == "time" else "exact",
    )


def _assemble(kind: str, description: str, stepper: str, runs: list[_Level], p: int,
              tolerance: float, floor: float, notes: list[str],
              consistency: list[str]) -> ConvergenceStudy:
    steps = [r.dt if kind == "time" else r.h for r in runs]
    errors = {k: tuple(r.errors[k] for r in runs) for k in NORMS}
    scale = {k: next((r.scale[k] for r in reversed(runs) if math.isfinite(r.scale[k])),
                     math.nan) for k in NORMS}
    orders = {k: tuple(pairwise_orders(steps, errors[k])) for k in NORMS}
    labels = [f"dt = {r.dt:.4g}" if kind == "time" else f"n = {r.n}" for r in runs]
    first, last, cut = asymptotic_range(steps, errors, scale, floor, labels)
    notes = [*cut, *notes]
    if last > first:
        fitted = {k: fitted_order(steps[first:last + 1], errors[k][first:last + 1])
                  for k in NORMS}
        mean = {k: float(np.mean(orders[k][first:last])) for k in NORMS}
    else:
        fitted = {k: math.nan for k in NORMS}
        mean = {k: math.nan for k in NORMS}
    failures = [r.failure for r in runs if r.failure]
    low = min(fitted.values()) if last > first else math.nan
    if failures:
        converges = False
        reason = (f"does not converge: the run blew up on {len(failures)} of {len(runs)} levels "
                  f"({failures[0]})")
        if consistency:
            reason += "; cause: " + "; ".join(consistency)
    elif consistency:
        converges = False
        reason = (f"does not converge (fitted order {_fmt(low, '.2f')}): "
                  + "; ".join(consistency))
    elif not (low >= MIN_ORDER):
        converges = False
        reason = (f"does not converge: the fitted order {_fmt(low, '.2f')} is below "
                  f"{MIN_ORDER:g}, the errors do not shrink under refinement")
    else:
        converges = True
        reason = ""
    meets = converges and all(v >= p - tolerance for v in fitted.values())
    if converges:
        got = ", ".join(f"{k} {fitted[k]:.2f}" for k in NORMS)
        reason = (f"fitted orders {got}; expected {p} (tolerance {tolerance:g}): "
                  + ("met" if meets else "NOT met"))
        if not meets:
            reason += _still_rising(orders, first, last, p)
    return ConvergenceStudy(
        kind, description, stepper, tuple(r.n for r in runs), tuple(r.h for r in runs),
        tuple(r.dt for r in runs), errors, orders, fitted, mean, (first, last), p, converges,
        meets, tolerance, reason, "semi-discrete" if kind == "time" else "exact",
        tuple(r.time_error for r in runs) if kind == "space" else (), tuple(notes), scale,
    )
