"""The compiled semilinear kernel (Burgers) equals the NumPy kernel, and its watched loop stops
where the invariants break.

Every flux form x viscous / inviscid x forced / unforced x stepper (euler, heun, ssprk3,
rk4), batches, the checked and watched loops, and the ways to get the NumPy path. Operators are
tiny protocol objects with the classical weights (no learned_ops needed); grids are small.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from solvers import Burgers, Grid, TravellingWaves, discretize, get_tableau, solve
from solvers.fast_kernels import fast_kernel_factory, jit_available
from solvers.kernels import RungeKuttaKernel, rhs_for
from solvers.monitor import invariants
from solvers.reference import CENTRAL_FIRST, CENTRAL_SECOND

pytestmark = pytest.mark.skipif(not jit_available(), reason="numba unavailable or disabled")

STEPPERS = ("euler", "heun", "ssprk3", "rk4")
FORMS = ("conservative", "advective", "skew")
TOL = 1e-13


class _Op:
    """A bare operator protocol object."""

    def __init__(self, order: int, weights: list) -> None:
        r = len(weights) // 2
        self.offsets = tuple(range(-r, r + 1))
        self.coefficients = np.array([float(w) for w in weights])
        self.derivative_order = order
        self.name = f"central-m{order}-{len(weights)}pt"


D1 = _Op(1, CENTRAL_FIRST[2])
D1_4 = _Op(1, CENTRAL_FIRST[4])
D2 = _Op(2, CENTRAL_SECOND[2])
D2_4 = _Op(2, CENTRAL_SECOND[4])


def _problem(form: str, nu: float, forced: bool, n: int = 64, wide: bool = False) -> Burgers:
    grid = Grid.periodic(n, 0.0, 2.0 * math.pi)
    forcing = TravellingWaves.random(3, 2.0 * math.pi) if forced else None
    d1, d2 = (D1_4, D2_4) if wide else (D1, D2)
    return Burgers(nu, d1, d2 if nu else None, grid, form=form, forcing=forcing, speed=2.0)


def _u0(grid: Grid, rows: int = 0) -> np.ndarray:
    x = grid.x
    base = np.sin(x) + 0.3 * np.cos(3.0 * x) + 0.1
    if not rows:
        return base
    return np.stack([base * (1.0 + 0.1 * r) + 0.05 * r for r in range(rows)])


def _both(problem: Burgers, stepper: str):
    disc = discretize(problem)
    tableau = get_tableau(stepper)
    fast = fast_kernel_factory(disc, tableau)
    assert fast is not None
    assert fast.name == "numba-semilinear"
    return fast, RungeKuttaKernel(rhs_for(disc), tableau)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.mark.parametrize("stepper", STEPPERS)
@pytest.mark.parametrize("forced", [False, True], ids=["unforced", "forced"])
@pytest.mark.parametrize("nu", [0.0, 0.05], ids=["inviscid", "viscous"])
@pytest.mark.parametrize("form", FORMS)
def test_compiled_equals_numpy(form: str, nu: float, forced: bool, stepper: str) -> None:
    problem = _problem(form, nu, forced)
    fast, slow = _both(problem, stepper)
    u0 = _u0(problem.grid)
    dt = 0.1 * problem.grid.h / 2.0
    t = 0.3  # a start time != 0: the forcing's clock must follow
    steps = 150  # up to t = 0.3 + 0.74: before the inviscid shock
    fast.load(u0)
    slow.load(u0)
    for _ in range(3):  # several calls: the state and time carry over
        fast.advance(t, dt, steps // 3)
        slow.advance(t, dt, steps // 3)
        t += (steps // 3) * dt
    assert _rel(fast.state, slow.state) <= TOL


@pytest.mark.parametrize("stepper", ["heun", "rk4"])
@pytest.mark.parametrize("form", FORMS)
def test_wide_stencils_and_blocks(form: str, stepper: str, monkeypatch) -> None:
    """5-point stencils on a grid of several uneven blocks (halo across block edges)."""
    import solvers.fast_semilinear as fs

    monkeypatch.setattr(fs, "BLOCK", 700)  # 2500 points: 4 blocks of 625
    problem = _problem(form, 0.02, True, n=2500, wide=True)
    fast, slow = _both(problem, stepper)
    assert fast._bounds.shape[0] == 4
    u0 = _u0(problem.grid)
    dt = 0.05 * problem.grid.h
    fast.load(u0)
    slow.load(u0)
    fast.advance(0.0, dt, 20)
    slow.advance(0.0, dt, 20)
    assert _rel(fast.state, slow.state) <= TOL


def test_batch_equals_one_run_per_row() -> None:
    problem = _problem("skew", 0.05, True)
    fast, slow = _both(problem, "ssprk3")
    batch = _u0(problem.grid, rows=4)
    dt = 0.1 * problem.grid.h
    fast.load(batch)
    fast.advance(0.0, dt, 40)
    assert fast.state.shape == batch.shape
    for row, got in zip(batch, fast.state, strict=True):
        slow.load(row)
        slow.advance(0.0, dt, 40)
        assert _rel(got, slow.state) <= TOL


@pytest.mark.parametrize("forced", [False, True], ids=["unforced", "forced"])
def test_solve_numba_equals_numpy(forced: bool) -> None:
    problem = _problem("conservative", 0.05, forced)
    u0 = _u0(problem.grid, rows=2)
    runs = {}
    for kernel in ("numpy", "numba"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runs[kernel] = solve(problem, u0, 0.5, stepper="rk4", kernel=kernel,
                                 save_times=[0.25])
    assert runs["numba"].info.kernel == "numba-semilinear"
    assert runs["numpy"].info.kernel == "numpy-rk"
    assert runs["numba"].info.steps == runs["numpy"].info.steps
    assert _rel(runs["numba"].snapshots, runs["numpy"].snapshots) <= TOL


def test_checked_stops_on_the_norm_like_numpy() -> None:
    problem = _problem("conservative", 0.05, False)
    fast, _slow = _both(problem, "rk4")
    u0 = _u0(problem.grid, rows=3)
    dt = 0.1 * problem.grid.h
    fast.load(u0)
    sq0 = np.einsum("ij,ij->i", u0, u0)
    taken, sq = fast.advance_checked(0.0, dt, 50, 5, sq0 * 10)
    assert taken == 50
    assert np.all(sq <= sq0 * 10)
    assert np.allclose(sq, np.einsum("ij,ij->i", fast.state, fast.state), rtol=1e-13)
    ceiling = sq * 0.5  # row 0 is over at the first check (5 steps on)
    ceiling[1:] = np.inf
    taken, sq = fast.advance_checked(0.0, dt, 50, 5, ceiling)
    assert taken == 5
    assert not sq[0] <= ceiling[0]


def _inviscid_sine():
    grid = Grid.periodic(200, 0.0, 2.0 * math.pi)
    problem = Burgers(0.0, D1, None, grid, speed=1.0)
    kernel = fast_kernel_factory(discretize(problem), get_tableau("rk4"))
    kernel.h = grid.h
    return grid, kernel, np.sin(grid.x), 0.2 * grid.h


def test_watched_stops_after_the_shock_forms() -> None:
    grid, kernel, u0, dt = _inviscid_sine()
    start = invariants(u0, grid.h)
    limits = 1.05 * np.array([start.total_variation[0], start.maximum[0], start.energy[0]])
    kernel.load(u0)
    steps = int(2.0 / dt)
    taken, sq, largest = kernel.advance_watched(0.0, dt, steps, np.inf, limits)
    t_stop = taken * dt
    assert 0 < taken < steps
    assert 0.9 < t_stop < 1.6, t_stop
    now = invariants(kernel.state, grid.h)
    measures = np.array([now.total_variation[0], now.maximum[0], now.energy[0]])
    assert np.any(measures > limits)  # the state at the stop broke a bound ...
    assert sq[0] == pytest.approx(float(kernel.state @ kernel.state), rel=1e-13)
    # ... and one step earlier none was broken: replay with the NumPy kernel
    slow = RungeKuttaKernel(rhs_for(kernel.disc), get_tableau("rk4"))
    slow.load(u0)
    slow.advance(0.0, dt, taken - 1)
    before = invariants(slow.state, grid.h)
    assert before.total_variation[0] <= limits[0]
    assert before.maximum[0] <= limits[1]
    assert before.energy[0] <= limits[2]
    slow.advance(0.0, dt, 1)
    assert _rel(kernel.state, slow.state) <= 1e-12
    # the largest max|u| over the steps taken, step by step
    slow.load(u0)
    seen = 0.0
    for _ in range(taken):
        slow.advance(0.0, dt, 1)
        seen = max(seen, float(np.abs(slow.state).max()))
    assert largest[0] == pytest.approx(seen, rel=1e-12)
    # going on, total variation grows by tens of percent: stop again far above the start
    more = int(0.3 / dt)
    taken2, _, _ = kernel.advance_watched(t_stop, dt, more, np.inf, np.full(3, np.inf))
    assert taken2 == more
    later = invariants(kernel.state, grid.h)
    assert later.total_variation[0] > 1.2 * start.total_variation[0]


def test_watched_without_bounds_equals_advance_and_stops_per_row() -> None:
    problem = _problem("skew", 0.05, False)
    fast, _ = _both(problem, "rk4")
    other, _ = _both(problem, "rk4")
    fast.h = other.h = problem.grid.h
    u0 = _u0(problem.grid, rows=3)
    dt = 0.1 * problem.grid.h
    fast.load(u0)
    other.load(u0)
    taken, sq, largest = fast.advance_watched(0.0, dt, 30, np.inf, np.full((3, 3), np.inf))
    other.advance(0.0, dt, 30)
    assert taken == 30
    assert np.array_equal(fast.state, other.state)
    assert np.allclose(sq, np.einsum("ij,ij->i", fast.state, fast.state), rtol=1e-13)
    assert np.all(largest >= np.abs(fast.state).max(axis=1))
    # row 2 gets an energy bound just below its current energy: stop after one step
    now = invariants(fast.state, problem.grid.h)
    limits = np.full((3, 3), np.inf)
    limits[2, 2] = now.energy[2] * 0.5
    taken, _, _ = fast.advance_watched(30 * dt, dt, 30, np.inf, limits)
    assert taken == 1
    # the norm ceiling alone stops it too
    taken, sq, _ = fast.advance_watched(31 * dt, dt, 30, np.array([np.inf, 0.0, np.inf]),
                                        np.full(3, np.inf))
    assert taken == 1
    assert sq[1] > 0.0


def test_no_jit_and_unsupported_layouts_fall_back(monkeypatch) -> None:
    problem = _problem("conservative", 0.05, True)
    disc = discretize(problem)
    monkeypatch.setenv("LEARNED_OPS_NO_JIT", "1")
    assert fast_kernel_factory(disc, get_tableau("rk4")) is None
    monkeypatch.delenv("LEARNED_OPS_NO_JIT")
    tiny = discretize(_problem("conservative", 0.05, False, n=5, wide=True))
    assert fast_kernel_factory(tiny, get_tableau("rk4")) is None  # narrower than the halo


def test_one_specialisation_per_tap_counts() -> None:
    """Forms, viscosity, forcing, steppers and batch sizes share one compiled loop per pair of
    tap counts (cold compilation is paid once per stencil shape, not per combination)."""
    from solvers._fast_semilinear_loops import run

    for form in FORMS:
        for nu in (0.0, 0.05):
            for forced in (False, True):
                for stepper in ("euler", "ssprk3", "rk4"):
                    problem = _problem(form, nu, forced, n=32)
                    fast, _ = _both(problem, stepper)
                    fast.load(_u0(problem.grid, rows=2 if forced else 0))
                    fast.advance(0.1, 1e-3, 2)
                    fast.advance_checked(0.1, 1e-3, 2, 1, np.inf)
                    fast.advance_watched(0.1, 1e-3, 2, 1e9, np.full(3, np.inf))
    shapes = {(str(sig[2]), str(sig[3])) for sig in run.signatures}  # the tap tuples
    assert len(run.signatures) == len(shapes), run.signatures
