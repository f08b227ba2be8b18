"""Time stepping: the compiled kernel against NumPy, py-pde and scipy, side by side in one run.

Cases (periodic grid on [0, 1)): heat with forward Euler and the 3- and 5-point second
derivative (diffusion number 0.4 / 0.3), advection with RK4 and the 3-point central first
derivative (Courant 0.5), advection with forward Euler and the 2-point upwind stencil
(Courant 0.5), at N = 400, 4,000 and 40,000; and a batch of 1,000 initial conditions x 400
points (heat, Euler, 3-point). For each case, per step (best of several repeats):

- ``compiled``: :class:`solvers.fast_kernels.FastRungeKuttaKernel` ``advance`` (numba);
- ``solve()``: the whole :func:`solvers.solve` call (blow-up checks, setup) per step;
- ``numpy kernel``: :class:`solvers.RungeKuttaKernel` (the fallback path);
- ``hand-written``: the NumPy slicing loop a user would write;
- ``py-pde``: py-pde's numba backend with a reused stepper (optional ``bench`` extra;
  its fixed-step "runge-kutta" is a 6-stage RK45, so for RK4 the note also gives a per-stage
  ratio).

Ratios are other / compiled (above 1: the compiled kernel is faster). Then scipy
``solve_ivp`` (RK45 on the same sparse matrix) is compared at equal accuracy: its tolerance
is tightened until its error against the exact semi-discrete solution is no larger than the
compiled RK4 run's, and wall time per unit of simulated time is compared. The final states
of all implementations are checked against each other. Run alone with
``python -m benchmarks.run --only stepping``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from solvers import (
    Advection,
    Grid,
    Heat,
    LinearRhs,
    RungeKuttaKernel,
    discretize,
    get_tableau,
    semidiscrete_solution,
    solve,
)
from solvers.fast_kernels import FastRungeKuttaKernel, fast_kernel_factory, jit_available

__all__ = ["run"]

SIZES = (400, 4_000, 40_000)
SECTION = "stepping"
_BUDGET_S = 0.3
"""Seconds per measurement (best of five)."""


class _Stencil:
    """A bare protocol object (no learned_ops needed)."""

    def __init__(self, m: int, offsets: tuple[int, ...], coefficients: list[float]) -> None:
        self.offsets = offsets
        self.coefficients = np.array(coefficients)
        self.derivative_order = m
        self.name = f"fd-m{m}-{len(offsets)}pt"


D2_3 = _Stencil(2, (-1, 0, 1), [1.0, -2.0, 1.0])
D2_5 = _Stencil(2, (-2, -1, 0, 1, 2), [-1 / 12, 4 / 3, -5 / 2, 4 / 3, -1 / 12])
D1_C = _Stencil(1, (-1, 0, 1), [-0.5, 0.0, 0.5])
D1_UP = _Stencil(1, (-1, 0), [-1.0, 1.0])


def _best(fn: Callable[[], Any], budget: float = _BUDGET_S) -> float:
    fn()
    started = time.perf_counter()
    fn()
    once = max(time.perf_counter() - started, 1e-7)
    number = max(1, int(budget / 5 / once))
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - started) / number)
    return best


# ------------------------------------------------------------------ hand-written NumPy loops
def _hand_heat3(u0: np.ndarray, r: float, steps: int) -> np.ndarray:
    ue = np.empty((*u0.shape[:-1], u0.shape[-1] + 2))
    ue[..., 1:-1] = u0
    for _ in range(steps):
        ue[..., 0] = ue[..., -2]
        ue[..., -1] = ue[..., 1]
        ue[..., 1:-1] += r * (ue[..., 2:] - 2.0 * ue[..., 1:-1] + ue[..., :-2])
    return ue[..., 1:-1].copy()


def _hand_heat5(u0: np.ndarray, r: float, steps: int) -> np.ndarray:
    ue = np.empty(u0.size + 4)
    ue[2:-2] = u0
    a, b, c = -1 / 12 * r, 4 / 3 * r, -5 / 2 * r
    for _ in range(steps):
        ue[:2] = ue[-4:-2]
        ue[-2:] = ue[2:4]
        ue[2:-2] += (a * (ue[:-4] + ue[4:]) + b * (ue[1:-3] + ue[3:-1])) + c * ue[2:-2]
    return ue[2:-2].copy()


def _hand_upwind(u0: np.ndarray, c: float, steps: int) -> np.ndarray:
    u = u0.copy()
    d = np.empty_like(u)
    for _ in range(steps):
        d[1:] = u[1:] - u[:-1]
        d[0] = u[0] - u[-1]
        u -= c * d
    return u


def _hand_rk4(u0: np.ndarray, c: float, dt: float, steps: int) -> np.ndarray:
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


# ------------------------------------------------------------------------------------ py-pde
def _pypde_stepper(kind: str, n: int, u0: np.ndarray, dt: float) -> Callable[[int], Any] | None:
    """A function running ``steps`` py-pde steps with a reused numba stepper, or None."""
    try:
        import pde
    except ImportError:
        return None
    grid = pde.CartesianGrid([[0.0, 1.0]], [n], periodic=True)
    field = pde.ScalarField(grid, u0.copy())
    if kind == "heat3":
        eq, solver = pde.DiffusionPDE(diffusivity=1.0), pde.EulerSolver
    elif kind == "rk4":
        eq, solver = pde.PDE({"u": "-d_dx(u)"}), pde.RungeKuttaSolver
    elif kind == "upwind":
        eq, solver = pde.PDE({"u": "-d_dx(u)"}), pde.EulerSolver  # central: same cost class
    else:
        return None
    stepper = solver(eq, backend="numba", adaptive=False).make_stepper(field, dt=dt)

    def run_steps(steps: int) -> Any:
        return stepper(field, 0.0, steps * dt * (1 - 1e-9))

    return run_steps


# ------------------------------------------------------------------------------------ cases
def _case_rows(label: str, problem: Any, stepper: str, dt: float, u0: np.ndarray,
               hand: Callable[[np.ndarray, int], np.ndarray], pypde: str | None,
               n_rows: int = 1) -> list[dict]:
    n = problem.grid.n
    disc = discretize(problem)
    tableau = get_tableau(stepper)
    fast = fast_kernel_factory(disc, tableau)
    if not isinstance(fast, FastRungeKuttaKernel):
        return [{"section": SECTION, "case": f"{label}: compiled", "value": float("nan"),
                 "unit": "us/step", "note": "compiled kernel unavailable"}]
    slow = RungeKuttaKernel(LinearRhs(disc), tableau)
    points = n * n_rows
    fast.load(u0)
    once = _best(lambda: fast.advance(0.0, dt, 50), budget=0.05) / 50
    steps = max(20, int(0.02 / max(once, 1e-9)))  # about 20 ms per timed call

    def run_fast() -> None:
        fast.load(u0)
        fast.advance(0.0, dt, steps)

    t_fast = _best(run_fast) / steps
    fast.load(u0)
    fast.advance(0.0, dt, steps)
    u_fast = fast.state.copy()
    results: dict[str, tuple[float, str]] = {}
    slow_steps = max(5, min(steps, int(0.05 / max(once * 8, 1e-9))))
    if n_rows == 1:
        results["solve()"] = (_best(lambda: solve(problem, u0, steps * dt, stepper=stepper,
                                                  dt=dt)) / steps, "")

        def run_slow() -> None:
            slow.load(u0)
            slow.advance(0.0, dt, slow_steps)

        results["numpy kernel"] = (_best(run_slow) / slow_steps, "fallback path")
    else:
        results["solve()"] = (_best(lambda: solve(problem, u0, steps * dt, stepper=stepper,
                                                  dt=dt)) / steps, "batched u0")
    t_hand = _best(lambda: hand(u0, slow_steps)) / slow_steps
    results["hand-written"] = (t_hand, "")
    if "numpy kernel" in results:
        t_np = results["numpy kernel"][0]
        results["numpy kernel"] = (t_np, f"fallback path: {t_np / t_hand:.2f}x hand-written "
                                         "(target <= 1.25x)")
    u_hand = hand(u0, steps)
    mismatch = float(np.abs(u_hand - u_fast).max() / np.abs(u_hand).max())
    if pypde is not None:
        runner = _pypde_stepper(pypde, n, u0, dt)
        if runner is None:
            results["py-pde"] = (float("nan"), "absent: pip install -e '.[bench]'")
        else:
            t_pde = _best(lambda: runner(slow_steps)) / slow_steps
            note = ""
            if pypde == "rk4":
                note = (f"RK45 fixed step (6 stages): per stage {t_pde / 6 / (t_fast / 4):.2f}x "
                        "compiled")
            elif pypde == "upwind":
                note = "py-pde has no upwind d_dx: central Euler, same cost"
            results["py-pde"] = (t_pde, note)
    rows = [{
        "section": SECTION, "case": f"{label}: compiled", "value": 1e6 * t_fast,
        "unit": "us/step",
        "note": f"{points / t_fast / 1e9:.3g} Gpoint-steps/s; vs hand-written max rel diff "
                f"{mismatch:.1e}",
    }]
    if n == 400 and n_rows == 1:
        rows[0]["target"] = "< 1 us/step"
        rows[0]["meets"] = bool(t_fast < 1e-6)
    for what, (seconds, note) in results.items():
        ratio = seconds / t_fast if np.isfinite(seconds) else None
        row: dict[str, Any] = {"section": SECTION, "case": f"{label}: {what}",
                               "value": 1e6 * seconds, "unit": "us/step", "ratio": ratio,
                               "note": note}
        if n == 40_000 and label.split(" N=")[0] in ("heat euler 3-pt", "advection rk4 central"):
            goal = {"hand-written": 3.0, "py-pde": 2.0}.get(what)
            if goal is not None and ratio is not None:
                row["target"] = f">= {goal:g}x slower than compiled"
                row["meets"] = bool(ratio >= goal)
        rows.append(row)
    if n_rows > 1:
        rate = points / t_fast / 1e9
        rows.append({"section": SECTION, "case": f"{label}: compiled throughput",
                     "value": rate, "unit": "Gpoint-steps/s", "target": "> 1",
                     "meets": bool(rate > 1.0), "note": f"{n_rows} x {n} batch"})
    return rows


def _solve_ivp_rows() -> list[dict]:
    """Compiled RK4 vs scipy solve_ivp (RK45) at equal accuracy, per unit simulated time."""
    from scipy.integrate import solve_ivp

    rows = []
    for label, problem, number, t_final in (
        ("advection rk4 central N=4000", Advection(1.0, D1_C, Grid.periodic(4000, 0.0, 1.0)),
         0.5, 0.05),
        ("heat rk4 3-pt N=400", Heat(1.0, D2_3, Grid.periodic(400, 0.0, 1.0)), 0.6, 2e-4),
    ):
        x = problem.grid.x
        u0 = np.sin(2 * np.pi * x) + 0.5 * np.cos(6 * np.pi * x)
        exact = semidiscrete_solution(problem, u0, t_final)
        t_ours = _best(lambda p=problem, u=u0, t=t_final, c=number: solve(p, u, t, stepper="rk4",
                                                                          courant=c))
        ours = solve(problem, u0, t_final, stepper="rk4", courant=number)
        err = float(np.abs(ours.final - exact).max())
        matrix = discretize(problem).matrix
        tol, t_ivp, err_ivp, nfev = 1e-3, float("nan"), float("inf"), 0
        while tol >= 1e-13:
            started = time.perf_counter()
            result = solve_ivp(lambda t, u, a=matrix: a @ u, (0.0, t_final), u0, method="RK45",
                               rtol=tol, atol=tol * 1e-3)
            t_ivp = time.perf_counter() - started
            err_ivp = float(np.abs(result.y[:, -1] - exact).max())
            nfev = result.nfev
            if err_ivp <= err:
                break
            tol /= 10
        ratio = t_ivp / t_ours
        rows.append({
            "section": SECTION, "case": f"{label}: solve_ivp RK45 at equal accuracy",
            "value": t_ivp / t_final, "unit": "s per unit time", "ratio": ratio,
            "note": f"solve() {t_ours / t_final:.3g} s/unit time, error {err:.1e}; solve_ivp "
                    f"rtol {tol:.0e} error {err_ivp:.1e}, {nfev} rhs evaluations",
        })
    return rows


def run() -> list[dict]:
    """Benchmark rows for :mod:`benchmarks.run`."""
    if not jit_available():
        return [{"section": SECTION, "case": "compiled kernel", "value": float("nan"),
                 "unit": "", "note": "numba unavailable or LEARNED_OPS_NO_JIT set"}]
    rows: list[dict] = []
    for n in SIZES:
        grid = Grid.periodic(n, 0.0, 1.0)
        h = grid.h
        u0 = np.sin(2 * np.pi * grid.x) + 0.5 * np.cos(6 * np.pi * grid.x)
        rows += _case_rows(f"heat euler 3-pt N={n}", Heat(1.0, D2_3, grid), "euler",
                           0.4 * h * h, u0, lambda u, s: _hand_heat3(u, 0.4, s), "heat3")
        rows += _case_rows(f"heat euler 5-pt N={n}", Heat(1.0, D2_5, grid), "euler",
                           0.3 * h * h, u0, lambda u, s: _hand_heat5(u, 0.3, s), None)
        rows += _case_rows(f"advection rk4 central N={n}", Advection(1.0, D1_C, grid), "rk4",
                           0.5 * h, u0,
                           lambda u, s, h=h: _hand_rk4(u, 1 / (2 * h), 0.5 * h, s), "rk4")
        rows += _case_rows(f"advection euler upwind N={n}", Advection(1.0, D1_UP, grid),
                           "euler", 0.5 * h, u0, lambda u, s: _hand_upwind(u, 0.5, s),
                           "upwind")
    grid = Grid.periodic(400, 0.0, 1.0)
    rng = np.random.default_rng(0)
    batch = np.sin(2 * np.pi * np.outer(rng.integers(1, 6, 1000), grid.x))
    rows += _case_rows("heat euler 3-pt batch 1000x400", Heat(1.0, D2_3, grid), "euler",
                       0.4 * grid.h**2, batch, lambda u, s: _hand_heat3(u, 0.4, s), None,
                       n_rows=1000)
    rows += _solve_ivp_rows()
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
