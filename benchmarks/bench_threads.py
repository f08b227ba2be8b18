"""Both cores: the compiled kernel on one thread against all threads, results identical.

Cases: heat with forward Euler and the 3-point stencil on a batch of 1,000 initial conditions
x 400 points, and one field of N = 1,000,000 points (heat Euler, and RK4 advection with the
central stencil). Each runs with ``LEARNED_OPS_THREADS=1`` and with the CPUs available, in
rounds that alternate between the two; the states must be equal bit for bit before any time
counts. Wall time (CPU time would add the threads up). Run alone with
``python -m benchmarks.run --only threads``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from solvers import Advection, Grid, Heat, discretize, get_tableau
from solvers.fast_kernels import fast_kernel_factory, jit_available
from solvers.row_threads import THREADS_ENV, thread_count

__all__ = ["run"]

SECTION = "threads"
ROUNDS = 5
TARGET = 1.7
"""Speed-up over one thread wanted on 2 cores (issue 18)."""


class _Stencil:
    def __init__(self, m: int, offsets: tuple[int, ...], coefficients: list[float]) -> None:
        self.offsets = offsets
        self.coefficients = np.array(coefficients)
        self.derivative_order = m
        self.name = f"fd-m{m}-{len(offsets)}pt"


def _with_threads(count: int, fn: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    before = os.environ.get(THREADS_ENV)
    os.environ[THREADS_ENV] = str(count)
    try:
        started = time.perf_counter()
        state = fn()
        return time.perf_counter() - started, state
    finally:
        if before is None:
            os.environ.pop(THREADS_ENV, None)
        else:
            os.environ[THREADS_ENV] = before


def _case(label: str, problem: object, stepper: str, dt: float, u0: np.ndarray, steps: int,
          threads: int) -> dict:
    kernel = fast_kernel_factory(discretize(problem), get_tableau(stepper))
    ceiling2 = np.full(u0.shape[0] if u0.ndim == 2 else 1, 1e300)

    def go() -> np.ndarray:
        kernel.load(u0)
        kernel.advance_checked(0.0, dt, steps, 100, ceiling2)
        return kernel.state.copy()

    _, one = _with_threads(1, go)
    _, many = _with_threads(threads, go)
    if not np.array_equal(one, many):
        raise RuntimeError(f"{label}: {threads} threads differ from one thread")
    best = {1: float("inf"), threads: float("inf")}
    for _ in range(ROUNDS):
        for count in best:
            best[count] = min(best[count], _with_threads(count, go)[0])
    ratio = best[1] / best[threads]
    return {"section": SECTION, "case": f"{label}: {threads} threads vs 1",
            "value": 1e6 * best[threads] / steps, "unit": "us/step", "ratio": ratio,
            "target": f">= {TARGET:g}x on 2 cores", "meets": bool(ratio >= TARGET),
            "note": f"1 thread {1e6 * best[1] / steps:.4g} us/step; identical bit for bit"}


def run() -> list[dict]:
    """Benchmark rows for :mod:`benchmarks.run`."""
    threads = thread_count()
    if not jit_available() or threads < 2:
        return [{"section": SECTION, "case": "threads", "value": float("nan"), "unit": "",
                 "note": f"numba unavailable or {threads} CPU(s) available"}]
    d2 = _Stencil(2, (-1, 0, 1), [1.0, -2.0, 1.0])
    d1 = _Stencil(1, (-1, 0, 1), [-0.5, 0.0, 0.5])
    rows = []
    grid = Grid.periodic(400, 0.0, 1.0)
    rng = np.random.default_rng(0)
    batch = np.sin(2 * np.pi * np.outer(rng.integers(1, 6, 1000), grid.x))
    rows.append(_case("heat euler 3-pt batch 1000x400", Heat(1.0, d2, grid), "euler",
                      0.4 * grid.h**2, batch, 200, threads))
    big = Grid.periodic(1_000_000, 0.0, 1.0)
    u0 = np.sin(2 * np.pi * big.x) + 0.5 * np.cos(6 * np.pi * big.x)
    rows.append(_case("heat euler 3-pt N=1000000", Heat(1.0, d2, big), "euler",
                      0.4 * big.h**2, u0, 100, threads))
    rows.append(_case("advection rk4 central N=1000000", Advection(1.0, d1, big), "rk4",
                      0.5 * big.h, u0, 40, threads))
    return rows
