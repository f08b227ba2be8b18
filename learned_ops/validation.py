"""Checks shared by the operators: arrays handed to an operator and scalar arguments."""

from __future__ import annotations

import math

import numpy as np

from learned_ops.errors import InputArrayError

__all__ = ["check_field", "check_spacing"]


def check_field(
    u: object, *, min_points: int, axis: int, what: str = "u", check_finite: bool = True
) -> np.ndarray:
    """Return ``u`` as a float64 array after checking dtype, shape and finiteness.

    Args:
        u: The array to check (float32 or float64; other dtypes are refused, not cast).
        min_points: The fewest points the operator needs along ``axis``.
        axis: The axis the operator acts along.
        what: The argument's name, for messages.
        check_finite: Scan for NaN and infinity (callers that check while computing skip it).

    Raises:
        InputArrayError: On a non-float dtype, a 0-d array, a bad axis, too few points or
            non-finite values.
    """
    arr = np.asarray(u)
    if arr.dtype.kind != "f":
        kind = {"i": "integer", "u": "unsigned integer", "c": "complex", "b": "boolean"}.get(
            arr.dtype.kind, str(arr.dtype)
        )
        raise InputArrayError(
            f"{what} has {kind} dtype {arr.dtype}; operators need real floating-point data "
            f"(convert with {what}.astype(float))"
        )
    if arr.dtype.itemsize > 8:
        raise InputArrayError(
            f"{what} has dtype {arr.dtype}, wider than float64; it would be rounded: convert "
            f"it yourself ({what}.astype(np.float64)) if that is what you want"
        )
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise InputArrayError(f"axis must be an integer, got {axis!r}")
    if arr.ndim == 0:
        raise InputArrayError(f"{what} is a scalar; pass an array with at least one axis")
    if not -arr.ndim <= axis < arr.ndim:
        raise InputArrayError(f"axis {axis} is out of range for {what} with {arr.ndim} dims")
    if arr.shape[axis] < min_points:
        raise InputArrayError(
            f"{what} has {arr.shape[axis]} points along axis {axis}, but this operator needs "
            f"at least {min_points}; use a finer grid or a narrower stencil"
        )
    arr = arr.astype(np.float64, copy=False)
    if check_finite and not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise InputArrayError(f"{what} contains {bad} NaN or infinite value(s); clean the input")
    return arr


def check_spacing(h: object) -> float:
    """Return the grid spacing as a float after checking it is finite and positive."""
    if isinstance(h, bool) or not isinstance(h, (int, float, np.integer, np.floating)):
        raise InputArrayError(f"grid spacing h must be a real number, got {h!r}")
    value = float(h)
    if not math.isfinite(value) or value <= 0.0:
        raise InputArrayError(f"grid spacing h must be finite and > 0, got {value!r}")
    return value
