"""2-D stepping: the compiled 2-D kernel against careful NumPy, a hand-fused numba loop, py-pde.

Cases (periodic unit square, n x n, h = 1/n): heat u_t = u_xx + u_yy with forward Euler and
the 3-point stencil per axis (the 5-point Laplacian; r = dt / h**2 = 0.2, limit 0.25), and
advection u_t + u_x + 0.5 u_y = 0 with RK4 and the central 3-point stencil per axis (dt = 0.5
h), at n = 256 and 1024. Wall seconds per step (rows run on both cores where the kernels split
them), best of rounds:

- ``compiled``: :func:`solvers.fast2d.compiled_steps` (numba, rows split from 128 x 128);
- ``careful numpy``: ghost-padded arrays, every temporary preallocated, ``out=`` everywhere;
- ``hand numba``: a numba loop hand-fused for this stencil and stepper (``prange`` over rows),
  the practical limit;
- ``py-pde``: py-pde's numba backend, stepper made once and reused (its fixed-step RK4 is the
  classic 4-stage method, its 2-D ``laplace`` the 5-point stencil), when py-pde is installed.

Before anything is timed, every implementation's state after a few steps is checked against
the compiled kernel's (relative max difference at most :data:`AGREE`; otherwise the benchmark
stops). Ratios are other / compiled (above 1: the compiled kernel is faster). Run alone with
``python -m benchmarks.run --only 2d``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from solvers.fast2d import compiled_steps
from solvers.grid2d import Grid2D
from solvers.problems2d import Advection2D, Heat2D
from solvers.stepping2d import discretize_2d
from solvers.tableaux import get_tableau

__all__ = ["run"]

SECTION = "2d"
SIZES = (256, 1024)
AGREE = 1e-12
_ROUNDS = 3
R = 0.2
"""Diffusion number dt / h**2 of the heat case."""
AY = 0.5


class _Stencil:
    def __init__(self, m: int, offsets: tuple[int, ...], coefficients: list[float]) -> None:
        self.offsets = offsets
        self.coefficients = np.array(coefficients)
        self.derivative_order = m
        self.name = f"fd-m{m}-{len(offsets)}pt"


D2 = _Stencil(2, (-1, 0, 1), [1.0, -2.0, 1.0])
D1 = _Stencil(1, (-1, 0, 1), [-0.5, 0.0, 0.5])


# ------------------------------------------------------------------ careful NumPy
def _ghosts(ue: np.ndarray) -> None:
    ue[0, :] = ue[-2, :]
    ue[-1, :] = ue[1, :]
    ue[:, 0] = ue[:, -2]
    ue[:, -1] = ue[:, 1]


def careful_heat(u0: np.ndarray, r: float, steps: int) -> np.ndarray:
    """Forward Euler, 5-point Laplacian, preallocated (ue, t), ``out=``."""
    ue = np.zeros((u0.shape[0] + 2, u0.shape[1] + 2))
    ue[1:-1, 1:-1] = u0
    t = np.empty_like(u0)
    mid = ue[1:-1, 1:-1]
    for _ in range(steps):
        _ghosts(ue)
        np.add(ue[1:-1, 2:], ue[1:-1, :-2], out=t)
        t += ue[2:, 1:-1]
        t += ue[:-2, 1:-1]
        t -= 4.0 * mid
        t *= r
        mid += t
    return mid.copy()


def careful_rk4(u0: np.ndarray, cx: float, cy: float, dt: float, steps: int) -> np.ndarray:
    """Classic RK4 for u_t = -(cx dx + cy dy) u, central differences (cx = a / 2h)."""
    u = u0.copy()
    y = np.zeros((u0.shape[0] + 2, u0.shape[1] + 2))
    k, t, acc = (np.empty_like(u0) for _ in range(3))
    mid = y[1:-1, 1:-1]

    def rhs() -> None:
        _ghosts(y)
        np.subtract(y[1:-1, 2:], y[1:-1, :-2], out=k)
        np.multiply(k, -cx, out=k)
        np.subtract(y[2:, 1:-1], y[:-2, 1:-1], out=t)
        np.multiply(t, -cy, out=t)
        np.add(k, t, out=k)

    for _ in range(steps):
        mid[...] = u
        rhs()  # k1
        np.multiply(k, dt / 6.0, out=acc)
        for ahead, share in ((0.5, 2.0), (0.5, 2.0), (1.0, 1.0)):
            np.multiply(k, ahead * dt, out=t)
            np.add(u, t, out=mid)
            rhs()
            np.multiply(k, share * dt / 6.0, out=t)
            acc += t
        u += acc
    return u


# ------------------------------------------------------------------ hand-fused numba
@numba.njit(parallel=True, cache=True)
def _heat_step(u: np.ndarray, out: np.ndarray, r: float) -> None:  # pragma: no cover
    ny, nx = u.shape
    for j in numba.prange(ny):
        jm = j - 1 if j > 0 else ny - 1
        jp = j + 1 if j < ny - 1 else 0
        a, b, c = u[jm], u[j], u[jp]
        o = out[j]
        o[0] = b[0] + r * (b[nx - 1] + b[1] + a[0] + c[0] - 4.0 * b[0])
        for i in range(1, nx - 1):
            o[i] = b[i] + r * (b[i - 1] + b[i + 1] + a[i] + c[i] - 4.0 * b[i])
        o[nx - 1] = b[nx - 1] + r * (b[nx - 2] + b[0] + a[nx - 1] + c[nx - 1] - 4.0 * b[nx - 1])


@numba.njit(cache=True)
def hand_heat(u0: np.ndarray, r: float, steps: int) -> np.ndarray:  # pragma: no cover
    """Forward Euler heat, 5-point, two buffers swapped."""
    u = u0.copy()
    v = np.empty_like(u)
    for _ in range(steps):
        _heat_step(u, v, r)
        u, v = v, u
    return u


@numba.njit(parallel=True, cache=True)
def _rk4_stage(x: np.ndarray, u: np.ndarray, acc: np.ndarray, nxt: np.ndarray, cx: float,
               cy: float, wk: float, wn: float, first: bool,
               last: bool) -> None:  # pragma: no cover
    ny, nx = x.shape
    for j in numba.prange(ny):
        jm = j - 1 if j > 0 else ny - 1
        jp = j + 1 if j < ny - 1 else 0
        for i in range(nx):
            im = i - 1 if i > 0 else nx - 1
            ip = i + 1 if i < nx - 1 else 0
            k = -(cx * (x[j, ip] - x[j, im]) + cy * (x[jp, i] - x[jm, i]))
            a = wk * k if first else acc[j, i] + wk * k
            if last:
                nxt[j, i] = u[j, i] + a
            else:
                acc[j, i] = a
                nxt[j, i] = u[j, i] + wn * k


@numba.njit(cache=True)
def hand_rk4(u0: np.ndarray, cx: float, cy: float, dt: float,
             steps: int) -> np.ndarray:  # pragma: no cover
    """Classic RK4, each stage one fused pass (k, the accumulated sum, the next input)."""
    u = u0.copy()
    acc = np.empty_like(u)
    y1 = np.empty_like(u)
    y2 = np.empty_like(u)
    new = np.empty_like(u)
    for _ in range(steps):
        _rk4_stage(u, u, acc, y1, cx, cy, dt / 6.0, dt / 2.0, True, False)
        _rk4_stage(y1, u, acc, y2, cx, cy, dt / 3.0, dt / 2.0, False, False)
        _rk4_stage(y2, u, acc, y1, cx, cy, dt / 3.0, dt, False, False)
        _rk4_stage(y1, u, acc, new, cx, cy, dt / 6.0, 0.0, False, True)
        u, new = new, u
    return u


# ------------------------------------------------------------------ py-pde
def pypde_runner(kind: str, u0: np.ndarray, dt: float) -> Callable[[int], np.ndarray] | None:
    """``run(steps)`` with py-pde's numba backend (stepper reused), or None without py-pde."""
    try:
        import pde
    except ImportError:
        return None
    n = u0.shape[0]
    grid = pde.CartesianGrid([[0.0, 1.0], [0.0, 1.0]], [n, n], periodic=True)
    field = pde.ScalarField(grid, u0.T.copy())  # py-pde's data is [x, y]
    if kind == "heat":
        eq, solver = pde.DiffusionPDE(diffusivity=1.0), pde.EulerSolver
    else:
        eq, solver = pde.PDE({"u": f"-d_dx(u) - {AY} * d_dy(u)"}), pde.RungeKuttaSolver
    stepper = solver(eq, backend="numba", adaptive=False).make_stepper(field, dt=dt)

    def run_steps(steps: int) -> np.ndarray:
        field.data[...] = u0.T
        stepper(field, 0.0, (steps - 0.5) * dt)
        return field.data.T.copy()

    return run_steps


# ------------------------------------------------------------------ timing
def _best(fn: Callable[[], Any], steps: int) -> float:
    fn()
    best = float("inf")
    for _ in range(_ROUNDS):
        started = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - started) / steps)
    return best


def _case(name: str, n: int) -> list[dict]:
    rng = np.random.default_rng(7)
    u0 = rng.standard_normal((n, n))
    h = 1.0 / n
    grid = Grid2D.periodic(n, n, 0.0, 1.0)
    if name == "heat":
        dt = R * h * h
        problem = Heat2D(1.0, D2, grid)
        tableau = get_tableau("forward-euler")
        others = {"careful numpy": lambda s: careful_heat(u0, R, s),
                  "hand numba": lambda s: hand_heat(u0, R, s)}
    else:
        dt = 0.5 * h
        problem = Advection2D((1.0, AY), D1, grid)
        tableau = get_tableau("rk4")
        cx, cy = 1.0 / (2 * h), AY / (2 * h)
        others = {"careful numpy": lambda s: careful_rk4(u0, cx, cy, dt, s),
                  "hand numba": lambda s: hand_rk4(u0, cx, cy, dt, s)}
    pypde = pypde_runner(name, u0, dt)
    if pypde is not None:
        others["py-pde"] = pypde
    operator = discretize_2d(problem)

    def ours(s: int) -> np.ndarray:
        return compiled_steps(operator, u0, dt, s, tableau)

    check = ours(4)
    scale = float(np.max(np.abs(check)))
    for label, fn in others.items():
        diff = float(np.max(np.abs(fn(4) - check))) / scale
        if not diff <= AGREE:
            raise RuntimeError(f"2-D {name} n = {n}: {label} differs from ours by {diff:.3g}")
    steps = max(2, int(2e7 / (n * n * tableau.stages)))
    t_ours = _best(lambda: ours(steps), steps)
    label = f"{name} {'euler' if name == 'heat' else 'rk4'} {n}x{n}"
    rows = [{"section": SECTION, "case": f"{label} compiled", "value": t_ours * 1e6,
             "unit": "us/step"}]
    targets = {"careful numpy": (2.5, ">= 2.5x"), "py-pde": (3.0, ">= 3x"),
               "hand numba": (1 / 1.2, ">= 0.83x (within 1.2x)")}
    for other, fn in others.items():
        t = _best(lambda fn=fn: fn(steps), steps)
        need, text = targets[other]
        rows.append({"section": SECTION, "case": f"{label} {other}", "value": t * 1e6,
                     "unit": "us/step", "ratio": t / t_ours, "target": text,
                     "meets": t / t_ours >= need})
    return rows


def run() -> list[dict]:
    """The rows of the 2-D stepping benchmark."""
    rows: list[dict] = []
    for n in SIZES:
        for name in ("heat", "advection"):
            rows.extend(_case(name, n))
    return rows
