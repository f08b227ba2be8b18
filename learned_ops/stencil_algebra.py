"""The weights of sums and compositions of stencils (the :class:`Stencil` operators build on).

``a + b`` and ``a - b`` add the weights on the union of the offsets; ``a @ b`` (``a`` applied
after ``b``) convolves them, so offsets add and, on periodic grids, ``(a @ b)(u) == a(b(u))``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["compose_weights", "sum_weights"]


def sum_weights(offsets: Sequence[int], coefficients: np.ndarray, other_offsets: Sequence[int],
                other_coefficients: np.ndarray,
                sign: float = 1.0) -> tuple[tuple[int, ...], np.ndarray]:
    """Offsets and weights of ``a + sign * b`` on the sorted union of both offsets."""
    merged = sorted(set(offsets) | set(other_offsets))
    coeffs = np.zeros(len(merged))
    index = {o: k for k, o in enumerate(merged)}
    for o, c in zip(offsets, coefficients, strict=True):
        coeffs[index[o]] += c
    for o, c in zip(other_offsets, other_coefficients, strict=True):
        coeffs[index[o]] += sign * c
    return tuple(merged), coeffs


def compose_weights(outer_offsets: Sequence[int], outer_coefficients: np.ndarray,
                    inner_offsets: Sequence[int],
                    inner_coefficients: np.ndarray) -> tuple[tuple[int, ...], list[float]]:
    """Offsets and weights of ``outer`` applied after ``inner`` (the convolution of both)."""
    combined: dict[int, float] = {}
    for oa, ca in zip(outer_offsets, outer_coefficients, strict=True):
        for ob, cb in zip(inner_offsets, inner_coefficients, strict=True):
            combined[oa + ob] = combined.get(oa + ob, 0.0) + float(ca) * float(cb)
    offsets = tuple(sorted(combined))
    return offsets, [combined[o] for o in offsets]
