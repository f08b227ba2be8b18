"""Moments of a stencil and the accuracy order they verify.

A stencil with coefficients c_j at offsets j approximates the m-th derivative with accuracy
order p iff its moments mu_q = sum_j c_j j**q / q! equal delta(q, m) for every q < m + p.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial

import numpy as np

__all__ = ["DEFAULT_MOMENT_TOLERANCE", "MomentDefect", "accuracy_order", "first_defect", "moments"]

DEFAULT_MOMENT_TOLERANCE = 1e-9
"""Relative tolerance on a moment, scaled by sum_j |c_j| |j|**q / q!."""


def moments(offsets: np.ndarray, coefficients: np.ndarray, count: int) -> np.ndarray:
    """Return mu_0 .. mu_{count-1}."""
    j = np.asarray(offsets, dtype=np.float64)
    c = np.asarray(coefficients, dtype=np.float64)
    with np.errstate(all="ignore"):  # huge weights may overflow: inf, judged by the caller
        return np.array([float(np.sum(c * j**q)) / factorial(q) for q in range(count)])


def _moment_scale(offsets: np.ndarray, coefficients: np.ndarray, q: int) -> float:
    j = np.abs(np.asarray(offsets, dtype=np.float64))
    with np.errstate(all="ignore"):
        return max(1.0, float(np.sum(np.abs(coefficients) * j**q)) / factorial(q))


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


def first_defect(
    offsets: np.ndarray,
    coefficients: np.ndarray,
    derivative_order: int,
    tolerance: float = DEFAULT_MOMENT_TOLERANCE,
) -> MomentDefect | None:
    """Return the lowest-index moment that differs from delta(q, m) beyond the tolerance.

    None when no moment differs: the operator is exact on every polynomial (only the
    identity, c = 1 at offset 0, possibly padded with zero weights, for m = 0).
    """
    c = np.asarray(coefficients, dtype=np.float64)
    limit = len(c) + derivative_order + 64
    for q in range(limit):
        mu = moments(offsets, c, q + 1)[q]
        expected = 1.0 if q == derivative_order else 0.0
        scale = _moment_scale(offsets, c, q)
        if not (np.isfinite(mu) and np.isfinite(scale)) or abs(mu - expected) > tolerance * scale:
            return MomentDefect(q, mu, expected)
    return None  # every moment matches: an exact operator (the identity, for m = 0)


def accuracy_order(
    offsets: np.ndarray,
    coefficients: np.ndarray,
    derivative_order: int,
    tolerance: float = DEFAULT_MOMENT_TOLERANCE,
) -> int:
    """Verified accuracy order p >= 0 (0 means inconsistent).

    An exact operator (see :func:`first_defect`) reports taps - m + 1, a lower bound.
    """
    defect = first_defect(offsets, coefficients, derivative_order, tolerance)
    if defect is None:  # exact: report the most any stencil on these taps can have
        return max(1, len(np.asarray(coefficients)) - derivative_order + 1)
    return max(0, defect.index - derivative_order)
