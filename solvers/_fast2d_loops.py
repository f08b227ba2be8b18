"""The numba loops of :mod:`solvers.fast2d` (imported on first use: this module imports numba).

Module-level functions so that numba caches their machine code between processes; one run
function per mode (rows split between threads with ``prange``, or serial).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

__all__ = ["run_parallel", "run_serial"]


@numba.njit(cache=True, inline="always")
def _row_stage(x: Any, u: Any, ks: Any, i: int, r: int, ny: int, nx: int,
               ox: Any, wx: Any, oy: Any, wy: Any, mix: Any, dt: float, out: Any) -> None:
    """k_i on row r (batch-major rows), and ``out = u + dt sum_m mix[m] k_m`` on that row.

    Each tap is one pass over the row (vectorisable); the row stays in the first-level cache.
    """
    bb = r // ny
    j = r - bb * ny
    k = ks[i, r]
    row = x[r]
    lo = 0
    hi = nx
    for t in range(ox.size):
        lo = max(lo, -ox[t])
        hi = min(hi, nx - ox[t])
    for p in range(nx):
        k[p] = 0.0
    for t in range(ox.size):
        o = ox[t]
        w = wx[t]
        for p in range(lo):
            k[p] += w * row[(p + o) % nx]
        for p in range(lo, hi):
            k[p] += w * row[p + o]
        for p in range(max(hi, lo), nx):
            k[p] += w * row[(p + o) % nx]
    for t in range(oy.size):
        jj = (j + oy[t]) % ny
        w = wy[t]
        src = x[bb * ny + jj]
        for p in range(nx):
            k[p] += w * src[p]
    dst = out[r]
    base = u[r]
    for p in range(nx):
        dst[p] = base[p]
    for m in range(mix.size):
        c = dt * mix[m]
        if c != 0.0:
            km = ks[m, r]
            for p in range(nx):
                dst[p] += c * km[p]


@numba.njit(cache=True)
def run_serial(u: Any, ox: Any, wx: Any, oy: Any, wy: Any, a: Any, b: Any, dt: float,
               steps: int, ny: int, check: int) -> tuple[int, float]:
    """``steps`` steps on ``u`` (rows x nx, batch-major rows, updated in place).

    Returns (step, max|u|) of a blow-up, or (-1, 0.0).
    """
    rows, nx = u.shape
    s = b.size
    ks = np.empty((s, rows, nx))
    x = np.empty((rows, nx))
    nxt = np.empty((rows, nx))
    new = np.empty((rows if s == 1 else 1, nx))
    scale = 1.0
    for r in range(rows):
        for p in range(nx):
            v = abs(u[r, p])
            if v > scale:
                scale = v
    for step in range(steps):
        for i in range(s):
            last = i == s - 1
            mix = b if last else a[i + 1, : i + 1]
            # inputs and outputs ping-pong: X_1 = u, X_2 in x, X_3 in nxt, X_4 in x, ...;
            # the last stage writes u in place (it reads u only at the point it writes),
            # except for a one-stage method, whose stage reads u's neighbours.
            src = u if i == 0 else (x if i % 2 == 1 else nxt)
            dst = (new if s == 1 else u) if last else (x if i % 2 == 0 else nxt)
            for r in range(rows):
                _row_stage(src, u, ks, i, r, ny, nx, ox, wx, oy, wy, mix, dt, dst)
        if s == 1:
            u[:, :] = new
        if step % check == check - 1 or step == steps - 1:
            peak = 0.0
            for r in range(rows):
                for p in range(nx):
                    v = abs(u[r, p])
                    if not v <= peak:
                        peak = v
            if not (peak <= 1e12 * scale):
                return step + 1, peak
    return -1, 0.0


@numba.njit(cache=True, parallel=True)
def run_parallel(u: Any, ox: Any, wx: Any, oy: Any, wy: Any, a: Any, b: Any, dt: float,
                 steps: int, ny: int, check: int) -> tuple[int, float]:
    """``steps`` steps on ``u`` (rows x nx, batch-major rows, updated in place), rows split
    between threads.

    Returns (step, max|u|) of a blow-up, or (-1, 0.0).
    """
    rows, nx = u.shape
    s = b.size
    ks = np.empty((s, rows, nx))
    x = np.empty((rows, nx))
    nxt = np.empty((rows, nx))
    new = np.empty((rows if s == 1 else 1, nx))
    scale = 1.0
    for r in range(rows):
        for p in range(nx):
            v = abs(u[r, p])
            if v > scale:
                scale = v
    for step in range(steps):
        for i in range(s):
            last = i == s - 1
            mix = b if last else a[i + 1, : i + 1]
            # inputs and outputs ping-pong: X_1 = u, X_2 in x, X_3 in nxt, X_4 in x, ...;
            # the last stage writes u in place (it reads u only at the point it writes),
            # except for a one-stage method, whose stage reads u's neighbours.
            src = u if i == 0 else (x if i % 2 == 1 else nxt)
            dst = (new if s == 1 else u) if last else (x if i % 2 == 0 else nxt)
            for r in numba.prange(rows):
                _row_stage(src, u, ks, i, r, ny, nx, ox, wx, oy, wy, mix, dt, dst)
        if s == 1:
            u[:, :] = new
        if step % check == check - 1 or step == steps - 1:
            peak = 0.0
            for r in range(rows):
                for p in range(nx):
                    v = abs(u[r, p])
                    if not v <= peak:
                        peak = v
            if not (peak <= 1e12 * scale):
                return step + 1, peak
    return -1, 0.0
