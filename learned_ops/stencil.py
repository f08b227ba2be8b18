"""The :class:`Stencil`: a finite-difference derivative operator as plain, validated data.

``out[i] = h**(-m) * sum_j c[j] * u[i + offsets[j]]`` (a cross-correlation, as in
``tf.nn.conv1d`` and ``scipy.ndimage.correlate1d``). Coefficients are dimensionless (unit
spacing), so one stencil serves every resolution.

The checks of its data live in :mod:`learned_ops.stencil_checks` (whose limits and boundary
modes are importable from here), its sparse matrix in :mod:`learned_ops.stencil_matrix`, the
weights of sums and compositions in :mod:`learned_ops.stencil_algebra`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np
import scipy.sparse as sp

from learned_ops import _kernels, spectral
from learned_ops import moments as _moments
from learned_ops.closures import closure_rows, closure_width, interior_range
from learned_ops.errors import InputArrayError, StencilError
from learned_ops.stencil_algebra import compose_weights, sum_weights
from learned_ops.stencil_checks import (
    BOUNDARY_MODES,
    MAX_OFFSET,
    MAX_TAPS,
    Boundary,
    check_boundary,
    check_coefficients,
    check_offsets,
    check_order,
)
from learned_ops.stencil_matrix import stencil_matrix
from learned_ops.validation import check_field, check_spacing

__all__ = ["BOUNDARY_MODES", "MAX_OFFSET", "MAX_TAPS", "Boundary", "Stencil"]

@lru_cache(maxsize=256)
def _scaled(coefficients: bytes, order: int, spacing: float) -> np.ndarray:
    """c * h**-m for a stencil's coefficients (by value) and a spacing, remembered.

    Left writable: a read-only array is another type to numba (another compilation); callers
    do not write to it.
    """
    return np.frombuffer(coefficients, dtype=np.float64) * spacing ** (-order)


@dataclass(frozen=True, eq=False)
class Stencil:
    """An immutable finite-difference operator for the m-th derivative on a uniform grid.

    Attributes:
        offsets: Strictly increasing integer offsets.
        coefficients: Dimensionless float64 weights (read-only), one per offset.
        derivative_order: m, the derivative it approximates.
        name: A short name.
        description: Free text.
        provenance: Where the coefficients came from (read-only mapping).
    """

    offsets: tuple[int, ...]
    coefficients: np.ndarray
    derivative_order: int
    name: str = ""
    description: str = ""
    provenance: Mapping[str, Any] = field(default_factory=dict)

    __array_ufunc__ = None  # ``array * stencil`` raises TypeError instead of an object array

    def __post_init__(self) -> None:
        offsets = check_offsets(self.offsets)
        object.__setattr__(self, "offsets", offsets)
        object.__setattr__(
            self, "coefficients", check_coefficients(self.coefficients, len(offsets))
        )
        object.__setattr__(
            self, "derivative_order", check_order(self.derivative_order, len(offsets))
        )
        if not isinstance(self.name, str) or not isinstance(self.description, str):
            raise StencilError("name and description must be strings")
        if not isinstance(self.provenance, Mapping):
            raise StencilError("provenance must be a mapping")
        object.__setattr__(self, "provenance", MappingProxyType(dict(self.provenance)))

    # ----------------------------------------------------------------- identity
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stencil):
            return NotImplemented
        return (
            self.offsets == other.offsets
            and self.derivative_order == other.derivative_order
            and bool(np.array_equal(self.coefficients, other.coefficients))
        )

    def __hash__(self) -> int:
        # + 0.0 maps -0.0 to 0.0, so equal stencils (==) hash equally
        return hash((self.offsets, self.derivative_order, (self.coefficients + 0.0).tobytes()))

    def __repr__(self) -> str:
        coeffs = ", ".join(f"{c:.6g}" for c in self.coefficients)
        label = f"{self.name!r}, " if self.name else ""
        return (
            f"Stencil({label}m={self.derivative_order}, offsets={list(self.offsets)}, "
            f"coefficients=[{coeffs}], order={self.accuracy_order})"
        )

    def with_metadata(
        self,
        name: str | None = None,
        description: str | None = None,
        provenance: Mapping[str, Any] | None = None,
    ) -> Stencil:
        """A copy with new name, description or provenance (coefficients unchanged)."""
        return Stencil(
            self.offsets,
            self.coefficients,
            self.derivative_order,
            self.name if name is None else name,
            self.description if description is None else description,
            self.provenance if provenance is None else provenance,
        )

    # ----------------------------------------------------------------- shape facts
    @property
    def taps(self) -> int:
        """Number of coefficients."""
        return len(self.offsets)

    @property
    def span(self) -> int:
        """max(offsets) - min(offsets)."""
        return self.offsets[-1] - self.offsets[0]

    # ----------------------------------------------------------------- analysis
    def moments(self, count: int | None = None) -> np.ndarray:
        """mu_q = sum_j c_j j**q / q! for q < count (default: m + p + 2)."""
        if count is None:
            count = self.derivative_order + self.accuracy_order + 2
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
            raise StencilError(f"count must be an integer >= 0, got {count!r}")
        return _moments.moments(np.array(self.offsets), self.coefficients, count)

    def verified_accuracy_order(self, tolerance: float = _moments.DEFAULT_MOMENT_TOLERANCE) -> int:
        """Accuracy order p verified from the moments (0: inconsistent).

        Args:
            tolerance: Allowed |mu_q - delta(q, m)| in units of the moment's round-off bound
                ``eps * taps * sum_j |c_j| |j|**q / q!`` (see ``DEFAULT_MOMENT_TOLERANCE``).
                Never more than the offsets allow (the exact Fornberg stencil's order).
        """
        return _moments.accuracy_order(
            np.array(self.offsets), self.coefficients, self.derivative_order, tolerance
        )

    @cached_property
    def accuracy_order(self) -> int:
        """Accuracy order verified from the moments at the default tolerance (computed once)."""
        return self.verified_accuracy_order()

    @property
    def is_consistent(self) -> bool:
        """True when the error vanishes as h -> 0 (accuracy order >= 1)."""
        return self.accuracy_order >= 1

    def leading_defect(
        self, tolerance: float = _moments.DEFAULT_MOMENT_TOLERANCE
    ) -> _moments.MomentDefect | None:
        """The first moment that breaks the conditions (for an inconsistent stencil: why).

        None only for an exact operator (the identity), which breaks none.

        Args:
            tolerance: As for :meth:`verified_accuracy_order` (units of round-off).
        """
        return _moments.first_defect(
            np.array(self.offsets), self.coefficients, self.derivative_order, tolerance
        )

    def symbol(self, theta: np.ndarray | float) -> np.ndarray:
        """sigma(theta) = sum_j c_j exp(i j theta); exact value (i theta)**m."""
        angles = np.asarray(theta)
        if angles.dtype.kind not in "iuf" or angles.dtype == np.bool_:
            raise StencilError(f"theta must be real numbers, got dtype {angles.dtype}")
        return spectral.symbol(np.array(self.offsets), self.coefficients, angles)

    def modified_wavenumber(self, theta: np.ndarray | float) -> np.ndarray:
        """Im sigma(theta) for a first derivative (exact: theta)."""
        self._require_first_derivative("modified wavenumber")
        return np.imag(self.symbol(theta))

    def dissipation(self, theta: np.ndarray | float) -> np.ndarray:
        """Re sigma(theta) for a first derivative (exact: 0; > 0 damps advection with a > 0).

        Advection u_t = -a u_x has eigenvalues -a sigma / h, so Re sigma > 0 means decay.
        """
        self._require_first_derivative("dissipation")
        return np.real(self.symbol(theta))

    def resolving_band(self, eps: float = 1e-2) -> float:
        """Largest theta with relative symbol error <= eps on (0, theta]."""
        if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not (
            0 < eps < 1
        ):
            raise StencilError(f"eps must lie in (0, 1), got {eps!r}")
        return spectral.resolving_band(
            np.array(self.offsets), self.coefficients, self.derivative_order, eps
        )

    def points_per_wavelength(self, eps: float = 1e-2) -> float:
        """2 pi / resolving_band(eps): grid points per wavelength needed (inf if none)."""
        band = self.resolving_band(eps)
        return float("inf") if band == 0.0 else 2.0 * np.pi / band

    def _require_first_derivative(self, what: str) -> None:
        if self.derivative_order != 1:
            raise StencilError(
                f"{what} is defined for first derivatives; this stencil has m = "
                f"{self.derivative_order} (use symbol() instead)"
            )

    # ----------------------------------------------------------------- application
    def min_points(self, boundary: str) -> int:
        """Fewest grid points this operator accepts with the given boundary mode."""
        check_boundary(boundary)
        needed = self.span + 1
        if boundary == "one-sided":
            needed = max(needed, closure_width(self.derivative_order, self.accuracy_order))
        return needed

    def __call__(
        self, u: np.ndarray, h: float = 1.0, *, boundary: Boundary = "periodic", axis: int = -1
    ) -> np.ndarray:
        """Apply the operator along ``axis`` (leading batch axes allowed), in float64.

        Args:
            u: Samples on a uniform grid (float32 or float64).
            h: Grid spacing.
            boundary: ``"periodic"`` (wrap), ``"valid"`` (only rows whose stencil fits; output
                k belongs to grid point k - min(offsets)) or ``"one-sided"`` (see
                :mod:`learned_ops.closures`).
            axis: The grid axis.

        Returns:
            The derivative approximation, float64.
        """
        spacing = check_spacing(h)
        arr = check_field(u, min_points=self.min_points(boundary), axis=axis, check_finite=False)
        last = axis in (-1, arr.ndim - 1)
        moved = arr if last else np.moveaxis(arr, axis, -1)
        scaled = self._scaled_coefficients(spacing)
        if boundary == "one-sided":
            out = self._one_sided(moved, scaled, spacing)
        else:
            n = moved.shape[-1]
            periodic = boundary == "periodic"
            length = n if periodic else n - self.span
            first = 0 if periodic else -self.offsets[0]
            out = self._rows(moved, scaled, first, length, periodic)
        return out if last else np.moveaxis(out, -1, axis)

    apply = __call__

    def _rows(
        self, u: np.ndarray, c: np.ndarray, first: int, length: int, wrap: bool
    ) -> np.ndarray:
        """Rows first .. first+length-1 of sum_j c_j u[..., i + o_j], checking finiteness."""
        n = u.shape[-1]
        flat = u.reshape(-1, n)
        out = _kernels.correlate_rows(flat, self._offset_array, c, first, length, wrap)
        if out is None:
            bad = int(u.size - np.count_nonzero(np.isfinite(u)))
            raise InputArrayError(f"u contains {bad} NaN or infinite value(s); clean the input")
        return out.reshape(*u.shape[:-1], length)

    def _scaled_coefficients(self, spacing: float) -> np.ndarray:
        """c * h**-m, remembered for the last spacing (repeated calls on one grid are the
        common case, and small arrays are dominated by such per-call costs)."""
        return _scaled(self.coefficients.tobytes(), self.derivative_order, float(spacing))

    @cached_property
    def _offset_array(self) -> np.ndarray:
        offsets = np.array(self.offsets, dtype=np.int64)
        offsets.setflags(write=False)
        return offsets

    def _one_sided(self, u: np.ndarray, c: np.ndarray, h: float) -> np.ndarray:
        n = u.shape[-1]
        out = np.empty(u.shape, dtype=np.float64)
        start, stop = interior_range(self.offsets, n)
        if stop > start:
            out[..., start:stop] = self._rows(u, c, start, stop - start, False)
        else:
            check_field(u, min_points=0, axis=-1)  # no interior rows: check finiteness here
        scale = h ** (-self.derivative_order)
        for row in closure_rows(self.offsets, self.derivative_order, self.accuracy_order, n):
            out[..., row.row] = u[..., row.columns] @ (row.weights * scale)
        return out

    def matrix(self, n: int, h: float = 1.0, boundary: Boundary = "periodic") -> sp.csr_array:
        """The sparse matrix equal to applying the operator to a vector of ``n`` points."""
        check_boundary(boundary)
        spacing = check_spacing(h)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise StencilError(f"n must be an integer, got {n!r}")
        if n < self.min_points(boundary):
            raise StencilError(
                f"n = {n} is too small; this operator needs at least "
                f"{self.min_points(boundary)} points with boundary {boundary!r}"
            )
        return stencil_matrix(self.offsets, self.coefficients, self.derivative_order,
                              self.accuracy_order, n, spacing, boundary)

    # ----------------------------------------------------------------- algebra
    def _combine(self, other: Stencil, sign: float) -> Stencil:
        if not isinstance(other, Stencil):
            return NotImplemented
        if other.derivative_order != self.derivative_order:
            raise StencilError(
                f"cannot add stencils of derivative orders {self.derivative_order} and "
                f"{other.derivative_order}; an operator has a single derivative order"
            )
        merged, coeffs = sum_weights(self.offsets, self.coefficients, other.offsets,
                                     other.coefficients, sign)
        op = "+" if sign > 0 else "-"
        return Stencil(
            merged,
            coeffs,
            self.derivative_order,
            name=f"({self.name or 'a'} {op} {other.name or 'b'})",
        )

    def __add__(self, other: Stencil) -> Stencil:
        return self._combine(other, 1.0)

    def __sub__(self, other: Stencil) -> Stencil:
        return self._combine(other, -1.0)

    def __mul__(self, scalar: float) -> Stencil:
        if isinstance(scalar, bool) or not isinstance(
            scalar, (int, float, np.integer, np.floating)
        ):
            return NotImplemented
        return Stencil(
            self.offsets,
            self.coefficients * float(scalar),
            self.derivative_order,
            name=f"{scalar:g}*{self.name or 'a'}",
        )

    __rmul__ = __mul__

    def __neg__(self) -> Stencil:
        return self * -1.0

    def __matmul__(self, inner: Stencil) -> Stencil:
        """Composition: ``(a @ b)(u) == a(b(u))`` on periodic grids; orders add."""
        if not isinstance(inner, Stencil):
            return NotImplemented
        offsets, coeffs = compose_weights(self.offsets, self.coefficients, inner.offsets,
                                          inner.coefficients)
        return Stencil(
            offsets,
            coeffs,
            self.derivative_order + inner.derivative_order,
            name=f"({self.name or 'a'} @ {inner.name or 'b'})",
        )
