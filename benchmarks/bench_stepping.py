"""Time stepping: the compiled kernel against NumPy, py-pde and scipy, side by side in one run.

Cases (periodic grid on [0, 1)): heat with forward Euler and the 3- and 5-point second
derivative (diffusion number 0.4 / 0.3), advection with RK4 and the 3-point central first
derivative (Courant 0.5), advection with forward Euler and the 2-point upwind stencil
(Courant 0.5), at N = 400, 4,000 and 40,000; and a batch of 1,000 initial conditions x 400
points (heat, Euler, 3-point). For each case, CPU seconds per step, the best of rounds that
alternate between the implementations (so other processes' load falls on all of them):

- ``compiled``: :class:`solvers.fast_kernels.FastRungeKuttaKernel` ``advance`` (numba);
- ``solve()``: the whole :func:`solvers.solve` call (blow-up checks, setup) per step;
- ``numpy kernel``: :class:`solvers.RungeKuttaKernel` (the fallback path);
- ``hand numba``: a numba loop hand-specialised to the stencil and stepper, the practical
  limit (:mod:`benchmarks.hand_numba`);
- ``careful numpy``: preallocated buffers, ``out=`` (:mod:`benchmarks.baselines`);
- ``naive numpy``: the slicing loop with temporaries every step (an extra row);
- ``py-pde``: py-pde's numba backend with its stepper made once and reused (optional
  ``bench`` extra); its fixed-step RK4 is classic 4-stage RK4, so per-step times compare
  directly.

Before anything is timed, every implementation's state after 40 steps is checked against the
compiled kernel's (relative max difference at most :data:`AGREE`; otherwise the benchmark
stops). A separate row times a whole 20,000-step ``solve()`` at N = 400 (fixed cost per
call included) against the hand-specialised loop.
Ratios are other / compiled (above 1: the compiled kernel is faster). Then scipy
``solve_ivp`` (RK45 on the same sparse matrix) is compared at equal accuracy: its tolerance
is tightened until its error against the exact semi-discrete solution is no larger than the
compiled RK4 run's, and wall time per unit of simulated time is compared. Run alone with
``python -m benchmarks.run --only stepping``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.baselines import (
    PYPDE_STAGES,
    careful_heat3,
    careful_heat5,
    careful_rk4,
    careful_upwind,
    naive_heat3,
    naive_heat5,
    naive_rk4,
    naive_upwind,
    pypde_runner,
)
from benchmarks.hand_numba import heat3_euler, heat5_euler, rk4_central, upwind_euler
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
from solvers.row_threads import THREADS_ENV

__all__ = ["run"]

SIZES = (400, 4_000, 40_000)
SECTION = "stepping"
_BUDGET_S = 0.3
"""Seconds per measurement (best of five)."""
_ROUNDS = 5
"""Alternating rounds per case (the best round counts)."""
AGREE = 1e-12
"""Largest relative difference between implementations before any is timed."""


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


# ------------------------------------------------------------------------------------ cases
def _timed(fns: dict[str, Callable[[int], Any]], per_step: dict[str, float],
           rounds: int = _ROUNDS) -> dict[str, float]:
    """Seconds per step of each ``fn(steps)``: CPU time, rounds alternating between them.

    Each call runs about 20 ms of steps (from the estimate in ``per_step``); the result is
    the best round. Alternating spreads other processes' load over all implementations.
    """
    steps = {k: max(5, int(0.02 / max(per_step[k], 1e-9))) for k in fns}
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for key, fn in fns.items():
            started = time.process_time()
            fn(steps[key])
            best[key] = min(best[key], (time.process_time() - started) / steps[key])
    return best


def _agreeing(fns: dict[str, Callable[[int], Any]], steps: int, label: str) -> dict[str, float]:
    """Check every implementation's state after ``steps`` steps against the compiled one.

    Returns:
        Per implementation, its max difference relative to the state's max, and (under the
        key ``"@" + name``) a first estimate of its seconds per step.

    Raises:
        RuntimeError: An implementation disagrees beyond :data:`AGREE` (nothing is timed).
    """
    out: dict[str, float] = {}
    ref = None
    for key, fn in fns.items():
        fn(steps)  # the first call may compile or load from numba's cache
        started = time.perf_counter()
        state = np.asarray(fn(steps))
        out["@" + key] = (time.perf_counter() - started) / steps
        if ref is None:
            ref = state
            continue
        out[key] = float(np.abs(state - ref).max() / np.abs(ref).max())
        if not out[key] <= AGREE:
            raise RuntimeError(f"{label}: {key} differs from the compiled kernel by "
                               f"{out[key]:.2e} (relative) after {steps} steps")
    return out


_GOALS = {"hand numba": (1 / 1.15, ">= 0.87x (within 1.15x of the limit)"),
          "careful numpy": (2.5, ">= 2.5x slower than compiled"),
          "py-pde": (3.0, ">= 3x slower than compiled")}
"""Targets at N = 40,000 for heat Euler 3-point and RK4 central advection (issue 18)."""


def _case_rows(label: str, problem: Any, stepper: str, dt: float, u0: np.ndarray,
               hands: dict[str, Callable[[int], np.ndarray]], pypde: str | None,
               n_rows: int = 1) -> list[dict]:
    n = problem.grid.n
    disc = discretize(problem)
    tableau = get_tableau(stepper)
    fast = fast_kernel_factory(disc, tableau)
    if not isinstance(fast, FastRungeKuttaKernel):
        return [{"section": SECTION, "case": f"{label}: compiled", "value": float("nan"),
                 "unit": "us/step", "note": "compiled kernel unavailable"}]
    slow = RungeKuttaKernel(LinearRhs(disc), tableau)

    def on_kernel(kernel: Any) -> Callable[[int], np.ndarray]:
        def go(steps: int) -> np.ndarray:
            kernel.load(u0)
            kernel.advance(0.0, dt, steps)
            return kernel.state.copy()
        return go

    fns: dict[str, Callable[[int], Any]] = {
        "compiled": on_kernel(fast),
        "solve()": lambda k: solve(problem, u0, k * dt, stepper=stepper, dt=dt).final,
    }
    if n_rows == 1:
        fns["numpy kernel"] = on_kernel(slow)
    fns.update(hands)
    notes = {"numpy kernel": "fallback path", "naive numpy": "temporaries every step",
             "solve()": "batched u0" if n_rows > 1 else ""}
    if pypde is not None:
        runner = pypde_runner(pypde, u0, dt)
        if runner is None:
            notes["py-pde"] = "absent: pip install -e '.[bench]'"
        else:
            fns["py-pde"] = runner
            notes["py-pde"] = ("central Euler (py-pde has no upwind d_dx)" if pypde == "euler-"
                               "central" else f"{PYPDE_STAGES[stepper]}-stage {stepper}")
    diffs = _agreeing(fns, 40, label)
    t = _timed(fns, {k: diffs["@" + k] for k in fns})
    t_fast = t["compiled"]
    points = n * n_rows
    rows = [{
        "section": SECTION, "case": f"{label}: compiled", "value": 1e6 * t_fast,
        "unit": "us/step",
        "note": f"{points / t_fast / 1e9:.3g} Gpoint-steps/s; all rows agree to "
                f"{max(v for k, v in diffs.items() if not k.startswith('@')):.1e} (rel)",
    }]
    if n == 400 and n_rows == 1:
        rows[0]["target"] = "< 1 us/step"
        rows[0]["meets"] = bool(t_fast < 1e-6)
    for what in [k for k in fns if k != "compiled"] + (["py-pde"] if "py-pde" not in fns
                                                          and pypde else []):
        seconds = t.get(what, float("nan"))
        ratio = seconds / t_fast if np.isfinite(seconds) else None
        row: dict[str, Any] = {"section": SECTION, "case": f"{label}: {what}",
                               "value": 1e6 * seconds, "unit": "us/step", "ratio": ratio,
                               "note": notes.get(what, "")}
        if what == "numpy kernel" and "careful numpy" in t:
            row["note"] += f": {seconds / t['careful numpy']:.2f}x careful numpy"
        if n == 40_000 and label.split(" N=")[0] in ("heat euler 3-pt", "advection rk4 central"):
            goal = _GOALS.get(what)
            if goal is not None and ratio is not None:
                row["target"] = goal[1]
                row["meets"] = bool(ratio >= goal[0])
        rows.append(row)
    if n_rows > 1:
        rate = points / t_fast / 1e9
        rows.append({"section": SECTION, "case": f"{label}: compiled throughput",
                     "value": rate, "unit": "Gpoint-steps/s", "target": "> 1",
                     "meets": bool(rate > 1.0), "note": f"{n_rows} x {n} batch"})
    return rows


def _fixed_cost_row() -> dict:
    """A whole 20,000-step ``solve()`` at N = 400 against the hand-specialised loop."""
    grid = Grid.periodic(400, 0.0, 1.0)
    u0 = np.sin(2 * np.pi * grid.x) + 0.5 * np.cos(6 * np.pi * grid.x)
    problem, dt, steps = Heat(1.0, D2_3, grid), 0.4 * grid.h**2, 20_000
    fns: dict[str, Callable[[int], Any]] = {
        "solve()": lambda k: solve(problem, u0, k * dt, stepper="euler", dt=dt).final,
        "hand numba": lambda k: heat3_euler(u0[None], 0.4, k)[0],
    }
    _agreeing(fns, steps, "heat euler 3-pt N=400, 20,000 steps")
    t = {k: float("inf") for k in fns}
    for _ in range(_ROUNDS * 2):
        for key, fn in fns.items():
            started = time.process_time()
            fn(steps)
            t[key] = min(t[key], time.process_time() - started)
    ratio = t["solve()"] / t["hand numba"]
    return {"section": SECTION, "case": "heat euler 3-pt N=400, 20,000 steps: solve() / hand "
            "numba", "value": 1e3 * t["solve()"], "unit": "ms per run", "ratio": ratio,
            "target": "<= 1.3x", "meets": bool(ratio <= 1.3),
            "note": f"hand numba {1e3 * t['hand numba']:.3g} ms; fixed cost per call included"}


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
    """Benchmark rows for :mod:`benchmarks.run` (one thread: both cores are bench_threads')."""
    before = os.environ.get(THREADS_ENV)
    os.environ[THREADS_ENV] = "1"
    try:
        return _rows()
    finally:
        if before is None:
            os.environ.pop(THREADS_ENV, None)
        else:
            os.environ[THREADS_ENV] = before


def _rows() -> list[dict]:
    if not jit_available():
        return [{"section": SECTION, "case": "compiled kernel", "value": float("nan"),
                 "unit": "", "note": "numba unavailable or LEARNED_OPS_NO_JIT set"}]
    rows: list[dict] = []
    for n in SIZES:
        grid = Grid.periodic(n, 0.0, 1.0)
        h = grid.h
        u0 = np.sin(2 * np.pi * grid.x) + 0.5 * np.cos(6 * np.pi * grid.x)
        rows += _case_rows(f"heat euler 3-pt N={n}", Heat(1.0, D2_3, grid), "euler",
                           0.4 * h * h, u0, {
                               "hand numba": lambda s, u=u0: heat3_euler(u[None], 0.4, s)[0],
                               "careful numpy": lambda s, u=u0: careful_heat3(u, 0.4, s),
                               "naive numpy": lambda s, u=u0: naive_heat3(u, 0.4, s)},
                           "heat3")
        rows += _case_rows(f"heat euler 5-pt N={n}", Heat(1.0, D2_5, grid), "euler",
                           0.3 * h * h, u0, {
                               "hand numba": lambda s, u=u0: heat5_euler(u, 0.3, s),
                               "careful numpy": lambda s, u=u0: careful_heat5(u, 0.3, s),
                               "naive numpy": lambda s, u=u0: naive_heat5(u, 0.3, s)}, None)
        c = 1 / (2 * h)
        rows += _case_rows(f"advection rk4 central N={n}", Advection(1.0, D1_C, grid), "rk4",
                           0.5 * h, u0, {
                               "hand numba": lambda s, u=u0, c=c, h=h: rk4_central(u, c,
                                                                                   0.5 * h, s),
                               "careful numpy": lambda s, u=u0, c=c, h=h: careful_rk4(
                                   u, c, 0.5 * h, s),
                               "naive numpy": lambda s, u=u0, c=c, h=h: naive_rk4(u, c, 0.5 * h,
                                                                                  s)}, "rk4")
        rows += _case_rows(f"advection euler upwind N={n}", Advection(1.0, D1_UP, grid),
                           "euler", 0.5 * h, u0, {
                               "hand numba": lambda s, u=u0: upwind_euler(u, 0.5, s),
                               "careful numpy": lambda s, u=u0: careful_upwind(u, 0.5, s),
                               "naive numpy": lambda s, u=u0: naive_upwind(u, 0.5, s)}, None)
    rows.append(_fixed_cost_row())
    grid = Grid.periodic(400, 0.0, 1.0)
    rng = np.random.default_rng(0)
    batch = np.sin(2 * np.pi * np.outer(rng.integers(1, 6, 1000), grid.x))
    rows += _case_rows("heat euler 3-pt batch 1000x400", Heat(1.0, D2_3, grid), "euler",
                       0.4 * grid.h**2, batch, {
                           "hand numba": lambda s: heat3_euler(batch, 0.4, s),
                           "careful numpy": lambda s: careful_heat3(batch, 0.4, s)}, None,
                       n_rows=1000)
    rows += _solve_ivp_rows()
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
