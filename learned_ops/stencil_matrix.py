"""The sparse matrix of a stencil on ``n`` points, for each boundary mode.

Row ``i`` holds ``h**(-m) c_j`` at column ``i + offsets[j]``: wrapped (``periodic``), only the
rows whose stencil fits (``valid``), or the interior rows plus the one-sided closure rows of
:mod:`learned_ops.closures` (``one-sided``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from learned_ops.closures import closure_rows, interior_range

__all__ = ["stencil_matrix"]


def stencil_matrix(offsets: tuple[int, ...], coefficients: np.ndarray, derivative_order: int,
                   accuracy_order: int, n: int, spacing: float,
                   boundary: str) -> sp.csr_array:
    """The matrix equal to applying the stencil to a vector of ``n`` points.

    Args:
        offsets: The stencil's ascending offsets.
        coefficients: Its dimensionless weights, one per offset.
        derivative_order: m (the weights are scaled by ``spacing**(-m)``).
        accuracy_order: Its accuracy order (the closures of ``one-sided`` match it).
        n: Grid points (already checked against the stencil's minimum).
        spacing: Grid spacing h (already checked).
        boundary: ``periodic``, ``valid`` or ``one-sided`` (already checked).

    Returns:
        A CSR array of shape ``(n - span, n)`` for ``valid``, else ``(n, n)``.
    """
    span = offsets[-1] - offsets[0]
    scale = spacing ** (-derivative_order)
    rows_l, cols_l, vals_l = [], [], []
    if boundary == "valid":
        length = n - span
        rows = np.arange(length)
        for offset, coeff in zip(offsets, coefficients, strict=True):
            rows_l.append(rows)
            cols_l.append(rows + offset - offsets[0])
            vals_l.append(np.full(length, coeff * scale))
        shape = (length, n)
    elif boundary == "periodic":
        rows = np.arange(n)
        for offset, coeff in zip(offsets, coefficients, strict=True):
            rows_l.append(rows)
            cols_l.append((rows + offset) % n)
            vals_l.append(np.full(n, coeff * scale))
        shape = (n, n)
    else:
        start, stop = interior_range(offsets, n)
        rows = np.arange(start, max(start, stop))
        for offset, coeff in zip(offsets, coefficients, strict=True):
            rows_l.append(rows)
            cols_l.append(rows + offset)
            vals_l.append(np.full(rows.size, coeff * scale))
        for row in closure_rows(offsets, derivative_order, accuracy_order, n):
            rows_l.append(np.full(row.columns.size, row.row))
            cols_l.append(row.columns)
            vals_l.append(row.weights * scale)
        shape = (n, n)
    coo = sp.coo_array(
        (np.concatenate(vals_l), (np.concatenate(rows_l), np.concatenate(cols_l))), shape=shape
    )
    return coo.tocsr()
