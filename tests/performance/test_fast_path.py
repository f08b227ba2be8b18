"""The compiled stepping path equals the NumPy path (<= 1e-13 relative) for every combination.

Every pretrained operator x stepper (euler, heun, ssprk3, rk4) x grid (periodic; bounded:
Dirichlet heat, inflow advection), plus batches, blow-up detection and the ways to force the
NumPy path. Grids are small and runs short; the compiled kernel is cached on disk and generic
in the stencil's coefficients, so only a few tap counts are ever compiled.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from learned_ops import central_stencil
from learned_ops.pretrained import list_pretrained, load_pretrained
from learned_ops.textbook import textbook_stencil
from solvers import (
    Advection,
    BlowUpError,
    Grid,
    Heat,
    SineMode,
    StepperError,
    compose,
    solve,
)
from solvers.discretization import discretize
from solvers.fast_kernels import fast_kernel_factory, jit_available
from solvers.tableaux import get_tableau

pytestmark = pytest.mark.skipif(not jit_available(), reason="numba unavailable or disabled")

STEPPERS = ("euler", "heun", "ssprk3", "rk4")
TOL = 1e-13
N = 48
STEPS = 12


def _problem(name: str, periodic: bool):
    """Heat for second-derivative operators, advection for first-derivative ones."""
    op = load_pretrained(name)
    grid = Grid.periodic(N) if periodic else Grid.bounded(N)
    if op.derivative_order == 2:
        return Heat(0.5, op, grid)
    return Advection(1.0, op, grid)


def _u0(grid: Grid, rows: int = 0) -> np.ndarray:
    x = grid.x
    base = np.sin(np.pi * x / 2) + 0.3 * np.cos(1.5 * np.pi * x) + 0.1
    if not rows:
        return base
    return np.stack([base * (1 + 0.1 * r) + 0.05 * r for r in range(rows)])


def _run(problem, stepper: str, kernel: str, u0: np.ndarray, **kwargs):
    h = problem.grid.h
    dt = 0.05 * (h * h if isinstance(problem, Heat) else h)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve(problem, u0, STEPS * dt, stepper=stepper, dt=dt, kernel=kernel,
                     allow_unstable=True, save_times=[4 * dt], **kwargs)


def _assert_same(fast, slow) -> None:
    assert fast.info.kernel == "numba-rk"
    assert slow.info.kernel == "numpy-rk"
    assert fast.info.steps == slow.info.steps
    scale = float(np.abs(slow.snapshots).max())
    err = float(np.abs(fast.snapshots - slow.snapshots).max()) / scale
    assert err <= TOL, f"compiled vs NumPy relative difference {err:.2e}"


@pytest.mark.parametrize("stepper", STEPPERS)
@pytest.mark.parametrize("periodic", [True, False], ids=["periodic", "bounded"])
@pytest.mark.parametrize("name", list_pretrained())
def test_fast_path_equals_numpy_for_pretrained(name: str, periodic: bool, stepper: str) -> None:
    problem = _problem(name, periodic)
    u0 = _u0(problem.grid)
    try:
        slow = _run(problem, stepper, "numpy", u0)
    except BlowUpError as exc:  # pragma: no cover - short runs stay finite
        pytest.skip(f"{name} blows up with {stepper}: {exc}")
    _assert_same(_run(problem, stepper, "numba", u0), slow)


@pytest.mark.parametrize("stepper", STEPPERS)
@pytest.mark.parametrize("periodic", [True, False], ids=["periodic", "bounded"])
@pytest.mark.parametrize("accuracy", [2, 4])
def test_fast_path_equals_numpy_for_textbook_heat(accuracy: int, periodic: bool,
                                                  stepper: str) -> None:
    grid = Grid.periodic(N) if periodic else Grid.bounded(N)
    problem = Heat(0.5, central_stencil(2, accuracy), grid)
    u0 = _u0(grid)
    _assert_same(_run(problem, stepper, "numba", u0), _run(problem, stepper, "numpy", u0))


@pytest.mark.parametrize("periodic", [True, False], ids=["periodic", "bounded"])
def test_fast_path_equals_numpy_for_composed_operator(periodic: bool) -> None:
    d1 = central_stencil(1, 2)
    grid = Grid.periodic(N) if periodic else Grid.bounded(N)
    problem = Heat(0.5, compose(d1, d1), grid)
    u0 = _u0(grid)
    _assert_same(_run(problem, "rk4", "numba", u0), _run(problem, "rk4", "numpy", u0))


@pytest.mark.parametrize(("n", "periodic"), [(5, True), (5, False), (1100, False),
                                             (1500, True), (2600, True)])
def test_blocks_and_tiny_grids(n: int, periodic: bool) -> None:
    """Several blocks (n > 1,024), uneven blocks, and a grid smaller than one block.

    (Large bounded grids are few: their stability analysis is a dense eigenproblem.)
    """
    grid = Grid.periodic(n) if periodic else Grid.bounded(n)
    problem = Advection(1.0, load_pretrained("learned-d1-c7-o4-band"), grid) if n > 5 \
        else Heat(1.0, central_stencil(2, 2), grid)
    u0 = _u0(grid)
    _assert_same(_run(problem, "ssprk3", "numba", u0), _run(problem, "ssprk3", "numpy", u0))


@pytest.mark.parametrize("periodic", [True, False], ids=["periodic", "bounded"])
def test_batch_equals_one_run_per_row(periodic: bool) -> None:
    grid = Grid.periodic(N) if periodic else Grid.bounded(N)
    problem = Heat(0.5, central_stencil(2, 4), grid)
    batch = _u0(grid, rows=5)
    fast = _run(problem, "rk4", "numba", batch)
    slow = _run(problem, "rk4", "numpy", batch)
    assert fast.snapshots.shape == (3, 5, N)
    _assert_same(fast, slow)
    for r in (0, 4):
        single = _run(problem, "rk4", "numba", batch[r])
        np.testing.assert_allclose(fast.snapshots[:, r], single.snapshots, rtol=0, atol=1e-14)


def _euler_problem(kind: str, n: int):
    grid = Grid.periodic(n)
    if kind == "heat3":
        return Heat(0.5, central_stencil(2, 2), grid)
    if kind == "heat5":
        return Heat(0.5, central_stencil(2, 4), grid)
    return Advection(1.0, textbook_stencil(1, (-1, 0)), grid)


@pytest.mark.parametrize("n", [6, 48, 1024, 1500, 2049])
@pytest.mark.parametrize("kind", ["heat3", "heat5", "upwind"])
def test_single_stage_periodic_path_equals_numpy(kind: str, n: int) -> None:
    """Forward Euler on periodic grids runs the one-pass loop; it equals the NumPy path."""
    problem = _euler_problem(kind, n)
    fast = fast_kernel_factory(discretize(problem), get_tableau("euler"))
    assert fast is not None
    assert fast._one is not None  # the specialised loop is chosen
    u0 = _u0(problem.grid)
    _assert_same(_run(problem, "euler", "numba", u0), _run(problem, "euler", "numpy", u0))


@pytest.mark.parametrize("kind", ["heat3", "upwind"])
def test_single_stage_periodic_batch(kind: str) -> None:
    problem = _euler_problem(kind, 1100)
    batch = _u0(problem.grid, rows=4)
    fast = _run(problem, "euler", "numba", batch)
    assert fast.snapshots.shape == (3, 4, 1100)
    _assert_same(fast, _run(problem, "euler", "numpy", batch))
    for r in (0, 3):
        single = _run(problem, "euler", "numba", batch[r])
        np.testing.assert_allclose(fast.snapshots[:, r], single.snapshots, rtol=0, atol=1e-14)


def test_single_stage_odd_step_counts_and_checks() -> None:
    """Steps split into calls of odd lengths (buffer parity) with checks inside the loop."""
    problem = _euler_problem("heat3", 1030)
    disc = discretize(problem)
    fast = fast_kernel_factory(disc, get_tableau("euler"))
    u0 = _u0(problem.grid, rows=2)
    dt = 0.05 * problem.grid.h ** 2
    fast.load(u0)
    taken, sq = fast.advance_checked(0.0, dt, 7, 3, np.full(2, np.inf))
    assert taken == 7
    fast.advance(0.0, dt, 4)
    u = u0.copy()
    for _ in range(11):
        u = u + dt * (disc.matrix @ u.T).T
    np.testing.assert_allclose(fast.state, u, rtol=1e-13, atol=0)
    # a failed check stops at once and reports the sums of squares of the state it checked
    taken, sq = fast.advance_checked(0.0, dt, 5, 1, np.zeros(2))
    assert taken == 1
    np.testing.assert_allclose(sq, (fast.state ** 2).sum(axis=1), rtol=1e-13)


@pytest.mark.filterwarnings("ignore")
def test_blow_up_is_reported_at_the_same_step() -> None:
    problem = Advection(1.0, central_stencil(1, 2), Grid.periodic(64))
    dt = 2.0 * problem.grid.h  # central + Euler: unstable for every dt
    found = {}
    for kernel in ("numba", "numpy"):
        with pytest.raises(BlowUpError) as info:
            solve(problem, SineMode(3), 400 * dt, stepper="euler", dt=dt, allow_unstable=True,
                  kernel=kernel, check_every=7, blowup_factor=1e3)
        found[kernel] = info.value.step
    assert found["numba"] == found["numpy"]
    assert found["numba"] % 7 == 0


@pytest.mark.filterwarnings("ignore")
def test_blow_up_names_the_batch_row() -> None:
    problem = Advection(1.0, central_stencil(1, 2), Grid.periodic(64))
    dt = 2.0 * problem.grid.h
    u0 = np.zeros((3, 64))
    u0[1] = np.sin(2 * np.pi * problem.grid.x)
    u0[0] = u0[2] = 1.0  # constants do not grow
    with pytest.raises(BlowUpError, match="batch row 1"):
        solve(problem, u0, 400 * dt, stepper="euler", dt=dt, allow_unstable=True)


def test_environment_variable_forces_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = Heat(1.0, central_stencil(2, 2), Grid.periodic(32))
    assert solve(problem, SineMode(1), 1e-3).info.kernel == "numba-rk"
    monkeypatch.setenv("LEARNED_OPS_NO_JIT", "1")
    assert solve(problem, SineMode(1), 1e-3).info.kernel == "numpy-rk"
    with pytest.raises(StepperError, match="LEARNED_OPS_NO_JIT"):
        solve(problem, SineMode(1), 1e-3, kernel="numba")


def test_unknown_kernel_name_lists_the_valid_ones() -> None:
    problem = Heat(1.0, central_stencil(2, 2), Grid.periodic(32))
    with pytest.raises(StepperError, match="auto, numpy, numba"):
        solve(problem, SineMode(1), 1e-3, kernel="fortran")


def test_the_numpy_path_never_imports_numba(fresh_python) -> None:
    """``kernel="numpy"`` runs without compiling anything: numba stays out of the process."""
    fresh_python("from learned_ops import central_stencil\n"
                 "from solvers import Advection, Grid, SineMode, solve\n"
                 "problem = Advection(1.0, central_stencil(1, 4), Grid.periodic(32))\n"
                 "solve(problem, SineMode(1), 0.1, kernel='numpy')\n")
