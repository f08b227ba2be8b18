"""Convergence-order studies: measure the order of any operator and stepper under refinement.

A study solves one problem on a sequence of refinements, measures the error of each run in the
grid-weighted L2 and max norms, and reports the observed order between each pair of levels,
a least-squares fitted order and the mean order over the *asymptotic range*, the order the
operator and stepper promise, and a verdict. Three kinds:

- ``space``: grids refined (doubling by default), compared with the exact solution. The time
  step is taken small enough that the temporal error is negligible: ``dt ∝ h**s`` with
  ``s = max(m, p / r)`` (``m``: the power of h in the stability limit, 1 for advection and 2
  for heat; ``p``: the operator's accuracy order; ``r``: the stepper's order), starting from a
  quarter of the stability limit on the coarsest grid, so the ratio of temporal to spatial
  error does not grow under refinement. Each run is then *checked*: its distance to the exact
  solution of the semi-discrete system ``u' = L u`` (the temporal error alone) must be at most
  ``time_error_ratio`` (default 1%) of the spatial error (the semi-discrete solution's distance
  to the exact one), in both norms. If it is not, dt is reduced by the factor the stepper's
  order predicts (``(ratio / measured)**(1/r)``, with a safety margin) and the run repeated (a
  few times at most); the reduction carries over to the finer levels. Then every measured error
  is within 1% of the spatial error, so no pairwise order is biased by more than
  ``log2(1.01 / 0.99) ≈ 0.029``. A level where this cannot be reached is named in the notes
  with the bias it allows.
- ``time``: a fixed grid, dt halved at each level, compared with the exact solution of the
  semi-discrete system (computed exactly: Fourier symbols on periodic grids, ``expm_multiply``
  on bounded ones), so only the stepper's error is measured.
- ``coupled``: grids refined at a fixed Courant number (advection: ``dt ∝ h``) or diffusion
  number (heat: ``dt ∝ h**2``), compared with the exact solution; order ``min(p, m r)``.

Choosing the asymptotic range (automatic; the levels used are reported as ``fit_range``):

1. Levels whose run blew up (or had no finite error) are excluded; any blow-up makes the study
   a non-convergence result with the solver's message as the reason.
2. Trailing levels at the round-off floor are dropped: a relative error below ``floor``
   (default 1e-11, a hundred times the ~1e-13 that float64 arithmetic over thousands of steps
   attains), or below ``1e-8`` with an order that collapses to under half the previous pair's.
3. Of the remaining pairwise orders, the fit uses the *longest run of consecutive pairs that
   agree with each other*: in both norms, the spread (largest minus smallest order) of the run
   is at most ``max(agreement, 0.03 * |mean order of the run|)`` (``agreement`` defaults to
   :data:`AGREEMENT` = 0.1; the relative part matters for orders above 3.3). On ties the
   finest run wins. One odd pair (at either end) therefore cannot discard the consistent
   pairs next to it; coarser pairs outside the run are pre-asymptotic, and finer pairs that
   depart from it are named in the notes.

The fitted order is the least-squares slope of ``log(error)`` against ``log(step)`` over that
run; the mean order is the mean of the pairwise orders in it. The expected order is the
operator's verified accuracy order (space), the stepper's order (time) or ``min(p, m r)``
(coupled). The verdict (:attr:`ConvergenceStudy.verdict`), first match wins:

- ``does not converge``: a run blew up, no stable time step exists, the operator is
  inconsistent (studies against the exact solution), or the fitted order is below
  :data:`MIN_ORDER` in a norm.
- ``inconclusive: refine``: the run has fewer than :data:`MIN_VERDICT_GRIDS` = 3 grids (a
  single pair of levels; e.g. a study of two grids). No order is claimed; the fit shown is the
  finest pair's, for information. Refine further.
- ``not met``: a fitted order is below ``expected - tolerance``.
- ``above expected``: a fitted order is above ``expected + tolerance`` (and none below):
  the grids are pre-asymptotic (a higher-order error term still dominates) or the operator is
  more accurate than claimed. Not met.
- ``met``: both fitted orders within ``tolerance`` of the expected order (two-sided).

``converges`` is True for ``met``, ``above expected`` and ``not met``, and for an inconclusive
study whose finest two pairwise orders are both at least :data:`MIN_ORDER` (the errors shrink
over the last three grids); ``meets_expected`` is True only for ``met``.
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
    BeyondStabilityLimitWarning,
    BlowUpError,
    InconsistentOperatorWarning,
    InitialConditionError,
    NoStableTimeStepError,
    ScheduleError,
    WorkTooLargeError,
)
from solvers.grid import Grid
from solvers.initial_conditions import Bump, initial_condition, initial_values
from solvers.integrate import LONG_RUN_UPDATES, operator_warnings, solve
from solvers.operators import ComposedOperator, accuracy_order_of, operator_label
from solvers.problems import Advection, Problem
from solvers.stability import stability_limit
from solvers.tableaux import get_tableau

__all__ = [
    "AGREEMENT",
    "DEFAULT_GRIDS",
    "KINDS",
    "MIN_ORDER",
    "MIN_VERDICT_GRIDS",
    "TIME_ERROR_RATIO",
    "VERDICTS",
    "ConvergenceStudy",
    "asymptotic_range",
    "convergence_study",
    "default_initial_condition",
    "expected_order",
    "fitted_order",
    "longest_agreeing_run",
    "pairwise_orders",
    "semidiscrete_solution",
]

StudyKind = Literal["space", "time", "coupled"]
KINDS: tuple[str, ...] = ("space", "time", "coupled")
DEFAULT_GRIDS: tuple[int, ...] = (50, 100, 200, 400, 800)
NORMS: tuple[str, ...] = ("l2", "linf")

MIN_ORDER = 0.5
"""A fitted order below this (in either norm) counts as not converging."""
AGREEMENT = 0.1
"""Default ``agreement``: pairwise orders agree when their spread (max - min, in each norm) is at
most ``max(agreement, RELATIVE_AGREEMENT * |their mean|)``."""
RELATIVE_AGREEMENT = 0.03
"""The relative part of the agreement tolerance (it exceeds 0.1 for orders above 3.3)."""
MIN_VERDICT_GRIDS = 3
"""A verdict on the order needs at least this many grids (two pairs) in the agreeing run."""
VERDICTS: tuple[str, ...] = ("met", "above expected", "not met", "inconclusive: refine",
                             "does not converge")
"""The values of :attr:`ConvergenceStudy.verdict`."""
TIME_ERROR_RATIO = 0.01
"""Spatial studies: the temporal error of every level is at most this share of its spatial
error (in both norms), so a pairwise order is biased by at most log2(1.01 / 0.99) ~ 0.029."""
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
MAX_DT_REDUCTIONS = 4
"""Most times a spatial study reduces dt on one grid to make the temporal error negligible."""
MAX_DT_FACTOR, MIN_DT_FACTOR = 0.5, 1.0 / 16.0
"""Bounds of one dt reduction (at least halved, at most divided by 16)."""


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


def _agreement_tolerance(orders: Sequence[float], agreement: float) -> float:
    return max(agreement, RELATIVE_AGREEMENT * abs(float(np.mean(orders))))


def _agree(orders: dict[str, Sequence[float]], i: int, j: int, agreement: float) -> bool:
    """Whether pairs ``i..j`` agree in every norm (spread within the agreement tolerance)."""
    for values in orders.values():
        window = [float(v) for v in values[i:j + 1]]
        if not all(math.isfinite(v) for v in window):
            return False
        if max(window) - min(window) > _agreement_tolerance(window, agreement):
            return False
    return True


def longest_agreeing_run(orders: dict[str, Sequence[float]],
                         agreement: float = AGREEMENT) -> tuple[int, int]:
    """The longest run of consecutive pairwise orders that agree with each other.

    Orders agree when, in every norm, their spread (largest minus smallest) is at most
    ``max(agreement, 0.03 * |mean|)``. On ties the finest run (largest indices) wins.

    Args:
        orders: Pairwise orders per norm, coarsest pair first (all of one length).
        agreement: The absolute part of the tolerance.

    Returns:
        ``(i, j)``: pair indices of the run, inclusive (``i == j``: no two consecutive pairs
        agree, the run is the finest pair; ``(0, -1)`` when there are no pairs).
    """
    count = min((len(v) for v in orders.values()), default=0)
    best = (0, -1)
    for j in range(count - 1, -1, -1):  # finest end first: it wins ties
        for i in range(j + 1):  # longest first
            if j - i <= best[1] - best[0]:
                break
            if _agree(orders, i, j, agreement):
                best = (i, j)
                break
    return best


def _orders_text(values: Sequence[float]) -> str:
    return ", ".join(_fmt(float(v), ".2f") for v in values)


def asymptotic_range(steps: Sequence[float], errors: dict[str, Sequence[float]],
                     scale: dict[str, float], floor: float = FLOOR,
                     labels: Sequence[str] | None = None,
                     agreement: float = AGREEMENT) -> tuple[int, int, list[str]]:
    """The levels ``first..last`` (inclusive) of the asymptotic range, and why levels were cut.

    Failed levels and trailing round-off levels are cut first; of the rest, the range is the
    :func:`longest_agreeing_run` of pairwise orders (finest on ties). See the module docstring.

    Args:
        steps: The refined quantity (h or dt) per level, coarsest first.
        errors: Errors per norm name, one per level (inf/NaN for a failed level).
        scale: The size of the exact solution per norm (to make errors relative).
        floor: Relative errors below this are round-off.
        labels: How the notes name each level (default ``level i``).
        agreement: The absolute part of the agreement tolerance (see
            :func:`longest_agreeing_run`).

    Returns:
        ``(first, last, notes)``; ``first == last`` when fewer than two usable levels remain
        (then no order can be fitted); ``last - first == 1`` when no two consecutive pairwise
        orders agree (too few grids for a verdict: the range is the finest pair).
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
    orders = {k: pairwise_orders(steps[first_usable:last + 1],
                                 errors[k][first_usable:last + 1]) for k in errors}
    i, j = longest_agreeing_run(orders, agreement)
    first, end = first_usable + i, first_usable + j + 1
    rule = f"within {agreement:g} (or 3% of the order)"
    if i == j:
        notes.append(f"no two consecutive pairwise orders agree {rule}: too few grids for a "
                     f"verdict (it needs a run of at least {MIN_VERDICT_GRIDS} grids whose "
                     "orders agree); refine further")
        return first, end, notes
    run = f"{name[first]} .. {name[end]}"
    if first > first_usable:
        left = ", ".join(name[first_usable:first])
        notes.append(f"{left} left out as pre-asymptotic: their pairwise orders do not agree "
                     f"{rule} with the run {run}")
    if end < last:
        finer = ", ".join(f"{k} {_orders_text(v[j + 1:])}" for k, v in orders.items())
        notes.append(f"{', '.join(name[end + 1:last + 1])} left out: the finer pairwise orders "
                     f"({finer}) depart from the longest agreeing run {run}; refine further "
                     "to see where they settle")
    return first, end, notes


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


_VERDICT_TEXT = {
    "met": "meets the expected order",
    "above expected": "ABOVE the expected order (not met)",
    "not met": "converges, below the expected order",
    "inconclusive: refine": "inconclusive: refine",
    "does not converge": "DOES NOT CONVERGE",
}


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
            solution) and the fitted order is at least :data:`MIN_ORDER` in both norms; for
            an inconclusive study: the finest two pairwise orders are (see the module
            docstring).
        meets_expected: The verdict is ``met``: both fitted orders within ``tolerance`` of the
            expected order, over a run of at least :data:`MIN_VERDICT_GRIDS` grids.
        tolerance: The tolerance of the verdict (two-sided).
        reason: One paragraph: why it does or does not converge / meet the order.
        target: ``exact`` (analytic solution) or ``semi-discrete`` (exact ODE solution).
        time_errors: Spatial studies: the temporal part of each error (L2 distance to the
            semi-discrete solution); empty otherwise.
        notes: What the study decided along the way (levels cut, dt reduced, warnings).
        scale: Per norm: the size of the target solution on the finest level.
        verdict: One of :data:`VERDICTS`: ``met``, ``above expected``, ``not met``,
            ``inconclusive: refine`` or ``does not converge``.
        agreement: The absolute part of the agreement tolerance of the run (see
            :func:`longest_agreeing_run`).
        time_error_shares: Spatial studies: per level, the temporal error as a share of the
            spatial error (the larger of the two norms; at most ``time_error_ratio`` unless
            a note says otherwise); empty otherwise.
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
    verdict: str = ""
    agreement: float = AGREEMENT
    time_error_shares: tuple[float, ...] = ()

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
        if self.verdict == "inconclusive: refine" and last > first:
            used += " (the finest pair, for information)"
        lines.append(f"fit over {used} (marked *); expected order {self.expected_order}; "
                     f"errors against the {self.target} solution")
        lines.append(f"rule: the fit uses the longest run of consecutive pairwise orders that "
                     f"agree within {self.agreement:g} (or 3% of the order) in both norms, the "
                     f"finest on ties; a verdict needs >= {MIN_VERDICT_GRIDS} grids in it; met: "
                     f"both fitted orders within {self.tolerance:g} of {self.expected_order}")
        fitted_levels = self.time_error_shares[first:last + 1] if last > first else ()
        shares = [v for v in fitted_levels if math.isfinite(v)]
        if shares:
            worst = max(shares)
            bias = (math.log2((1.0 + worst) / (1.0 - worst)) if worst < 1.0 else math.inf)
            lines.append(f"time error: at most {100.0 * worst:.2g}% of the spatial error on "
                         f"the fitted levels (biases a pairwise order by <= "
                         f"{_fmt(bias, '.3f')})")
        lines.append(f"verdict: {_VERDICT_TEXT.get(self.verdict, self.verdict)}. "
                     f"{self.reason}")
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
        if self.verdict == "inconclusive: refine":
            problems.append("the study is inconclusive (too few grids agree): refine")
        elif not self.converges:
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
            "verdict": self.verdict,
            "tolerance": self.tolerance,
            "agreement": self.agreement,
            "reason": self.reason,
            "target": self.target,
            "time_errors": list(self.time_errors),
            "time_error_shares": list(self.time_error_shares),
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
        self.time_share = math.nan
        self.scale = {k: math.nan for k in NORMS}
        self.failure: str | None = None


class _Notes(list[str]):
    """The study's notes, the warning kinds already noted once for the whole study, and
    whether its runs may be long (``allow_long``, passed on to every solve)."""

    def __init__(self, allow_long: bool = False) -> None:
        super().__init__()
        self.once: set[type] = set()
        self.allow_long = allow_long


def _check_study_work(problems: Sequence[Problem], dts: Sequence[float], t_final: float,
                      stepper: str, allow_long: bool) -> None:
    """Refuse, before any level runs, a study whose planned runs exceed ``LONG_RUN_UPDATES``
    point updates in all (each level's dt as planned, before any reduction).

    Raises:
        WorkTooLargeError: Unless ``allow_long``, naming the costliest level and the total.
    """
    stages = len(get_tableau(stepper).b)
    work = [(t_final / dt if dt > 0 else math.inf) * q.grid.n * stages
            for q, dt in zip(problems, dts, strict=True)]
    total = math.fsum(work)
    if total <= LONG_RUN_UPDATES or allow_long:
        return
    k = max(range(len(work)), key=work.__getitem__)
    steps = t_final / dts[k] if dts[k] > 0 else math.inf
    raise WorkTooLargeError(
        f"this study needs about {total:.3g} point updates (at about 1e9 per second, "
        f"{total / 1e9 / 3600:.3g} hours); its costliest level, n = {problems[k].grid.n}, "
        f"takes {steps:.3g} steps of dt = {dts[k]:.3g}; use fewer or coarser grids, fewer "
        "levels, a shorter t_final or a larger number, or pass allow_long=True to run it anyway"
    )


def _run(problem: Problem, u0: Any, t_final: float, stepper: str, dt: float,
         allow_unstable: bool, notes: _Notes) -> Any:
    """Solve, turning the solver's warnings into notes by their kind (never by their text)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = solve(problem, u0, t_final, stepper=stepper, dt=dt,
                         allow_unstable=allow_unstable, check_every=50,
                         allow_long=notes.allow_long)
    for w in caught:
        if issubclass(w.category, InconsistentOperatorWarning):
            continue  # reported once, from the operator itself
        if issubclass(w.category, BeyondStabilityLimitWarning):
            if BeyondStabilityLimitWarning in notes.once:
                continue
            notes.once.add(BeyondStabilityLimitWarning)
            reason = getattr(w.message, "reason", "") or str(w.message)
            text = "running beyond the stability limit on request (first level): " + reason
        else:
            text = str(w.message)
        text = " ".join(text.split())
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
                 ratio: float, floor: float, allow_unstable: bool, notes: _Notes,
                 level: _Level) -> float:
    """Run one level of a spatial study with a temporal error at most ``ratio`` of the spatial.

    The temporal error (distance to the semi-discrete solution) and the spatial error (the
    semi-discrete solution's distance to the exact one) are measured in both norms; while the
    larger share exceeds ``ratio``, dt is reduced by ``(ratio / share / 2)**(1/r)`` (``r``:
    the stepper's order; at least halved, at most divided by 16) and the run repeated.

    Returns:
        The factor by which dt was reduced (1.0: not at all), for the finer levels.
    """
    exact = exact_solution(problem, u0, [t_final])[-1]
    semi = semidiscrete_solution(problem, u0, t_final)
    h = problem.grid.h
    r = get_tableau(stepper).order
    with np.errstate(over="ignore", invalid="ignore"):
        space = error_norms(semi, exact, h)
        size = error_norms(exact, np.zeros_like(exact), h)
    space_error = {"l2": space.l2, "linf": space.linf}
    relative = max(space_error[k] / s if s > 0 else space_error[k]
                   for k, s in (("l2", size.l2), ("linf", size.linf)))
    requested = dt
    for attempt in range(MAX_DT_REDUCTIONS + 1):
        try:
            sol = _run(problem, u0, t_final, stepper, dt, allow_unstable, notes)
        except BlowUpError as exc:
            _blow_up(level, exc)
            level.dt = dt
            return dt / requested
        level.dt = sol.info.dt
        _measure(level, sol.final, exact, h)
        with np.errstate(over="ignore", invalid="ignore"):
            temporal = error_norms(sol.final, semi, h)
            level.time_error = temporal.l2
            shares = [t / e if e > 0 else math.inf
                      for t, e in ((temporal.l2, space_error["l2"]),
                                   (temporal.linf, space_error["linf"]))]
        level.time_share = max(shares)
        if not math.isfinite(relative) or relative < floor:
            return dt / requested  # no spatial error to protect (round-off level, cut later)
        if level.time_share <= ratio:
            return dt / requested
        if attempt == MAX_DT_REDUCTIONS:
            share = level.time_share
            bias = math.log2((1.0 + share) / (1.0 - share)) if share < 1.0 else math.inf
            notes.append(f"n = {level.n}: the temporal error is still {share:.2g} of the "
                         f"spatial error (wanted <= {ratio:g}) at dt = {level.dt:.3g} after "
                         f"{MAX_DT_REDUCTIONS} reductions; the pairwise orders next to this "
                         f"level may be biased by up to {_fmt(bias, '.2f')}")
            return dt / requested
        factor = (0.5 * ratio / level.time_share) ** (1.0 / r)
        dt = level.dt * min(MAX_DT_FACTOR, max(MIN_DT_FACTOR, factor))
    return dt / requested  # pragma: no cover - the loop always returns


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


def _check_fractions(time_error_ratio: object, agreement: object) -> None:
    """Refuse a time-error ratio outside (0, 1) and an agreement that is not > 0."""
    for name, value, top in (("time_error_ratio", time_error_ratio, 1.0),
                             ("agreement", agreement, math.inf)):
        ok = (not isinstance(value, bool) and isinstance(value, (int, float, np.floating))
              and 0.0 < float(value) < top)
        if not ok:
            bound = "in (0, 1)" if top == 1.0 else "a finite number > 0"
            raise ScheduleError(f"{name} must be {bound}, got {value!r}")


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
    time_error_ratio: float = TIME_ERROR_RATIO,
    allow_unstable: bool = False,
    progress: Callable[[str], None] | None = None,
    agreement: float = AGREEMENT,
    allow_long: bool = False,
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
        tolerance: How far from the expected order the fitted one may be, either way, for
            ``met`` (more above it is ``above expected``, more below ``not met``).
        floor: Relative error counted as round-off (see :func:`asymptotic_range`).
        time_error_ratio: Spatial studies: the temporal error of every level must be at most
            this share of its spatial error, in both norms (dt is reduced until it is, or a
            note says it could not be); in (0, 1).
        allow_unstable: Run with the given ``number`` even beyond the stability limit (to
            observe a divergence); without it a problem with no stable dt is reported as not
            converging without running.
        progress: Called with one line after each level (e.g. to print on stderr).
        agreement: Pairwise orders agree when their spread is at most ``max(agreement, 0.03
            |order|)`` in both norms; the fit uses the longest agreeing run (see
            :func:`longest_agreeing_run`).
        allow_long: Run even when the planned levels exceed ``LONG_RUN_UPDATES`` point
            updates in all (passed on to every :func:`~solvers.integrate.solve`).

    Returns:
        A :class:`ConvergenceStudy`; blow-ups and missing stable time steps are results
        (``converges`` False, with the reason), not exceptions.

    Raises:
        ScheduleError: Bad kind, grids, levels or number.
        UnstableTimeStepError: A given ``number`` beyond the stability limit without
            ``allow_unstable``.
        WorkTooLargeError: The planned levels exceed ``LONG_RUN_UPDATES`` point updates
            without ``allow_long`` (refused before any level runs).
    """
    _check_kind(kind)
    tableau = get_tableau(stepper)
    _check_study_numbers(t_final, levels, number, expected, tolerance)
    _check_fractions(time_error_ratio, agreement)
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
    p_natural = expected_order(problems[0], tableau, kind)
    p_expected = p_natural if expected is None else expected
    notes = _Notes(allow_long)
    p_schedule = p_expected
    if kind == "space" and p_expected > max(p_natural, 1):
        # dt ∝ h**(p / r) for an order the operator does not claim asks for absurdly small
        # steps; the per-level time-error check still holds the time error to its share.
        p_schedule = max(p_natural, 1)
        notes.append(f"dt is refined as for the operator's verified order {p_schedule}, not "
                     f"the expected order {p_expected:g}; each level's time error is still "
                     f"checked against {time_error_ratio:g} of its spatial error")
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
            _grid_levels(problems, u0, t_final, tableau.name, kind, number, p_schedule,
                         (time_error_ratio, floor), allow_unstable, notes, runs, report)
    except NoStableTimeStepError as exc:
        return _no_stable_step(kind, description, tableau.name, runs, p_expected, tolerance,
                               " ".join(str(exc).split()), consistency, agreement)
    return _assemble(kind, description, tableau.name, runs, p_expected, tolerance, floor,
                     notes, consistency, agreement)


def _grid_levels(problems: list[Problem], u0: Any, t_final: float, stepper: str, kind: str,
                 number: float | None, p: int, control: tuple[float, float],
                 allow_unstable: bool, notes: _Notes, runs: list[_Level],
                 report: Callable[[_Level], None]) -> None:
    m = _dt_power(problems[0])
    r = get_tableau(stepper).order
    if kind == "coupled":
        if number is None:
            limit = stability_limit(problems[0], stepper)
            if not limit.stable:
                _start_dt(problems[0], stepper, None, COUPLED_FRACTION, allow_unstable)
            number = COUPLED_FRACTION * limit.number if math.isfinite(limit.number) else 0.5
        _check_study_work(problems, [q.dt_for_number(number) for q in problems], t_final,
                          stepper, notes.allow_long)
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
    ratio, floor = control
    _check_study_work(problems, [dt0 * (q.grid.h / h0) ** s for q in problems], t_final,
                      stepper, notes.allow_long)
    reduced = 1.0  # dt reductions carry over: the temporal share does not grow with dt ∝ h**s
    for q, level in zip(problems, runs, strict=True):
        dt = reduced * dt0 * (q.grid.h / h0) ** s
        reduced *= _space_level(q, u0, t_final, stepper, dt, ratio, floor, allow_unstable,
                                notes, level)
        report(level)


def _time_levels(problem: Problem, u0: Any, t_final: float, stepper: str,
                 number: float | None, allow_unstable: bool, notes: _Notes,
                 runs: list[_Level], report: Callable[[_Level], None]) -> None:
    dt0 = _start_dt(problem, stepper, number, TIME_FRACTION, allow_unstable)
    count = max(1, math.ceil(t_final / dt0 * (1.0 - 1e-12)))
    _check_study_work([problem] * len(runs), [t_final / (count * 2**k) for k in range(len(runs))],
                      t_final, stepper, notes.allow_long)
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
                    tolerance: float, reason: str, consistency: list[str],
                    agreement: float) -> ConvergenceStudy:
    nan_list = tuple(math.nan for _ in runs)
    why = "; ".join([*consistency, reason])
    return ConvergenceStudy(
        kind, description, stepper, tuple(r.n for r in runs), tuple(r.h for r in runs),
        nan_list, {k: nan_list for k in NORMS},
        {k: nan_list[1:] for k in NORMS}, {k: math.nan for k in NORMS},
        {k: math.nan for k in NORMS}, (0, 0), p, False, False, tolerance,
        f"does not converge: {why}", "semi-discrete" if kind == "time" else "exact",
        verdict="does not converge", agreement=agreement,
    )


def _verdict(fitted: dict[str, float], p: float, tolerance: float) -> str:
    """``met``, ``above expected`` or ``not met`` for a converging, conclusive study."""
    if any(v < p - tolerance for v in fitted.values()):
        return "not met"
    if any(v > p + tolerance for v in fitted.values()):
        return "above expected"
    return "met"


def _order_reason(verdict: str, fitted: dict[str, float], p: int, tolerance: float,
                  orders: dict[str, tuple[float, ...]], first: int, last: int) -> str:
    got = ", ".join(f"{k} {fitted[k]:.2f}" for k in NORMS)
    head = f"fitted orders {got}; expected {p} (tolerance {tolerance:g}): "
    if verdict == "met":
        return head + "met"
    if verdict == "above expected":
        return (head + "ABOVE the expected order by more than the tolerance, so NOT met: the "
                "grids are pre-asymptotic (a higher-order error term still dominates; refine "
                "further) or the operator is more accurate than its expected order says")
    return head + "NOT met" + _still_rising(orders, first, last, p)


def _inconclusive_reason(orders: dict[str, tuple[float, ...]], first: int, last: int,
                         agreement: float, p: int) -> str:
    grids = last + 1
    shown = "; ".join(f"{k}: {_orders_text(v)}" for k, v in orders.items())
    if len(orders["l2"]) <= 1:
        why = f"a study of {grids} grids has one pairwise order"
    else:
        why = (f"no {MIN_VERDICT_GRIDS} consecutive grids have pairwise orders that agree "
               f"within {agreement:g} (or 3% of the order) in both norms ({shown})")
    hint = _still_rising(orders, first, last, p)
    return (f"{why}; a verdict needs at least {MIN_VERDICT_GRIDS} grids whose pairwise orders "
            "agree: add finer grids (the fit shown is the finest pair's, for information)"
            + hint)


def _assemble(kind: str, description: str, stepper: str, runs: list[_Level], p: int,
              tolerance: float, floor: float, notes: list[str],
              consistency: list[str], agreement: float) -> ConvergenceStudy:
    steps = [r.dt if kind == "time" else r.h for r in runs]
    errors = {k: tuple(r.errors[k] for r in runs) for k in NORMS}
    scale = {k: next((r.scale[k] for r in reversed(runs) if math.isfinite(r.scale[k])),
                     math.nan) for k in NORMS}
    orders = {k: tuple(pairwise_orders(steps, errors[k])) for k in NORMS}
    labels = [f"dt = {r.dt:.4g}" if kind == "time" else f"n = {r.n}" for r in runs]
    first, last, cut = asymptotic_range(steps, errors, scale, floor, labels, agreement)
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
    conclusive = last - first + 1 >= MIN_VERDICT_GRIDS
    if failures:
        verdict = "does not converge"
        reason = (f"does not converge: the run blew up on {len(failures)} of {len(runs)} levels "
                  f"({failures[0]})")
        if consistency:
            reason += "; cause: " + "; ".join(consistency)
    elif consistency:
        verdict = "does not converge"
        reason = (f"does not converge (fitted order {_fmt(low, '.2f')}): "
                  + "; ".join(consistency))
    elif not conclusive:
        verdict = "inconclusive: refine"
        reason = _inconclusive_reason(orders, first, last, agreement, p)
    elif not (low >= MIN_ORDER):
        verdict = "does not converge"
        reason = (f"does not converge: the fitted order {_fmt(low, '.2f')} is below "
                  f"{MIN_ORDER:g}, the errors do not shrink under refinement")
    else:
        verdict = _verdict(fitted, p, tolerance)
        reason = _order_reason(verdict, fitted, p, tolerance, orders, first, last)
    if verdict == "inconclusive: refine":
        tail = [orders[k][i] for k in NORMS for i in (last - 2, last - 1) if i >= 0]
        converges = len(tail) == 2 * len(NORMS) and all(v >= MIN_ORDER for v in tail)
    else:
        converges = verdict in ("met", "above expected", "not met")
    return ConvergenceStudy(
        kind, description, stepper, tuple(r.n for r in runs), tuple(r.h for r in runs),
        tuple(r.dt for r in runs), errors, orders, fitted, mean, (first, last), p, converges,
        verdict == "met", tolerance, reason, "semi-discrete" if kind == "time" else "exact",
        tuple(r.time_error for r in runs) if kind == "space" else (), tuple(notes), scale,
        verdict, agreement, tuple(r.time_share for r in runs) if kind == "space" else (),
    )
