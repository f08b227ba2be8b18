"""Batches on several threads give exactly the single-thread result (solvers.row_threads)."""

from __future__ import annotations

import numpy as np
import pytest

import solvers.row_threads as row_threads
from solvers import Advection, Grid, Heat
from solvers.discretization import discretize
from solvers.fast_kernels import fast_kernel_factory, jit_available
from solvers.tableaux import get_tableau

pytestmark = pytest.mark.skipif(not jit_available(), reason="numba unavailable or disabled")


class _Op:
    def __init__(self, m: int, offsets: tuple[int, ...], coefficients: list[float]) -> None:
        self.offsets = offsets
        self.coefficients = np.array(coefficients)
        self.derivative_order = m
        self.name = "op"


N = 4_000
ROWS = 30  # 120,000 points: above MIN_POINTS
GRID = Grid.periodic(N, 0.0, 1.0)
CASES = {
    "heat euler": (Heat(1.0, _Op(2, (-1, 0, 1), [1.0, -2.0, 1.0]), GRID), "euler",
                   0.4 * GRID.h**2),
    "advection rk4": (Advection(1.0, _Op(1, (-2, -1, 0, 1, 2),
                                          [1 / 12, -2 / 3, 0.0, 2 / 3, -1 / 12]), GRID),
                      "rk4", 0.5 * GRID.h),
}


def _batch() -> np.ndarray:
    rng = np.random.default_rng(7)
    return np.sin(2 * np.pi * np.outer(rng.integers(1, 9, ROWS), GRID.x)
                  + rng.uniform(0, 1, (ROWS, 1)))


def _run(case: str, threads: int, monkeypatch, u0: np.ndarray, ceiling2: np.ndarray,
         dispatches: list[int]) -> tuple[int, np.ndarray, np.ndarray]:
    monkeypatch.setenv(row_threads.THREADS_ENV, str(threads))
    problem, stepper, dt = CASES[case]
    kernel = fast_kernel_factory(discretize(problem), get_tableau(stepper))
    kernel.load(u0)
    before = len(dispatches)
    taken, sq = kernel.advance_checked(0.0, dt, 37, 5, ceiling2)
    assert (len(dispatches) > before) == (threads > 1)  # the threaded path really ran
    return taken, sq, kernel.state.copy()


@pytest.fixture
def dispatches(monkeypatch) -> list[int]:
    """Counts thread-pool lookups (one per threaded call)."""
    seen: list[int] = []
    real = row_threads._executor
    monkeypatch.setattr(row_threads, "_executor", lambda size: seen.append(size) or real(size))
    return seen


@pytest.mark.parametrize("case", list(CASES))
def test_two_threads_equal_one_bit_for_bit(case, monkeypatch, dispatches) -> None:
    u0 = _batch()
    ceiling2 = np.full(ROWS, 1e300)
    one = _run(case, 1, monkeypatch, u0, ceiling2, dispatches)
    two = _run(case, 2, monkeypatch, u0, ceiling2, dispatches)
    assert one[0] == two[0] == 37
    np.testing.assert_array_equal(one[2], two[2])
    np.testing.assert_array_equal(one[1], two[1])
    assert not np.array_equal(one[2], u0)


@pytest.mark.parametrize("case", list(CASES))
def test_a_failed_check_stops_both_at_the_same_step(case, monkeypatch, dispatches) -> None:
    u0 = _batch()
    u0[ROWS - 1, N // 2] = 1e200  # the last row (second thread's) overflows to inf
    ceiling2 = np.full(ROWS, 1e300)
    one = _run(case, 1, monkeypatch, u0, ceiling2, dispatches)
    two = _run(case, 2, monkeypatch, u0, ceiling2, dispatches)
    assert one[0] == two[0] < 37
    assert one[0] % 5 == 0
    np.testing.assert_array_equal(one[1], two[1])
    np.testing.assert_array_equal(one[2], two[2])


@pytest.mark.parametrize("text", ["0", "two", "-1"])
def test_a_bad_thread_count_is_refused(text, monkeypatch) -> None:
    monkeypatch.setenv(row_threads.THREADS_ENV, text)
    with pytest.raises(ValueError, match="LEARNED_OPS_THREADS must be a whole number"):
        row_threads.thread_count()


WIDE = Grid.periodic(100_003, 0.0, 1.0)  # one row above MIN_POINTS: split into parts
WIDE_CASES = {
    "heat euler": (Heat(1.0, _Op(2, (-1, 0, 1), [1.0, -2.0, 1.0]), WIDE), "euler",
                   0.4 * WIDE.h**2),
    "advection rk4": (Advection(1.0, _Op(1, (-2, -1, 0, 1, 2),
                                          [1 / 12, -2 / 3, 0.0, 2 / 3, -1 / 12]), WIDE),
                      "rk4", 0.5 * WIDE.h),
}


def _wide(case: str, threads: int, monkeypatch, u0: np.ndarray, every: int,
          steps: int) -> tuple[int, np.ndarray, np.ndarray]:
    monkeypatch.setenv(row_threads.THREADS_ENV, str(threads))
    problem, stepper, dt = WIDE_CASES[case]
    kernel = fast_kernel_factory(discretize(problem), get_tableau(stepper))
    kernel.load(u0)
    if every:
        taken, sq = kernel.advance_checked(0.0, dt, steps, every, np.array([1e300]))
    else:
        kernel.advance(0.0, dt, steps)
        taken, sq = steps, np.zeros(1)
    return taken, sq, kernel.state.copy()


@pytest.mark.parametrize("case", list(WIDE_CASES))
@pytest.mark.parametrize(("every", "steps"), [(0, 131), (5, 37)])
def test_a_wide_row_on_two_threads_equals_one(case, every, steps, monkeypatch,
                                              dispatches) -> None:
    x = WIDE.x
    u0 = np.sin(2 * np.pi * x) + 0.5 * np.cos(14 * np.pi * x) + 0.1 * np.sin(4000 * x)
    one = _wide(case, 1, monkeypatch, u0, every, steps)
    assert not dispatches
    two = _wide(case, 2, monkeypatch, u0, every, steps)
    assert dispatches
    assert one[0] == two[0] == steps
    np.testing.assert_array_equal(one[2], two[2])
    np.testing.assert_array_equal(one[1], two[1])


@pytest.mark.parametrize("case", list(WIDE_CASES))
def test_a_wide_row_stops_at_the_same_check(case, monkeypatch) -> None:
    u0 = np.sin(2 * np.pi * WIDE.x)
    u0[-3] = 1e200  # next to the wrap-around: overflows within a few steps
    one = _wide(case, 1, monkeypatch, u0, 5, 37)
    two = _wide(case, 2, monkeypatch, u0, 5, 37)
    assert one[0] == two[0] < 37
    np.testing.assert_array_equal(one[1], two[1])
    np.testing.assert_array_equal(one[2], two[2])
