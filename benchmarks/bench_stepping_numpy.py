"""Per-step cost of ``solvers.solve`` against a hand-written NumPy slicing loop.

Two cases at N = 400, 4,000 and 40,000 on a periodic grid:

- heat, forward Euler, 3-point second derivative (diffusion number 0.4);
- advection, classical RK4, 3-point central first derivative (Courant number 0.5).

For each, three timings side by side (best of a few repeats): the whole ``solve`` call divided
by its steps (setup, stability analysis and blow-up checks included), the library kernel alone
(``RungeKuttaKernel.advance``), and the hand-written loop a NumPy user would write; plus the
fixed cost of a ``solve`` call (a one-step run: validation, stability limit, discretisation).
The final states are compared, so the loops are known to compute the same thing. Ratios are
library / hand-written (below 1: the library is faster).
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
    Sinusoid,
    discretize,
    get_tableau,
    solve,
)

SIZES = (400, 4_000, 40_000)
REPEATS = 3
TARGET_SECONDS = 0.2  # per timed run
SECTION = "stepping: solvers vs hand-written NumPy"


def _stencil(m: int) -> Any:
    """A textbook 3-point stencil as a bare protocol object (no learned_ops needed)."""

    class Three:
        offsets = (-1, 0, 1)
        coefficients = np.array([-0.5, 0.0, 0.5]) if m == 1 else np.array([1.0, -2.0, 1.0])
        derivative_order = m
        name = f"central-m{m}"

    return Three()


def _best(run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def _heat_by_hand(u0: np.ndarray, r: float, steps: int) -> np.ndarray:
    ue = np.empty(u0.size + 2)
    ue[1:-1] = u0
    with np.errstate(under="ignore"):
        for _ in range(steps):
            ue[0] = ue[-2]
            ue[-1] = ue[1]
            ue[1:-1] += r * (ue[2:] - 2.0 * ue[1:-1] + ue[:-2])
    return ue[1:-1].copy()


def _advection_by_hand(u0: np.ndarray, c: float, dt: float, steps: int) -> np.ndarray:
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


def _steps_for(n: int, per_point_us: float) -> int:
    per_step = max(2e-6, per_point_us * 1e-6 * n)
    return max(20, int(TARGET_SECONDS / per_step))


def _case(label: str, problem: Any, stepper: str, dt: float, steps: int,
          by_hand: Callable[[np.ndarray], np.ndarray]) -> list[dict]:
    n = problem.grid.n
    u0 = Sinusoid(3, 7, 0.6, 1.0)(problem.grid.x)
    t_final = steps * dt
    t_solve, sol = _best(lambda: solve(problem, u0, t_final, stepper=stepper, dt=dt))
    assert sol.info.steps == steps, (sol.info.steps, steps)

    kernel = RungeKuttaKernel(LinearRhs(discretize(problem)), get_tableau(stepper))

    def run_kernel() -> np.ndarray:
        kernel.load(u0)
        kernel.advance(0.0, dt, steps)
        return kernel.state.copy()

    t_kernel, u_kernel = _best(run_kernel)
    t_hand, u_hand = _best(lambda: by_hand(u0))
    t_setup, _ = _best(lambda: solve(problem, u0, dt, stepper=stepper, dt=dt))
    scale = max(1e-300, float(np.abs(u_hand).max()))
    mismatch = max(float(np.abs(sol.final - u_hand).max()),
                   float(np.abs(u_kernel - u_hand).max())) / scale
    rows = []
    for what, seconds in (("solve()", t_solve), ("kernel.advance", t_kernel),
                          ("hand-written", t_hand)):
        ratio = None if what == "hand-written" else seconds / t_hand
        row: dict[str, Any] = {
            "section": SECTION,
            "case": f"{label} N={n}: {what}",
            "value": 1e6 * seconds / steps,
            "unit": "us/step",
            "ratio": ratio,
            "note": f"{steps} steps; library vs hand-written max rel diff {mismatch:.1e}",
        }
        if what == "kernel.advance":
            row["target"] = "<= 1.25x hand-written"
            row["meets"] = bool(ratio is not None and ratio <= 1.25)
        rows.append(row)
    rows.append({"section": SECTION, "case": f"{label} N={n}: solve() fixed cost",
                 "value": 1e3 * t_setup, "unit": "ms", "ratio": None,
                 "note": "a one-step solve: checks, stability limit, discretisation"})
    return rows


def run() -> list[dict]:
    """Heat (forward Euler, 3-point) and advection (RK4, central) at three sizes."""
    rows: list[dict] = []
    for n in SIZES:
        grid = Grid.periodic(n, 0.0, 1.0)
        heat = Heat(1.0, _stencil(2), grid)
        dt = 0.4 * grid.h**2
        steps = _steps_for(n, 0.004)
        rows += _case("heat euler 3-pt", heat, "euler", dt, steps,
                      lambda u0, dt=dt, steps=steps: _heat_by_hand(u0, 0.4, steps))
        advection = Advection(1.0, _stencil(1), grid)
        dt = 0.5 * grid.h
        steps = _steps_for(n, 0.05)
        c = 1.0 / (2.0 * grid.h)
        rows += _case("advection rk4 central", advection, "rk4", dt, steps,
                      lambda u0, c=c, dt=dt, steps=steps: _advection_by_hand(u0, c, dt, steps))
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        ratio = "" if row["ratio"] is None else f"  ratio {row['ratio']:.2f}"
        print(f"{row['case']:<52} {row['value']:9.2f} {row['unit']}{ratio}  {row['note']}")
