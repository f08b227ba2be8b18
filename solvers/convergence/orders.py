"""Order arithmetic: pairwise and fitted orders, the asymptotic range and the verdict rule.

The rules are described in :mod:`solvers.convergence`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

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
FLOOR = 1e-11
"""Relative errors below this are at the round-off floor and left out of the fit."""
NEAR_FLOOR = 1e-8
"""Below this relative error, an order collapse (under half the previous pair's) is round-off."""


def _fmt(value: float, spec: str = ".3e") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


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
    :func:`longest_agreeing_run` of pairwise orders (finest on ties). See
    :mod:`solvers.convergence`.

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
