"""Burgers stepping: the compiled semilinear kernel against a hand-fused numba loop and py-pde.

Case: viscous Burgers ``u_t + (u**2/2)_x = nu u_xx`` on a periodic grid on [0, 2 pi), RK4,
the 3-point central first and second derivatives, at N = 4,000 and 40,000. Per step, CPU
time (``time.process_time``), best over repetitions that alternate between the
implementations (so a busy spell of the machine hits all of them alike):

- ``compiled``: :class:`solvers.fast_semilinear.SemilinearKernel` ``advance``, conservative
  form ``D(u**2/2)``;
- ``hand-fused``: a numba loop written for exactly this case (RK4, 3-point stencils, one
  fused pass per stage over the padded row, constants folded): the practical limit the
  generic kernel is held to (target: compiled within 1.2x, i.e. ratio >= 0.83);
- ``compiled advective`` / ``py-pde``: py-pde's ``PDE({"u": "-u * d_dx(u) + nu *
  laplace(u)"})`` (advective form, central ``d_dx``, 3-point ``laplace``) with its fixed-step
  RK4 stepper compiled once and reused, against the compiled kernel in the same advective
  form (target: py-pde >= 3x slower);
- ``watched``: :meth:`~solvers.fast_semilinear.SemilinearKernel.advance_watched` (total
  variation, max|u|, energy and the norm after every step) against plain ``advance``;
- ``forced``: with a 20-wave :class:`solvers.TravellingWaves` forcing.

Before timing, the implementations are run from the same state and compared (max relative
difference; py-pde in the advective form). Ratios are other / compiled. Run alone with
``python -m benchmarks.run --only burgers``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.bench_stepping import D1_C, D2_3
from solvers import Burgers, Grid, TravellingWaves, discretize, get_tableau

__all__ = ["run"]

SECTION = "burgers"
SIZES = (4_000, 40_000)
NU = 0.02
REPEATS = 7
_CALL_S = 0.02
"""CPU seconds per timed call (steps per call are sized to this)."""


# ------------------------------------------------------------------------ hand-fused loop
_HAND: Any = None


def _hand_loop() -> Callable[..., None]:
    """The hand-fused RK4 loop (compiled on first use, cached on disk)."""
    global _HAND
    if _HAND is None:
        import numba

        @numba.njit(cache=True, nogil=True, error_model="numpy")
        def hand_rk4(u, y1, y2, fin, steps, dt, c2, c1):  # pragma: no cover - compiled
            """RK4 for u_t = c2 (u[i-1] - 2 u[i] + u[i+1]) - c1 (u[i+1]**2 - u[i-1]**2).

            u, y1, y2: padded rows (one ghost each side), fin: the running update.
            """
            n = u.size - 2
            h1, h2, h6, h3 = 0.5 * dt, dt, dt / 6.0, dt / 3.0
            for _ in range(steps):
                u[0] = u[n]
                u[n + 1] = u[1]
                for i in range(1, n + 1):
                    a, b, c = u[i - 1], u[i], u[i + 1]
                    k = c2 * (a - 2.0 * b + c) - c1 * (c * c - a * a)
                    y1[i] = b + h1 * k
                    fin[i] = b + h6 * k
                y1[0] = y1[n]
                y1[n + 1] = y1[1]
                for i in range(1, n + 1):
                    a, b, c = y1[i - 1], y1[i], y1[i + 1]
                    k = c2 * (a - 2.0 * b + c) - c1 * (c * c - a * a)
                    y2[i] = u[i] + h1 * k
                    fin[i] += h3 * k
                y2[0] = y2[n]
                y2[n + 1] = y2[1]
                for i in range(1, n + 1):
                    a, b, c = y2[i - 1], y2[i], y2[i + 1]
                    k = c2 * (a - 2.0 * b + c) - c1 * (c * c - a * a)
                    y1[i] = u[i] + h2 * k
                    fin[i] += h3 * k
                y1[0] = y1[n]
                y1[n + 1] = y1[1]
                for i in range(1, n + 1):
                    a, b, c = y1[i - 1], y1[i], y1[i + 1]
                    k = c2 * (a - 2.0 * b + c) - c1 * (c * c - a * a)
                    u[i] = fin[i] + h6 * k

        _HAND = hand_rk4
    return _HAND


class _Hand:
    """The hand-fused loop on its own padded buffers."""

    def __init__(self, n: int, h: float, nu: float) -> None:
        self.loop = _hand_loop()
        self.u, self.y1, self.y2, self.fin = (np.zeros(n + 2) for _ in range(4))
        self.c2, self.c1 = nu / (h * h), 1.0 / (4.0 * h)

    def load(self, u0: np.ndarray) -> None:
        self.u[1:-1] = u0

    def advance(self, dt: float, steps: int) -> None:
        self.loop(self.u, self.y1, self.y2, self.fin, steps, dt, self.c2, self.c1)

    @property
    def state(self) -> np.ndarray:
        return self.u[1:-1]


# ------------------------------------------------------------------------------------ py-pde
def _pypde(n: int, nu: float, u0: np.ndarray, dt: float) -> Any:
    """(run(steps), state()) with py-pde's fixed-step RK4 compiled once, or None."""
    try:
        import pde
    except ImportError:
        return None
    grid = pde.CartesianGrid([[0.0, 2.0 * math.pi]], [n], periodic=True)
    field = pde.ScalarField(grid, u0.copy())
    eq = pde.PDE({"u": "-u * d_dx(u) + nu * laplace(u)"}, consts={"nu": nu})
    stepper = pde.RungeKuttaSolver(eq, backend="numba", adaptive=False).make_stepper(
        field, dt=dt)
    clock = {"t": 0.0}

    def load(values: np.ndarray) -> None:
        field.data[...] = values
        clock["t"] = 0.0

    def advance(steps: int) -> None:
        clock["t"] = stepper(field, clock["t"], clock["t"] + steps * dt * (1 - 1e-9))

    return load, advance, lambda: field.data


# ------------------------------------------------------------------------------------ timing
def _cpu(fn: Callable[[], Any]) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def _alternating(runs: dict[str, tuple[Callable[[], Any], int]]) -> dict[str, float]:
    """Best CPU seconds per step of each ``(call, steps per call)``, repetitions alternating."""
    best = {name: math.inf for name in runs}
    for _ in range(REPEATS):
        for name, (call, steps) in runs.items():
            best[name] = min(best[name], _cpu(call) / steps)
    return best


def _steps_for(call: Callable[[int], Any]) -> int:
    """Steps per timed call: about _CALL_S of CPU time."""
    call(5)
    once = max(_cpu(lambda: call(20)) / 20, 1e-8)
    return max(10, int(_CALL_S / once))


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(np.asarray(a) - np.asarray(b)).max() / np.abs(np.asarray(b)).max())


def _case(n: int) -> list[dict]:
    from solvers.fast_semilinear import SemilinearKernel
    from solvers.kernels import RungeKuttaKernel, rhs_for

    grid = Grid.periodic(n, 0.0, 2.0 * math.pi)
    h, x = grid.h, grid.x
    u0 = np.sin(x) + 0.5 * np.cos(2.0 * x)
    umax = float(np.abs(u0).max())
    dt = min(0.5 * h / umax, 0.3 * h * h / NU)
    rk4 = get_tableau("rk4")
    kernels = {}
    for form in ("conservative", "advective"):
        problem = Burgers(NU, D1_C, D2_3, grid, form=form, speed=umax)
        kernels[form] = discretize(problem)
    from solvers.fast_kernels import fast_kernel_factory

    fast = fast_kernel_factory(kernels["conservative"], rk4)
    fast_adv = fast_kernel_factory(kernels["advective"], rk4)
    label = f"burgers rk4 3-pt N={n}"
    if not isinstance(fast, SemilinearKernel):
        return [{"section": SECTION, "case": f"{label}: compiled", "value": float("nan"),
                 "unit": "us/step", "note": "compiled semilinear kernel unavailable"}]
    waves = TravellingWaves.random(0, 2.0 * math.pi)
    forced = fast_kernel_factory(discretize(Burgers(NU, D1_C, D2_3, grid, forcing=waves,
                                                    speed=umax)), rk4)
    hand = _Hand(n, h, NU)
    numpy_kernel = RungeKuttaKernel(rhs_for(kernels["conservative"]), rk4)
    pypde = _pypde(n, NU, u0, dt)

    # agreement first: the same 200 steps from the same state
    check = 200
    fast.load(u0)
    fast.advance(0.0, dt, check)
    hand.load(u0)
    hand.advance(dt, check)
    numpy_kernel.load(u0)
    numpy_kernel.advance(0.0, dt, check)
    fast_adv.load(u0)
    fast_adv.advance(0.0, dt, check)
    vs_hand = _rel(fast.state, hand.state)
    vs_numpy = _rel(fast.state, numpy_kernel.state)
    vs_pde = math.nan
    if pypde is not None:
        load, advance, state = pypde
        load(u0)
        advance(check)
        vs_pde = _rel(fast_adv.state, state())
    huge = np.full(1, np.inf)
    limits = np.full(3, np.inf)

    def stepped(kernel: Any) -> Callable[[int], Any]:
        return lambda steps: kernel.advance(0.0, dt, steps)

    calls: dict[str, Callable[[int], Any]] = {
        "compiled": stepped(fast),
        "hand-fused": lambda steps: hand.advance(dt, steps),
        "compiled advective": stepped(fast_adv),
        "watched": lambda steps: fast.advance_watched(0.0, dt, steps, huge, limits),
        "forced": stepped(forced),
    }
    if pypde is not None:
        calls["py-pde"] = pypde[1]
    for kernel in (fast, fast_adv, forced):
        kernel.load(u0)
    hand.load(u0)
    if pypde is not None:
        pypde[0](u0)
    per_call = _steps_for(calls["compiled"])
    runs = {name: (lambda c=call, s=per_call: c(s), per_call) for name, call in calls.items()}
    numpy_steps = max(5, per_call // 20)
    runs["numpy kernel"] = (lambda: numpy_kernel.advance(0.0, dt, numpy_steps), numpy_steps)
    best = _alternating(runs)
    t_fast = best["compiled"]
    rows = [{"section": SECTION, "case": f"{label}: compiled", "value": 1e6 * t_fast,
             "unit": "us/step",
             "note": f"conservative; {n / t_fast / 1e9:.3g} Gpoint-steps/s; max rel diff vs "
                     f"hand-fused {vs_hand:.1e}, vs numpy kernel {vs_numpy:.1e} (200 steps)"}]

    def row(what: str, base: str, note: str = "", target: str | None = None,
            meets: Callable[[float], bool] | None = None) -> None:
        seconds = best[what]
        ratio = seconds / best[base]
        entry: dict[str, Any] = {"section": SECTION, "case": f"{label}: {what}",
                                 "value": 1e6 * seconds, "unit": "us/step", "ratio": ratio,
                                 "note": note}
        if target is not None and meets is not None:
            entry["target"] = target
            entry["meets"] = bool(meets(ratio))
        rows.append(entry)

    row("hand-fused", "compiled", "numba, RK4 + 3-point stencils written out",
        ">= 0.83 (compiled within 1.2x)", lambda r: r >= 1 / 1.2)
    row("numpy kernel", "compiled", "fallback path (SemilinearRhs)")
    row("compiled advective", "compiled", "u D(u) form (what py-pde computes)")
    if pypde is not None:
        row("py-pde", "compiled advective",
            f"fixed-step RK4, numba backend; ratio vs compiled advective; max rel diff "
            f"{vs_pde:.1e} (200 steps)", ">= 3x slower", lambda r: r >= 3.0)
    else:
        rows.append({"section": SECTION, "case": f"{label}: py-pde", "value": float("nan"),
                     "unit": "us/step", "note": "absent: pip install -e '.[bench]'"})
    row("watched", "compiled", "advance_watched: TV, max|u|, energy, norm after every step")
    row("forced", "compiled", f"{waves.amplitudes.size} travelling waves "
        f"({np.unique(waves.wavenumbers).size} distinct k)")
    return rows


def run() -> list[dict]:
    """Benchmark rows for :mod:`benchmarks.run`."""
    from solvers.fast_kernels import jit_available

    if not jit_available():
        return [{"section": SECTION, "case": "compiled semilinear kernel",
                 "value": float("nan"), "unit": "",
                 "note": "numba unavailable or LEARNED_OPS_NO_JIT set"}]
    rows: list[dict] = []
    for n in SIZES:
        rows += _case(n)
    return rows


if __name__ == "__main__":  # pragma: no cover
    for entry in run():
        print(entry)
