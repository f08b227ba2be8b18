"""Moment constraints for a wanted accuracy order, and their null-space parameterisation.

A stencil on offsets j approximating the m-th derivative at ``x0`` (in units of h; 0 is the node)
has accuracy order p iff ``sum_j c_j (j - x0)**q / q! = delta(q, m)`` for every q < m + p. Writing
``c = c0 + N theta`` with ``A c0 = b`` (the classical stencil) and N an orthonormal basis of
A's null space, every theta satisfies the conditions exactly; theta = 0 is the textbook stencil.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import factorial

import numpy as np
import scipy.linalg

from learned_ops.errors import NothingToLearnError, StencilError
from learned_ops.fornberg import fornberg_weights

__all__ = ["AffineStencilSpace", "moment_conditions", "stencil_space"]


def moment_conditions(
    offsets: tuple[int, ...], derivative_order: int, accuracy_order: int, x0: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """(A, b) with rows q = 0 .. m + p - 1 of the moment conditions about ``x0``."""
    rows = derivative_order + accuracy_order
    j = np.asarray(offsets, dtype=np.float64) - x0
    a = np.array([j**q / factorial(q) for q in range(rows)]).reshape(rows, len(offsets))
    b = np.zeros(rows)
    if derivative_order < rows:
        b[derivative_order] = 1.0
    return a, b


@dataclass(frozen=True)
class AffineStencilSpace:
    """The coefficients reachable by training: c = base + basis @ theta.

    Attributes:
        offsets: Stencil offsets.
        derivative_order: m.
        accuracy_order: The order every member has (None for the free space).
        x0: Where the derivative is approximated, in units of h from the node.
        base: c0 (zeros for the free space, the classical stencil when constrained).
        basis: (taps, dim) orthonormal columns (identity for the free space).
    """

    offsets: tuple[int, ...]
    derivative_order: int
    accuracy_order: int | None
    x0: float
    base: np.ndarray
    basis: np.ndarray

    @property
    def dim(self) -> int:
        """Number of free parameters."""
        return int(self.basis.shape[1])

    def coefficients(self, theta: np.ndarray) -> np.ndarray:
        """c = base + basis @ theta."""
        return self.base + self.basis @ np.asarray(theta, dtype=np.float64)


def stencil_space(
    offsets: tuple[int, ...], derivative_order: int, accuracy_order: int | None = None,
    x0: float = 0.0,
) -> AffineStencilSpace:
    """The free space (accuracy_order None) or the space of order-p stencils.

    Raises:
        StencilError: If the offsets cannot reach the requested order at all.
        NothingToLearnError: If the constraints fix every coefficient.
    """
    taps = len(offsets)
    if derivative_order < 0 or taps < derivative_order + 1:
        raise StencilError(
            f"offsets {list(offsets)} ({taps} taps) cannot approximate a derivative of order "
            f"{derivative_order}; need at least {derivative_order + 1} taps"
        )
    if accuracy_order is None:
        return AffineStencilSpace(tuple(offsets), derivative_order, None, x0, np.zeros(taps),
                                  np.eye(taps))
    if isinstance(accuracy_order, bool) or not isinstance(accuracy_order, int) or (
        accuracy_order < 1
    ):
        raise StencilError(f"accuracy order must be an integer >= 1, got {accuracy_order!r}")
    if derivative_order + accuracy_order > taps:
        best = taps - derivative_order
        raise StencilError(
            f"{taps} offsets {list(offsets)} cannot give accuracy order {accuracy_order} for a "
            f"derivative of order {derivative_order} (at most {best} in general); add offsets "
            f"or lower --order"
        )
    a, b = moment_conditions(offsets, derivative_order, accuracy_order, x0)
    base = fornberg_weights(derivative_order, offsets, Fraction(x0).limit_denominator(1 << 20))
    basis = scipy.linalg.null_space(a, rcond=1e-12)
    if basis.shape[1] == 0:
        raise NothingToLearnError(
            f"accuracy order {accuracy_order} on offsets {list(offsets)} fixes every "
            f"coefficient: the textbook stencil is the only solution, so there is nothing to "
            f"learn. Add offsets or ask for a lower order"
        )
    if not np.allclose(a @ base, b, atol=1e-12):  # pragma: no cover - Fornberg is exact
        raise StencilError("internal error: classical stencil violates its moment conditions")
    return AffineStencilSpace(tuple(offsets), derivative_order, accuracy_order, x0, base, basis)
