"""Compiled kernel behind :meth:`Stencil.__call__`: one fused pass, finiteness check included.

``correlate_rows(u, offsets, coefficients, first, length, wrap)`` returns ``out`` with
``out[b, k] = sum_j c_j u[b, first + k + o_j]`` (indices taken modulo ``n`` when ``wrap``), or
``None`` when ``u`` holds a NaN or an infinity. Every input point is checked (branch-free:
``x * 0`` is 0 only for finite ``x``), so the caller need not scan the array a second time.

numba is imported lazily on the first call; if it is missing or fails, a NumPy implementation
with the same contract is used instead. The kernel is compiled once and cached on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["correlate_rows", "correlate_rows_numpy"]

_BLOCK = 1024
"""Output points per block in the compiled kernel (8 KiB of float64)."""
_compiled: Callable[..., Any] | None = None
_numba_failed = False


def correlate_rows_numpy(
    u: np.ndarray,
    offsets: np.ndarray,
    coefficients: np.ndarray,
    first: int,
    length: int,
    wrap: bool,
) -> np.ndarray | None:
    """Reference implementation (NumPy slicing); same contract as :func:`correlate_rows`."""
    if not np.isfinite(u).all():
        return None
    n = u.shape[-1]
    if wrap:
        left, right = max(0, -int(offsets[0])), max(0, int(offsets[-1]))
        u = np.concatenate([u[..., n - left :], u, u[..., :right]], axis=-1)
        first += left
    out = np.zeros((*u.shape[:-1], length))
    for offset, coeff in zip(offsets.tolist(), coefficients.tolist(), strict=True):
        if coeff != 0.0:
            start = first + offset
            out += coeff * u[..., start : start + length]
    return out


def _build() -> Callable[..., Any]:
    import numba

    # reassoc only: lets LLVM vectorise the finiteness sum; NaN/inf semantics are kept
    @numba.njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc"})
    def kernel(u, offsets, coefficients, first, out, wrap):  # pragma: no cover - compiled
        rows, n = u.shape
        length = out.shape[1]
        taps = offsets.size
        lo, hi = offsets[0], offsets[taps - 1]
        # k in [k0, k1): every index first + k + o_j lies in [0, n) without wrapping
        k0 = min(max(0, -lo - first), length)
        k1 = max(min(length, n - hi - first), k0)
        check = 0.0
        for b in range(rows):
            ub = u[b]
            ob = out[b]
            for i in range(n):  # finiteness of every input point: x * 0 is 0 iff x is finite
                check += ub[i] * 0.0
            for kb in range(k0, k1, _BLOCK):  # blocks stay in L1; the t loops vectorise
                ke = min(kb + _BLOCK, k1)
                dst = ob[kb:ke]  # slices + range indices: no negative-index checks
                for t in range(ke - kb):
                    dst[t] = 0.0
                for j in range(taps):
                    c = coefficients[j]
                    if c != 0.0:
                        shift = first + offsets[j]
                        src = ub[kb + shift : ke + shift]
                        for t in range(ke - kb):
                            dst[t] += c * src[t]
            for k in range(0, k0):
                acc = 0.0
                for j in range(taps):
                    acc += coefficients[j] * ub[(first + k + offsets[j]) % n]
                ob[k] = acc
            for k in range(k1, length):
                acc = 0.0
                for j in range(taps):
                    acc += coefficients[j] * ub[(first + k + offsets[j]) % n]
                ob[k] = acc
        return check == 0.0

    return kernel


def _kernel() -> Callable[..., Any] | None:
    global _compiled, _numba_failed
    if _compiled is None and not _numba_failed:
        try:
            _compiled = _build()
        except Exception:  # numba missing or broken: fall back to NumPy
            _numba_failed = True
    return _compiled


def correlate_rows(
    u: np.ndarray,
    offsets: np.ndarray,
    coefficients: np.ndarray,
    first: int,
    length: int,
    wrap: bool,
) -> np.ndarray | None:
    """Correlate every row of the 2-D float64 array ``u`` with the stencil.

    Args:
        u: Shape (rows, n), float64.
        offsets: int64 offsets, ascending.
        coefficients: float64 weights (already scaled by h**-m).
        first: Index of the grid point output column 0 belongs to.
        length: Number of output columns.
        wrap: Take indices modulo n (periodic); otherwise every index must lie on the grid.

    Returns:
        ``out`` of shape (rows, length), or None if ``u`` holds a non-finite value.
    """
    kernel = _kernel()
    if kernel is None or u.size == 0:
        return correlate_rows_numpy(u, offsets, coefficients, first, length, wrap)
    out = np.empty((u.shape[0], length))
    if not kernel(u, offsets, coefficients, first, out, wrap):
        return None
    return out
