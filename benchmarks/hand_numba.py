"""Hand-specialised numba loops: the practical limit the compiled kernel is measured against.

Each loop is what a careful user would write for one stencil and one stepper on a periodic
grid: the stencil's weights written out (so the tap loop does not exist), two buffers that
swap roles, the two wrap-around edge points computed apart so the interior loop vectorises,
and for a batch each row running all its steps while it sits in cache. They live in their
own module because importing it imports numba (``cache=True``: compiled once per machine).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["heat3_euler", "heat5_euler", "rk4_central", "upwind_euler"]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _heat3_row(a, b, r, steps):  # pragma: no cover - compiled
    n = a.size
    for _ in range(steps):
        b[0] = a[0] + r * (a[n - 1] - 2.0 * a[0] + a[1])
        for i in range(1, n - 1):
            b[i] = a[i] + r * (a[i - 1] - 2.0 * a[i] + a[i + 1])
        b[n - 1] = a[n - 1] + r * (a[n - 2] - 2.0 * a[n - 1] + a[0])
        a, b = b, a
    return a


@numba.njit(cache=True, nogil=True, error_model="numpy")
def heat3_euler(u0, r, steps):  # pragma: no cover - compiled
    """Forward Euler for u_t = u_xx, 3-point stencil, r = dt / h**2; u0 is (rows, n)."""
    out = np.empty_like(u0)
    for row in range(u0.shape[0]):
        a = u0[row].copy()
        b = np.empty_like(a)
        out[row] = _heat3_row(a, b, r, steps)
    return out


@numba.njit(cache=True, nogil=True, error_model="numpy")
def heat5_euler(u0, r, steps):  # pragma: no cover - compiled
    """Forward Euler, 5-point fourth-order u_xx; u0 is (n,); r = dt / h**2."""
    n = u0.size
    a = u0.copy()
    b = np.empty_like(a)
    w0, w1, w2 = -2.5 * r, 4.0 / 3.0 * r, -1.0 / 12.0 * r
    for _ in range(steps):
        for i in (0, 1, n - 2, n - 1):
            b[i] = a[i] + (w2 * (a[(i - 2) % n] + a[(i + 2) % n])
                           + w1 * (a[(i - 1) % n] + a[(i + 1) % n]) + w0 * a[i])
        for i in range(2, n - 2):
            b[i] = a[i] + (w2 * (a[i - 2] + a[i + 2]) + w1 * (a[i - 1] + a[i + 1]) + w0 * a[i])
        a, b = b, a
    return a


@numba.njit(cache=True, nogil=True, error_model="numpy")
def upwind_euler(u0, c, steps):  # pragma: no cover - compiled
    """Forward Euler for u_t = -a u_x, 2-point upwind stencil, c = a dt / h; u0 is (n,)."""
    n = u0.size
    a = u0.copy()
    b = np.empty_like(a)
    for _ in range(steps):
        b[0] = a[0] - c * (a[0] - a[n - 1])
        for i in range(1, n):
            b[i] = a[i] - c * (a[i] - a[i - 1])
        a, b = b, a
    return a


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _central(x, y, u, fs, fd, cy, cb, n):  # pragma: no cover - compiled
    """k = x[i-1] - x[i+1] (the speed factor is in cy, cb); y = u + cy k; fd = fs + cb k."""
    k = x[n - 1] - x[1]
    y[0] = u[0] + cy * k
    fd[0] = fs[0] + cb * k
    for i in range(1, n - 1):
        k = x[i - 1] - x[i + 1]
        y[i] = u[i] + cy * k
        fd[i] = fs[i] + cb * k
    k = x[n - 2] - x[0]
    y[n - 1] = u[n - 1] + cy * k
    fd[n - 1] = fs[n - 1] + cb * k


@numba.njit(cache=True, nogil=True, error_model="numpy")
def rk4_central(u0, c, dt, steps):  # pragma: no cover - compiled
    """Classic RK4 for u_t = -a u_x, central difference, c = a / (2 h); u0 is (n,).

    Stages fused with the update: each stage is one pass writing the next stage value and
    adding its share to the running update, the last pass writing the new state.
    """
    n = u0.size
    u = u0.copy()
    y1 = np.empty(n)
    y2 = np.empty(n)
    acc = np.empty(n)
    h2, h6, h3 = 0.5 * dt * c, dt * c / 6.0, dt * c / 3.0
    for _ in range(steps):
        _central(u, y1, u, u, acc, h2, h6, n)
        _central(y1, y2, u, acc, acc, h2, h3, n)
        _central(y2, y1, u, acc, acc, dt * c, h3, n)
        u[0] = acc[0] + h6 * (y1[n - 1] - y1[1])
        for i in range(1, n - 1):
            u[i] = acc[i] + h6 * (y1[i - 1] - y1[i + 1])
        u[n - 1] = acc[n - 1] + h6 * (y1[n - 2] - y1[0])
    return u
