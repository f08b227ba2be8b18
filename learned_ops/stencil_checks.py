"""Checks of a stencil's data: offsets, coefficients, derivative order, boundary mode.

Each check returns the value in the form :class:`learned_ops.stencil.Stencil` stores it, or
raises :class:`learned_ops.errors.StencilError` saying what to change; nothing is rounded.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from learned_ops.errors import StencilError

__all__ = [
    "BOUNDARY_MODES",
    "MAX_OFFSET",
    "MAX_TAPS",
    "Boundary",
    "check_boundary",
    "check_coefficients",
    "check_offsets",
    "check_order",
]

Boundary = Literal["periodic", "valid", "one-sided"]
BOUNDARY_MODES: tuple[str, ...] = ("periodic", "valid", "one-sided")
MAX_TAPS = 64
"""Most taps a stencil may have (larger ones are refused as absurd)."""
MAX_OFFSET = 64
"""Largest |offset| a stencil may have."""


def check_offsets(offsets: Any) -> tuple[int, ...]:
    """Integer, unique, ascending offsets, at most ``MAX_TAPS`` of them within ``MAX_OFFSET``."""
    values = list(np.atleast_1d(np.asarray(offsets, dtype=object)).ravel())
    if not values:
        raise StencilError("a stencil needs at least one offset")
    if len(values) > MAX_TAPS:
        raise StencilError(f"a stencil may have at most {MAX_TAPS} taps, got {len(values)}")
    result = []
    for value in values:
        if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)
        ):
            raise StencilError(f"offsets must be integers, got {value!r}")
        if not float(value).is_integer():
            raise StencilError(f"offsets must be integers, got {value!r} (no rounding is done)")
        result.append(int(value))
    if len(set(result)) != len(result):
        raise StencilError(f"offsets must be unique, got duplicates in {result}")
    if result != sorted(result):
        raise StencilError(
            f"offsets must be sorted ascending, got {result}; sort them with their coefficients"
        )
    if max(abs(o) for o in result) > MAX_OFFSET:
        raise StencilError(f"|offset| may be at most {MAX_OFFSET}, got {result}")
    return tuple(result)


def check_coefficients(coefficients: Any, taps: int) -> np.ndarray:
    """One finite real coefficient per offset, as a read-only float64 array."""
    arr = np.asarray(coefficients)
    if arr.dtype.kind not in "iuf" or arr.dtype == np.bool_:
        raise StencilError(f"coefficients must be real numbers, got dtype {arr.dtype}")
    if arr.dtype.itemsize > 8 and arr.dtype.kind == "f":
        raise StencilError(f"coefficients of dtype {arr.dtype} would be rounded to float64; "
                           "convert them yourself")
    arr = np.array(arr, dtype=np.float64).ravel()
    if arr.size != taps:
        raise StencilError(f"got {arr.size} coefficients for {taps} offsets; give one per offset")
    if not np.isfinite(arr).all():
        raise StencilError(f"coefficients must be finite, got {arr.tolist()}")
    arr.setflags(write=False)
    return arr


def check_order(derivative_order: Any, taps: int) -> int:
    """A derivative order m >= 0 that ``taps`` points can approximate (taps >= m + 1)."""
    if isinstance(derivative_order, bool) or not isinstance(derivative_order, (int, np.integer)):
        raise StencilError(f"derivative order must be an integer, got {derivative_order!r}")
    m = int(derivative_order)
    if m < 0:
        raise StencilError(f"derivative order must be >= 0, got {m}")
    if taps < m + 1:
        raise StencilError(
            f"a derivative of order {m} needs at least {m + 1} taps, got {taps}; add offsets"
        )
    return m


def check_boundary(boundary: object) -> None:
    """Refuse a boundary mode other than those of :data:`BOUNDARY_MODES`."""
    if boundary not in BOUNDARY_MODES:
        raise StencilError(
            f"unknown boundary mode {boundary!r}; choose one of {', '.join(BOUNDARY_MODES)}"
        )
