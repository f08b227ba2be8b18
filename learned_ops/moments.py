"""Moments of a stencil and the accuracy order they verify.

A stencil with coefficients c_j at offsets j approximates the m-th derivative with accuracy
order p iff its moments mu_q = sum_j c_j j**q / q! equal delta(q, m) for every q < m + p.

The rule, which ``solvers.operators`` implements the same way without importing this module:

- **Cap.** On n distinct offsets the conditions q < n have one solution, the Fornberg stencil,
  so any stencil of order >= n - m *is* it, and no stencil on those offsets can beat the order
  of the exact (rational) Fornberg stencil. That cap is computed exactly
  (:class:`fractions.Fraction`) and never exceeded; it can exceed n - m when further moments
  vanish by symmetry (3-point central second derivative: order 2).
- **Below the cap** float moments are judged against the round-off of their own sum:
  |mu_q - delta(q, m)| <= tolerance * eps * n * sum_j |c_j| |j|**q / q!. No absolute floor, so
  a defect small in absolute terms but large against the terms summed is seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import factorial

import numpy as np

from learned_ops.fornberg import fornberg_weights_exact

__all__ = [
    "DEFAULT_MOMENT_TOLERANCE",
    "MomentDefect",
    "accuracy_order",
    "first_defect",
    "moments",
    "order_cap",
]

DEFAULT_MOMENT_TOLERANCE = 4096.0
"""Allowed |mu_q - delta(q, m)| in units of the round-off bound eps * n * sum_j |c_j| |j|**q / q!.

Textbook stencils (correctly rounded rationals) stay below 1 unit; members of a constrained
stencil space (``stencil_space``: null-space basis in float64) measured up to about 2400 units
at 27 taps. Anything above the tolerance is a real defect, not round-off.
"""

_EPS = float(np.finfo(np.float64).eps)


def moments(offsets: np.ndarray, coefficients: np.ndarray, count: int) -> np.ndarray:
    """Return mu_0 .. mu_{count-1}."""
    j = np.asarray(offsets, dtype=np.float64)
    c = np.asarray(coefficients, dtype=np.float64)
    with np.errstate(all="ignore"):  # huge weights may overflow: inf, judged by the caller
        return np.array([float(np.sum(c * j**q)) / factorial(q) for q in range(count)])


@lru_cache(maxsize=4096)
def order_cap(offsets: tuple[int, ...], derivative_order: int) -> int | None:
    """Index q* of the first moment the exact Fornberg stencil on these offsets gets wrong.

    Every stencil on ``offsets`` breaks some moment q <= q*, so its accuracy order is at most
    q* - m. None when the exact stencil breaks no moment at all: an exact operator (only the
    identity, for m = 0 with 0 among the offsets). Duplicate offsets count once.

    Args:
        offsets: Integer offsets.
        derivative_order: m >= 0.

    Returns:
        q* (at least m), or None for an exact operator.
    """
    nodes = tuple(sorted({int(o) for o in offsets}))
    n, m = len(nodes), int(derivative_order)
    if n < m + 1:  # q < n force c = 0 (all are 0 = delta(q, m)), which breaks mu_m = 1
        return m
    weights = fornberg_weights_exact(m, nodes)
    # Moments q < n are exact by construction. Beyond, the even and the odd moments are
    # Vandermonde systems in the distinct |j|: 2n consecutive zeros would force every weight
    # off 0 to vanish, so the first nonzero one (if any) comes before 3n.
    for q in range(n, 3 * n + 2):
        if sum(w * o**q for w, o in zip(weights, nodes, strict=True)) != 0:
            return q
    return None


@lru_cache(maxsize=1024)
def _powers(offsets: tuple[int, ...], count: int) -> np.ndarray:
    """(count, taps) table of j**q / q!, each entry correctly rounded (read-only)."""
    table = np.array(
        [[float(Fraction(j) ** q / factorial(q)) for j in offsets] for q in range(count)],
        dtype=np.float64,
    ).reshape(count, len(offsets))
    table.setflags(write=False)
    return table


def _exact_moment(offsets: tuple[int, ...], coefficients: np.ndarray, q: int) -> float:
    """mu_q of the float coefficients in exact arithmetic, rounded once."""
    total = sum(Fraction(float(c)) * j**q for c, j in zip(coefficients, offsets, strict=True))
    return float(Fraction(total) / factorial(q))


@dataclass(frozen=True)
class MomentDefect:
    """The first moment that breaks the accuracy conditions.

    Attributes:
        index: q, the moment's index.
        value: mu_q as computed.
        expected: delta(q, m): 1 for q == m, else 0.
    """

    index: int
    value: float
    expected: float

    @property
    def error(self) -> float:
        """mu_q - expected."""
        return self.value - self.expected

    def describe(self) -> str:
        """A one-line human explanation."""
        return (
            f"moment mu_{self.index} = {self.value:.6g} but must be {self.expected:g} "
            f"(off by {self.error:+.3g})"
        )


def _first_defect_index(
    offsets: tuple[int, ...], c: np.ndarray, m: int, tolerance: float
) -> int | None:
    cap = order_cap(offsets, m)
    limit = 3 * len(offsets) + 2 if cap is None else cap
    table = _powers(offsets, limit)
    with np.errstate(all="ignore"):  # overflow to inf or underflow: judged below
        terms = table * c
        mu = terms.sum(axis=1)
        scale = np.abs(terms).sum(axis=1)
        allowed = tolerance * _EPS * len(offsets) * scale  # tiny weights: may underflow to 0
    expected = np.zeros(limit)
    if m < limit:
        expected[m] = 1.0
    bad = ~(np.isfinite(mu) & np.isfinite(scale) & (np.abs(mu - expected) <= allowed))
    if bad.any():
        return int(np.argmax(bad))
    return cap


def first_defect(
    offsets: np.ndarray,
    coefficients: np.ndarray,
    derivative_order: int,
    tolerance: float = DEFAULT_MOMENT_TOLERANCE,
) -> MomentDefect | None:
    """Return the lowest-index moment that differs from delta(q, m).

    Moments below the cap (:func:`order_cap`) are judged in float64 against ``tolerance``
    round-off units (see :data:`DEFAULT_MOMENT_TOLERANCE`); if all pass, the defect is the
    cap's moment, whose value is then the exact moment of the given float coefficients.

    None when no moment differs: the operator is exact on every polynomial (only the
    identity, c = 1 at offset 0, possibly padded with zero weights, for m = 0).
    """
    offs = tuple(int(o) for o in np.asarray(offsets).ravel())
    c = np.asarray(coefficients, dtype=np.float64).ravel()
    m = int(derivative_order)
    q = _first_defect_index(offs, c, m, float(tolerance))
    if q is None:
        return None  # every moment matches: an exact operator (the identity, for m = 0)
    expected = 1.0 if q == m else 0.0
    if q == order_cap(offs, m):
        value = _exact_moment(offs, c, q) if np.isfinite(c).all() else float("nan")
    else:
        value = float(moments(np.array(offs), c, q + 1)[q])
    return MomentDefect(q, value, expected)


def accuracy_order(
    offsets: np.ndarray,
    coefficients: np.ndarray,
    derivative_order: int,
    tolerance: float = DEFAULT_MOMENT_TOLERANCE,
) -> int:
    """Verified accuracy order p >= 0 (0 means inconsistent), never above :func:`order_cap`.

    An exact operator (see :func:`first_defect`) reports taps - m + 1, a lower bound.
    """
    offs = tuple(int(o) for o in np.asarray(offsets).ravel())
    c = np.asarray(coefficients, dtype=np.float64).ravel()
    m = int(derivative_order)
    q = _first_defect_index(offs, c, m, float(tolerance))
    if q is None:  # exact: report the most any stencil on these taps can have
        return max(1, len(c) - m + 1)
    return max(0, q - m)
