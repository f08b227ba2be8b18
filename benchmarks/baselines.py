"""The best a user could write without this project: careful NumPy loops and py-pde.

Careful NumPy: every buffer preallocated, every operation writing into one with ``out=``
or in place, periodic ghosts refreshed as two scalars (no temporaries per step). py-pde:
its numba backend, the stepper made once (compilation outside the timing) and reused;
its fixed-step ``RungeKuttaSolver`` is classic 4-stage RK4 (:data:`PYPDE_STAGES`).
The hand-specialised numba loops (the practical limit) are in :mod:`benchmarks.hand_numba`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["PYPDE_STAGES", "careful_heat3", "careful_heat5", "careful_rk4", "careful_upwind",
           "naive_heat3", "naive_heat5", "naive_rk4", "naive_upwind", "pypde_runner"]

PYPDE_STAGES = {"euler": 1, "rk4": 4}
"""Right-hand-side evaluations per step of py-pde's fixed-step solvers (RK4 checked
against the RK4 formula: it is not a 6-stage RK45)."""


def careful_heat3(u0: np.ndarray, r: float, steps: int) -> np.ndarray:
    """Forward Euler, 3-point u_xx, r = dt / h**2; u0 is (n,) or (rows, n)."""
    n = u0.shape[-1]
    ue = np.empty((*u0.shape[:-1], n + 2))
    ue[..., 1:-1] = u0
    side = np.empty(u0.shape)
    mid = ue[..., 1:-1]
    keep = 1.0 - 2.0 * r
    for _ in range(steps):
        ue[..., 0] = ue[..., n]
        ue[..., n + 1] = ue[..., 1]
        np.add(ue[..., :-2], ue[..., 2:], out=side)
        side *= r
        mid *= keep
        mid += side
    return mid.copy()


def careful_heat5(u0: np.ndarray, r: float, steps: int) -> np.ndarray:
    """Forward Euler, 5-point fourth-order u_xx; u0 is (n,)."""
    n = u0.size
    ue = np.empty(n + 4)
    ue[2:-2] = u0
    near, far = np.empty(n), np.empty(n)
    mid = ue[2:-2]
    w0, w1, w2 = 1.0 - 2.5 * r, 4.0 / 3.0 * r, -1.0 / 12.0 * r
    for _ in range(steps):
        ue[:2] = ue[n : n + 2]
        ue[n + 2 :] = ue[2:4]
        np.add(ue[1:-3], ue[3:-1], out=near)
        np.add(ue[:-4], ue[4:], out=far)
        near *= w1
        far *= w2
        near += far
        mid *= w0
        mid += near
    return mid.copy()


def careful_upwind(u0: np.ndarray, c: float, steps: int) -> np.ndarray:
    """Forward Euler, 2-point upwind u_x, c = a dt / h; u0 is (n,)."""
    n = u0.size
    ue = np.empty(n + 1)
    ue[1:] = u0
    left = np.empty(n)
    mid = ue[1:]
    for _ in range(steps):
        ue[0] = ue[n]
        np.multiply(ue[:-1], c, out=left)
        mid *= 1.0 - c
        mid += left
    return mid.copy()


def careful_rk4(u0: np.ndarray, c: float, dt: float, steps: int) -> np.ndarray:
    """Classic RK4 for u_t = -a u_x, central difference, c = a / (2 h); u0 is (n,)."""
    n = u0.size
    u = np.empty(n + 2)
    y = np.empty(n + 2)
    u[1:-1] = u0
    k = np.empty(n)
    acc = np.empty(n)
    um, ym = u[1:-1], y[1:-1]

    def rhs(x: np.ndarray) -> None:  # k = -c (x[i+1] - x[i-1]), ghosts refreshed first
        x[0] = x[n]
        x[n + 1] = x[1]
        np.subtract(x[:-2], x[2:], out=k)
        np.multiply(k, c, out=k)

    for _ in range(steps):
        rhs(u)
        np.multiply(k, dt / 6.0, out=acc)
        np.multiply(k, 0.5 * dt, out=ym)
        ym += um
        for share, ahead in ((dt / 3.0, 0.5 * dt), (dt / 3.0, dt)):
            rhs(y)
            np.multiply(k, ahead, out=ym)
            ym += um
            k *= share
            acc += k
        rhs(y)
        k *= dt / 6.0
        acc += k
        um += acc
    return um.copy()


def naive_heat3(u0: np.ndarray, r: float, steps: int) -> np.ndarray:
    """The slicing loop with temporaries every step (an extra row, not a baseline)."""
    ue = np.empty((*u0.shape[:-1], u0.shape[-1] + 2))
    ue[..., 1:-1] = u0
    for _ in range(steps):
        ue[..., 0] = ue[..., -2]
        ue[..., -1] = ue[..., 1]
        ue[..., 1:-1] += r * (ue[..., 2:] - 2.0 * ue[..., 1:-1] + ue[..., :-2])
    return ue[..., 1:-1].copy()


def naive_heat5(u0: np.ndarray, r: float, steps: int) -> np.ndarray:
    ue = np.empty(u0.size + 4)
    ue[2:-2] = u0
    a, b, c = -1 / 12 * r, 4 / 3 * r, -5 / 2 * r
    for _ in range(steps):
        ue[:2] = ue[-4:-2]
        ue[-2:] = ue[2:4]
        ue[2:-2] += (a * (ue[:-4] + ue[4:]) + b * (ue[1:-3] + ue[3:-1])) + c * ue[2:-2]
    return ue[2:-2].copy()


def naive_upwind(u0: np.ndarray, c: float, steps: int) -> np.ndarray:
    u = u0.copy()
    d = np.empty_like(u)
    for _ in range(steps):
        d[1:] = u[1:] - u[:-1]
        d[0] = u[0] - u[-1]
        u -= c * d
    return u


def naive_rk4(u0: np.ndarray, c: float, dt: float, steps: int) -> np.ndarray:
    """RK4 for u_t = -a u_x with the central difference; c = a / (2 h)."""

    def f(u: np.ndarray) -> np.ndarray:
        d = np.empty_like(u)
        d[1:-1] = u[2:] - u[:-2]
        d[0] = u[1] - u[-1]
        d[-1] = u[0] - u[-2]
        return -c * d

    u = u0.copy()
    for _ in range(steps):
        k1 = f(u)
        k2 = f(u + 0.5 * dt * k1)
        k3 = f(u + 0.5 * dt * k2)
        k4 = f(u + dt * k3)
        u = u + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return u


def pypde_runner(kind: str, u0: np.ndarray,
                 dt: float) -> Callable[[int], np.ndarray] | None:
    """A function running ``steps`` py-pde steps from ``u0`` (stepper reused), or None.

    Args:
        kind: ``heat3`` (Euler, diffusion), ``rk4`` (RK4 advection, central d_dx) or
            ``euler-central`` (Euler advection, central d_dx: py-pde has no upwind d_dx).
        u0: Initial values on the periodic unit interval, shape ``(n,)``.
        dt: Fixed step.

    Returns:
        ``run(steps) -> final state`` (each call starts again from ``u0``), or None when
        py-pde is not installed.
    """
    try:
        import pde
    except ImportError:
        return None
    grid = pde.CartesianGrid([[0.0, 1.0]], [u0.size], periodic=True)
    field = pde.ScalarField(grid, u0.copy())
    eq = pde.DiffusionPDE(diffusivity=1.0) if kind == "heat3" else pde.PDE({"u": "-d_dx(u)"})
    solver = pde.RungeKuttaSolver if kind == "rk4" else pde.EulerSolver
    stepper = solver(eq, backend="numba", adaptive=False).make_stepper(field, dt=dt)

    def run_steps(steps: int) -> np.ndarray:
        field.data[...] = u0
        stepper(field, 0.0, (steps - 0.5) * dt)
        return field.data.copy()

    return run_steps
