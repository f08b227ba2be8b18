"""Experimental orders of convergence (EOC) for a user's own errors: orders, a fit, a table.

For any code that measures an error on a sequence of refinements (grid spacings, time steps,
anything that goes to zero): :func:`eoc` returns the pairwise orders
``log(e_k / e_k+1) / log(s_k / s_k+1)``, the least-squares slope of ``log(e)`` against
``log(s)`` over a *stated* range of levels, and a table a person can read;
:func:`assert_order` fails with that table as its message. The pytest plugin
(:mod:`solvers.pytest_plugin`) offers the same as the ``convergence_order`` fixture.

Only NumPy is imported; nothing here knows about the solvers (it works on numbers).

Example:
    >>> from solvers.eoc import assert_order
    >>> h = [0.1, 0.05, 0.025]
    >>> round(assert_order(h, [2.0 * s**2 for s in h], expected=2, tol=0.05).fitted_order, 6)
    2.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solvers.errors import SolverError

__all__ = ["EOCInputError", "EOCTable", "assert_order", "eoc"]


class EOCInputError(SolverError):
    """The spacings, errors or fit range given to :func:`eoc` cannot be used."""


@dataclass(frozen=True)
class EOCTable:
    """Orders of convergence of one error sequence.

    Attributes:
        spacings: The refined quantity per level (h, dt, ...), as given.
        errors: The error per level, as given.
        orders: Observed order between consecutive levels (``len(spacings) - 1`` values).
        fit_range: ``(first, last)``: the level indices (inclusive) of the fit.
        fitted_order: Least-squares slope of ``log(error)`` against ``log(spacing)`` over
            the fit range.
        mean_order: Mean of the pairwise orders inside the fit range.
        label: What the spacing is called in the table header (e.g. ``h`` or ``dt``).
    """

    spacings: tuple[float, ...]
    errors: tuple[float, ...]
    orders: tuple[float, ...]
    fit_range: tuple[int, int]
    fitted_order: float
    mean_order: float
    label: str = "h"

    def table(self) -> str:
        """``level | spacing | error | EOC`` rows (fit levels marked ``*``), then the fit."""
        first, last = self.fit_range
        head = f"{'':2}{'level':>5} | {self.label:>11} | {'error':>11} | {'EOC':>6}"
        lines = [head, "-" * len(head)]
        for i, (s, e) in enumerate(zip(self.spacings, self.errors, strict=True)):
            mark = "* " if first <= i <= last else "  "
            order = f"{self.orders[i - 1]:6.2f}" if i > 0 else f"{'-':>6}"
            lines.append(f"{mark}{i:>5} | {s:11.4e} | {e:11.4e} | {order}")
        lines.append("-" * len(head))
        lines.append(f"fitted order {self.fitted_order:.3f}, mean order {self.mean_order:.3f} "
                     f"over levels {first}..{last} (marked *)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _positive_finite(name: str, values: Sequence[float]) -> tuple[float, ...]:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise EOCInputError(f"{name} must be a flat sequence of numbers, got shape {array.shape}")
    bad = [i for i, v in enumerate(array) if not (math.isfinite(v) and v > 0.0)]
    if bad:
        raise EOCInputError(f"{name} must be finite and positive; level(s) {bad} are "
                            f"{[float(array[i]) for i in bad]} (drop failed levels, or state "
                            "a fit_range that leaves them out and pass only the levels you ran)")
    return tuple(float(v) for v in array)


def _fit_range(fit_range: tuple[int, int] | None, levels: int) -> tuple[int, int]:
    if fit_range is None:
        return 0, levels - 1
    try:
        first, last = (int(v) for v in fit_range)
    except (TypeError, ValueError):
        raise EOCInputError(f"fit_range must be (first, last) level indices, got "
                            f"{fit_range!r}") from None
    if (first, last) != tuple(fit_range):
        raise EOCInputError(f"fit_range must hold integers, got {fit_range!r}")
    first, last = (v + levels if v < 0 else v for v in (first, last))
    if not 0 <= first < last < levels:
        raise EOCInputError(f"fit_range {tuple(fit_range)} must name two or more of the "
                            f"{levels} levels (first < last, indices 0..{levels - 1}, "
                            "negative counts from the end)")
    return first, last


def eoc(spacings: Sequence[float], errors: Sequence[float],
        fit_range: tuple[int, int] | None = None, label: str = "h") -> EOCTable:
    """Pairwise and fitted orders of convergence of ``errors`` under refinement of ``spacings``.

    Args:
        spacings: The refined quantity per level (finite, positive, pairwise distinct), in
            any order (coarsest first reads best).
        errors: The error per level (finite, positive), same length.
        fit_range: ``(first, last)`` level indices, inclusive (negative counts from the end),
            of the levels the fit and the mean use: state the asymptotic range you trust.
            Default: all levels.
        label: What the spacing is called in the table.

    Returns:
        The :class:`EOCTable`.

    Raises:
        EOCInputError: Fewer than two levels, lengths that differ, values that are not finite
            and positive, repeated spacings, or a fit range outside the levels.
    """
    s = _positive_finite("spacings", spacings)
    e = _positive_finite("errors", errors)
    if len(s) != len(e):
        raise EOCInputError(f"spacings and errors must have one value per level; got {len(s)} "
                            f"spacings and {len(e)} errors")
    if len(s) < 2:
        raise EOCInputError(f"an order needs at least two levels, got {len(s)}")
    if len(set(s)) != len(s):
        raise EOCInputError(f"spacings must be distinct (a repeated spacing has no order), "
                            f"got {list(s)}")
    first, last = _fit_range(fit_range, len(s))
    x, y = np.log(s), np.log(e)
    orders = tuple(float(v) for v in np.diff(y) / np.diff(x))
    xs, ys = x[first:last + 1], y[first:last + 1]
    xs = xs - xs.mean()
    fitted = float(np.dot(xs, ys - ys.mean()) / np.dot(xs, xs))
    return EOCTable(s, e, orders, (first, last), fitted, float(np.mean(orders[first:last])),
                    label)


def assert_order(spacings: Sequence[float], errors: Sequence[float], expected: float,
                 tol: float = 0.1, fit_range: tuple[int, int] | None = None,
                 label: str = "h") -> EOCTable:
    """Fail unless the fitted order over ``fit_range`` is within ``tol`` of ``expected``.

    Args:
        spacings: See :func:`eoc`.
        errors: See :func:`eoc`.
        expected: The order the method should reach.
        tol: Allowed absolute difference of the fitted order (two-sided; positive).
        fit_range: See :func:`eoc`.
        label: See :func:`eoc`.

    Returns:
        The :class:`EOCTable` (when the order holds).

    Raises:
        AssertionError: The fitted order is off; the message is one line saying by how much,
            then the table.
        EOCInputError: Bad input (see :func:`eoc`) or a tolerance that is not positive.
    """
    if not (math.isfinite(tol) and tol > 0.0):
        raise EOCInputError(f"tol must be a positive number, got {tol!r}")
    result = eoc(spacings, errors, fit_range, label)
    if not abs(result.fitted_order - expected) <= tol:
        raise AssertionError(f"fitted order {result.fitted_order:.3f} is not within {tol:g} "
                             f"of the expected {expected:g}\n{result.table()}")
    return result
