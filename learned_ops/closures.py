"""Boundary closures: which weights the rows near a non-periodic edge use.

On a bounded grid of ``n`` nodes, row ``i`` is *interior* when every node the stencil touches
lies on the grid (``0 <= i + min(offsets)`` and ``i + max(offsets) <= n - 1``); interior rows use
the stencil itself. Every other row uses classical Fornberg weights of the same derivative order m
on the ``q = m + max(p, 1)`` grid nodes nearest to it (p is the stencil's verified accuracy order):
the window is centred on the row where it fits and slides inward at the edge, so the first and
last rows are fully one-sided. Each closure row is therefore accurate to order >= max(p, 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from learned_ops.fornberg import fornberg_weights

__all__ = ["ClosureRow", "closure_rows", "closure_width", "interior_range"]


@dataclass(frozen=True)
class ClosureRow:
    """The weights one boundary row uses.

    Attributes:
        row: The grid index the row computes.
        columns: The grid indices it reads.
        weights: Dimensionless weights, one per column.
    """

    row: int
    columns: np.ndarray
    weights: np.ndarray


def closure_width(derivative_order: int, accuracy_order: int) -> int:
    """Number of nodes a closure row uses: m + max(p, 1)."""
    return derivative_order + max(accuracy_order, 1)


def interior_range(offsets: tuple[int, ...], n: int) -> tuple[int, int]:
    """First interior row and one past the last interior row."""
    return max(0, -offsets[0]), min(n, n - offsets[-1])


def closure_rows(
    offsets: tuple[int, ...], derivative_order: int, accuracy_order: int, n: int
) -> list[ClosureRow]:
    """The closure rows for a grid of ``n`` nodes, left edge first (arrays are read-only)."""
    return list(
        _closure_rows(
            tuple(int(o) for o in offsets), int(derivative_order), int(accuracy_order), int(n)
        )
    )


@lru_cache(maxsize=256)
def _closure_rows(
    offsets: tuple[int, ...], derivative_order: int, accuracy_order: int, n: int
) -> tuple[ClosureRow, ...]:
    q = closure_width(derivative_order, accuracy_order)
    start, stop = interior_range(offsets, n)
    rows = [*range(0, min(start, n)), *range(max(stop, start), n)]
    result = []
    for i in rows:
        first = int(np.clip(i - (q - 1) // 2, 0, n - q))
        columns = np.arange(first, first + q)
        weights = fornberg_weights(derivative_order, tuple(int(c - i) for c in columns))
        columns.setflags(write=False)
        weights.setflags(write=False)
        result.append(ClosureRow(i, columns, weights))
    return tuple(result)
