"""Per-block helpers of :mod:`solvers._fast_semilinear_loops` (this module imports numba):
the forcing's values on a block and the watched measures (sum of squares, max|u|, total
variation). Module-level compiled functions, cached on disk like the loops that call them."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["forcing_values", "measures"]

_U = np.uint64


@numba.njit(cache=True, nogil=True, error_model="numpy")
def forcing_values(tsin, tcos, ca, cb, ro, fv, q0, m):  # pragma: no cover - compiled
    """fv[q] = sum_g ca[g] tsin[g, q + ro] + cb[g] tcos[g, q + ro], q in [q0, q0 + m).

    One vectorised pass per table row (the tables are (groups, points): a row is contiguous).
    """
    s0 = tsin[0]
    c0 = tcos[0]
    a0 = ca[0]
    b0 = cb[0]
    for t in range(m):
        q = _U(q0 + t)
        fv[q] = a0 * s0[q + _U(ro)] + b0 * c0[q + _U(ro)]
    for g in range(1, ca.size):
        sg = tsin[g]
        cg = tcos[g]
        ag = ca[g]
        bg = cb[g]
        for t in range(m):
            q = _U(q0 + t)
            fv[q] = fv[q] + (ag * sg[q + _U(ro)] + bg * cg[q + _U(ro)])


_ABS_BITS = 0x7FFFFFFFFFFFFFFF


@numba.njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc", "nsz"})
def measures(v, iv, lo, hi, prev):  # pragma: no cover - compiled
    """(sum v**2, bits of max|v|, sum |v[t] - v[t-1]|) over v[lo:hi], v[lo - 1] taken as prev.

    iv is v's int64 view: the bit patterns of |v| order as the values do (nan above inf), so
    the maximum is an integer maximum (it vectorises, and keeps a nan). The sums are
    reassociated (vectorised): the order of their additions is LLVM's.
    """
    sq = 0.0
    for t in range(lo, hi):
        x = v[_U(t)]
        sq += x * x
    tv = abs(v[_U(lo)] - prev)
    for t in range(lo + 1, hi):
        tv += abs(v[_U(t)] - v[_U(t - 1)])
    big = 0
    for t in range(lo, hi):
        big = max(big, iv[_U(t)] & _ABS_BITS)
    return sq, big, tv
