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

__all__ = ["AffineStencilSpace", "moment_conditions", "stencil_space", "symmetry_conditions"]


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


def _within_roundoff(a: np.ndarray, c: np.ndarray, b: np.ndarray) -> bool:
    """Whether A c = b holds up to the round-off of correctly rounded c and of each row's sum.

    Row q may be off by (taps + rows + 4) * eps * sum_j |A_qj c_j|: c_j rounded once, A_qj =
    (j - x0)**q / q! with a few roundings (and x0 itself rounded, which q amplifies), the sum
    with at most taps - 1. A bound relative to the terms summed, not an absolute one (the
    weights of wide stencils reach hundreds).
    """
    allowed = (sum(a.shape) + 4) * np.finfo(np.float64).eps * (np.abs(a) @ np.abs(c))
    return bool(np.all(np.abs(a @ c - b) <= allowed))


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
        symmetric: Whether the derivative's (skew-)symmetry is imposed too.
    """

    offsets: tuple[int, ...]
    derivative_order: int
    accuracy_order: int | None
    x0: float
    base: np.ndarray
    basis: np.ndarray
    symmetric: bool = False

    @property
    def dim(self) -> int:
        """Number of free parameters."""
        return int(self.basis.shape[1])

    def coefficients(self, theta: np.ndarray) -> np.ndarray:
        """c = base + basis @ theta."""
        return self.base + self.basis @ np.asarray(theta, dtype=np.float64)


def symmetry_conditions(offsets: tuple[int, ...], derivative_order: int, x0: float = 0.0
                        ) -> np.ndarray:
    """Rows enforcing c(x0 + d) = (-1)**m c(x0 - d): the exact symmetry of the m-th derivative.

    Odd m gives a skew-symmetric stencil (purely imaginary symbol: no dissipation and no
    growth for either sign of the velocity); even m a symmetric one (real symbol).
    """
    position = {o - x0: k for k, o in enumerate(offsets)}
    if set(position) != {-d for d in position}:
        raise StencilError(
            f"a symmetric stencil needs offsets symmetric about {x0:g}, got {list(offsets)}"
        )
    rows = []
    for d, k in position.items():
        if d > 0:
            row = np.zeros(len(offsets))
            row[k] = 1.0
            row[position[-d]] -= (-1.0) ** derivative_order
            rows.append(row)
    if derivative_order % 2 == 1 and 0.0 in position:
        row = np.zeros(len(offsets))
        row[position[0.0]] = 1.0
        rows.append(row)
    return np.array(rows).reshape(-1, len(offsets))


def stencil_space(
    offsets: tuple[int, ...], derivative_order: int, accuracy_order: int | None = None,
    x0: float = 0.0, symmetric: bool = False,
) -> AffineStencilSpace:
    """The free space (accuracy_order None) or the space of order-p stencils.

    With ``symmetric`` the space is further restricted to stencils with the derivative's exact
    (skew-)symmetry about ``x0`` (see :func:`symmetry_conditions`).

    Raises:
        StencilError: If the offsets cannot reach the requested order at all.
        NothingToLearnError: If the constraints fix every coefficient.
    """
    taps = len(offsets)
    if isinstance(derivative_order, bool) or not isinstance(derivative_order, (int, np.integer)):
        raise StencilError(f"derivative order must be an integer, got {derivative_order!r}")
    if derivative_order < 0:
        raise StencilError(f"derivative order must be >= 0, got {derivative_order}")
    if not np.isfinite(x0):
        raise StencilError(f"x0 must be finite, got {x0!r}")
    if taps < derivative_order + 1:
        raise StencilError(
            f"offsets {list(offsets)} ({taps} taps) cannot approximate a derivative of order "
            f"{derivative_order}; need at least {derivative_order + 1} taps"
        )
    sym = symmetry_conditions(offsets, derivative_order, x0) if symmetric else np.zeros((0, taps))
    if accuracy_order is None:
        basis = scipy.linalg.null_space(sym) if symmetric else np.eye(taps)
        return AffineStencilSpace(tuple(offsets), derivative_order, None, x0, np.zeros(taps),
                                  basis, symmetric)
    if isinstance(accuracy_order, bool) or not isinstance(accuracy_order, (int, np.integer)) or (
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
    if symmetric and not _within_roundoff(sym, base, np.zeros(len(sym))):  # pragma: no cover
        raise StencilError("internal error: classical stencil breaks the symmetry")
    basis = scipy.linalg.null_space(np.vstack([a, sym]), rcond=1e-12)
    if basis.shape[1] == 0:
        raise NothingToLearnError(
            f"accuracy order {accuracy_order}{' with symmetry' if symmetric else ''} on offsets "
            f"{list(offsets)} fixes every "
            f"coefficient: the textbook stencil is the only solution, so there is nothing to "
            f"learn. Add offsets or ask for a lower order"
        )
    if not _within_roundoff(a, base, b):  # pragma: no cover - Fornberg is exact
        raise StencilError("internal error: classical stencil violates its moment conditions")
    return AffineStencilSpace(tuple(offsets), derivative_order, accuracy_order, x0, base, basis,
                              symmetric)
