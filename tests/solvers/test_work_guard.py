"""Work that cannot finish is refused up front; long runs answer Ctrl-C within about a second."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest

import solvers.integrate as integrate
import solvers.work as work
from learned_ops import central_stencil, textbook_stencil
from solvers import Advection, Grid, Heat, WorkTooLargeError, solve


def _wave(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x / 2)


def test_saving_too_often_is_refused_before_allocating() -> None:
    """save_every = 1e-9 grew to 24 GB before the kernel killed it."""
    problem = Advection(1.0, central_stencil(1, 2), Grid.periodic(64))
    tracemalloc.start()
    try:
        with pytest.raises(WorkTooLargeError, match=r"save_every = 1e-09 .* 1e\+09 snapshots"):
            solve(problem, _wave, 1.0, save_every=1e-9)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20  # refused without building the schedule


@pytest.mark.parametrize(
    ("problem", "options"),
    [
        (Advection(1e300, central_stencil(1, 2), Grid.periodic(200)), {}),
        (Heat(1e300, central_stencil(2, 2), Grid.periodic(200)), {}),
        (Advection(1.0, central_stencil(1, 2), Grid.periodic(200)), {"dt": 1e-12}),
        (Advection(1.0, central_stencil(1, 2), Grid.periodic(200)), {"courant": 1e-12}),
    ],
)
def test_runs_of_absurd_length_are_refused_with_the_estimate(problem, options) -> None:
    started = time.perf_counter()
    with pytest.raises(WorkTooLargeError, match="allow_long=True") as caught:
        solve(problem, _wave, 1.0, **options)
    assert time.perf_counter() - started < 5.0
    assert "steps of 200 points" in str(caught.value)


def test_a_long_run_stays_allowed_on_request(monkeypatch) -> None:
    monkeypatch.setattr(work, "LONG_RUN_UPDATES", 1e3)
    problem = Advection(1.0, textbook_stencil(1, (-1, 0)), Grid.periodic(50))
    with pytest.raises(WorkTooLargeError):
        solve(problem, _wave, 1.0)
    solution = solve(problem, _wave, 1.0, allow_long=True)
    assert solution.info.steps * 50 * 4 > 1e3  # RK4: four stages per step


def test_snapshots_beyond_memory_are_refused_even_when_long_runs_are_allowed(monkeypatch) -> None:
    monkeypatch.setattr(work, "machine_memory", lambda: 1e6)  # a 1 MB machine
    problem = Advection(1.0, textbook_stencil(1, (-1, 0)), Grid.periodic(1000))
    with pytest.raises(WorkTooLargeError, match="saved snapshots"):
        solve(problem, _wave, 1.0, save_every=0.01, allow_long=True)  # 101 x 1000 x 8 B = 0.8 MB
    solve(problem, _wave, 1.0, save_every=0.1)  # 11 snapshots: 88 kB


@pytest.mark.parametrize("budget", [20_000_000, 1_000_000])
def test_compiled_calls_are_sized_by_work(monkeypatch, budget: int) -> None:
    """Each call into the compiled loop does at most about POINTS_PER_CALL point updates, and
    fewer than ``check_every`` steps when one check interval alone would exceed it."""
    monkeypatch.setattr(integrate, "POINTS_PER_CALL", budget)
    calls: list[int] = []
    problem = Advection(1.0, central_stencil(1, 2), Grid.periodic(200_000))
    original = integrate.make_runner

    def spying(*args, **kwargs):
        runner = original(*args, **kwargs)
        checked = getattr(runner, "advance_checked", None)
        if checked is None:
            pytest.skip("the compiled kernel is not available here")

        def advance_checked(t, dt, steps, every, ceiling):
            calls.append(steps)
            return checked(t, dt, steps, every, ceiling)

        runner.advance_checked = advance_checked
        return runner

    monkeypatch.setattr(integrate, "make_runner", spying)
    solve(problem, _wave, 0.02, kernel="numba")
    updates_per_step = 200_000 * 4
    assert len(calls) > 1
    assert max(calls) * updates_per_step <= max(budget, updates_per_step)


SCRIPT = """
import sys, numpy as np
from learned_ops import central_stencil
from solvers import Advection, Grid, solve
problem = Advection(1.0, central_stencil(1, 2), Grid.periodic(4_000_000))
solve(problem, np.zeros(4_000_000), 1e-6, dt=1e-6)  # warm the kernel
print("started", flush=True)
solve(problem, lambda x: np.sin(np.pi * x / 2), 1.0, allow_long=True)
"""


@pytest.mark.slow
def test_ctrl_c_is_answered_within_two_seconds_on_a_large_grid() -> None:
    """Before work-sized calls, one call ran 2,560 RK4 steps of 4e6 points (~40 s)."""
    process = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "started"
        time.sleep(1.0)
        sent = time.perf_counter()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        waited = time.perf_counter() - sent
    finally:
        if process.poll() is None:
            process.kill()
    assert "KeyboardInterrupt" in process.stderr.read()
    assert waited < 2.0, f"Ctrl-C answered after {waited:.1f} s"
    assert math.isfinite(waited)
