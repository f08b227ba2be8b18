"""solve(): landing on times, choosing dt, refusing and explaining, blow-ups, warnings."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

from learned_ops import Stencil, central_stencil
from solvers import (
    Advection,
    BlowUpError,
    Grid,
    Heat,
    InconsistentOperatorWarning,
    InitialConditionError,
    LinearRhs,
    NoStableTimeStepError,
    ProblemError,
    RungeKuttaKernel,
    ScheduleError,
    SineMode,
    SolverError,
    SolverWarning,
    StepperError,
    UnstableTimeStepError,
    discretize,
    get_tableau,
    operator_warnings,
    register_kernel,
    solve,
    stability_limit,
)
from solvers.kernels import _FACTORIES
from tests.solvers.fakes import SEED_CENTRAL, BareOperator


@pytest.fixture
def advection(central1) -> Advection:
    return Advection(1.0, central1, Grid.periodic(64))


@pytest.fixture
def heat(central2) -> Heat:
    return Heat(0.1, central2, Grid.periodic(64))


def test_lands_exactly_on_final_and_save_times(advection) -> None:
    sol = solve(advection, SineMode(1), 0.7, courant=0.8, save_times=[0.1, 0.3, 0.3, 0.25])
    assert sol.times.tolist() == [0.0, 0.1, 0.25, 0.3, 0.7]
    assert sol.snapshots.shape == (5, 64)
    np.testing.assert_array_equal(sol.at(0.0), SineMode(1)(advection.grid.x))
    assert sol.info.dt <= advection.dt_for_number(0.8) * (1 + 1e-12)
    assert sol.t_final == 0.7
    assert sol.complete


def test_save_every(advection) -> None:
    sol = solve(advection, SineMode(1), 1.0, courant=0.5, save_every=0.1)
    np.testing.assert_allclose(sol.times, np.linspace(0.0, 1.0, 11), atol=1e-15)
    assert sol.times[-1] == 1.0


def test_snapshots_match_separate_runs(advection) -> None:
    """Saving at 0.5 splits the run but gives the same state as a run that ends at 0.5."""
    dt = advection.dt_for_number(0.5)
    both = solve(advection, SineMode(2), 1.0, dt=dt, save_times=[0.5])
    half = solve(advection, SineMode(2), 0.5, dt=dt)
    np.testing.assert_allclose(both.at(0.5), half.final, rtol=0, atol=1e-14)


def test_dt_none_is_a_safe_fraction_of_the_limit(heat) -> None:
    sol = solve(heat, SineMode(1), 0.3, stepper="euler")
    limit = stability_limit(heat, "euler")
    assert sol.info.dt <= 0.9 * limit.dt * (1 + 1e-12)
    assert sol.info.stability_margin >= 1 / 0.9 * (1 - 1e-9)
    assert sol.info.stepper == "euler"
    assert sol.info.steps >= 1
    assert sol.info.number == pytest.approx(heat.number_for_dt(sol.info.dt))


def test_dt_above_limit_names_limit_and_reason(advection) -> None:
    with pytest.raises(UnstableTimeStepError, match=r"Courant number 2\.82843") as info:
        solve(advection, SineMode(1), 1.0, courant=3.0)
    assert "|R(dt lambda)|" in str(info.value)
    assert "allow_unstable" in str(info.value)
    assert info.value.limit.dt == pytest.approx(advection.dt_for_number(2 * np.sqrt(2)))


def test_override_runs_and_warns(heat) -> None:
    with pytest.warns(SolverWarning, match="beyond the stability limit"):
        sol = solve(heat, SineMode(1), 0.01, courant=0.55, stepper="euler",
                    allow_unstable=True)
    assert any("beyond" in w for w in sol.info.warnings)


def test_central_with_forward_euler_is_refused(advection) -> None:
    with pytest.raises(NoStableTimeStepError, match="every time step is unstable"):
        solve(advection, SineMode(1), 1.0, stepper="euler")
    with pytest.raises(NoStableTimeStepError):
        solve(advection, SineMode(1), 1.0, stepper="euler", courant=0.01)


def test_downwind_is_refused_with_explanation() -> None:
    problem = Advection(-1.0, Stencil((-1, 0), [-1, 1], 1), Grid.periodic(32))
    with pytest.raises(NoStableTimeStepError, match="downwind for velocity -1"):
        solve(problem, SineMode(1), 1.0)


def test_blow_up_stops_with_step_time_norm_and_partial_solution(heat) -> None:
    u0 = np.random.default_rng(3).standard_normal(64)
    dt = 1.2 * stability_limit(heat, "euler").dt
    with pytest.warns(SolverWarning), pytest.raises(BlowUpError) as info:
        solve(heat, u0, 2000 * dt, dt=dt, stepper="euler", allow_unstable=True,
              save_every=100 * dt)
    exc = info.value
    assert exc.step > 0
    assert 0 < exc.time < 2000 * dt
    assert exc.norm > 1e6 * heat.grid.norm(u0) * 0.999
    assert f"step {exc.step}" in str(exc)
    partial = exc.partial
    assert not partial.complete
    assert partial.times[-1] < exc.time
    assert partial.times[-1] >= exc.time - 100 * dt - 1e-12
    assert np.isfinite(partial.snapshots).all()
    np.testing.assert_array_equal(partial.snapshots[0], u0)


def test_non_finite_blow_up_is_reported(heat) -> None:
    u0 = np.random.default_rng(4).standard_normal(64)
    dt = 100.0 * stability_limit(heat, "euler").dt
    with pytest.warns(SolverWarning), pytest.raises(BlowUpError, match="blew up"):
        solve(heat, u0, 5000 * dt, dt=dt, stepper="euler", allow_unstable=True,
              blowup_factor=1e300, check_every=1000)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"dt": 0.01, "courant": 0.5}, ScheduleError, "not both"),
        ({"dt": -1.0}, ScheduleError, "dt must be finite and > 0"),
        ({"courant": float("nan")}, ScheduleError, "courant"),
        ({"save_times": [0.5, 2.0]}, ScheduleError, "save times must lie"),
        ({"save_times": [0.5], "save_every": 0.1}, ScheduleError, "not both"),
        ({"save_every": 0.0}, ScheduleError, "save_every"),
        ({"stepper": "rk45"}, StepperError, "valid names"),
        ({"safety": 1.5}, ScheduleError, "safety"),
        ({"check_every": 0}, ScheduleError, "check_every"),
    ],
)
def test_bad_arguments(advection, kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        solve(advection, SineMode(1), 1.0, **kwargs)


@pytest.mark.parametrize(
    ("u0", "match"),
    [
        (np.zeros(10), "shape"),
        (np.full(64, np.nan), "NaN"),
        (np.zeros(64, dtype=complex), "real"),
        (lambda x: 1 / 0, "failed"),
    ],
)
def test_bad_initial_data(advection, u0, match: str) -> None:
    with pytest.raises(InitialConditionError, match=match):
        solve(advection, u0, 1.0)


def test_bad_t_final(advection) -> None:
    with pytest.raises(ScheduleError, match="t_final"):
        solve(advection, SineMode(1), 0.0)


def test_errors_share_one_root() -> None:
    for error in (UnstableTimeStepError, BlowUpError, ProblemError, StepperError):
        assert issubclass(error, SolverError)
        assert issubclass(error, ValueError)


def test_seed_central_warns_with_the_moment_and_runs(seed_central) -> None:
    problem = Advection(1.0, seed_central, Grid.periodic(50))
    with pytest.warns(InconsistentOperatorWarning, match="mu_1 = 1.03816.*will not converge"):
        sol = solve(problem, SineMode(1), 0.1)
    assert "mu_1" in sol.info.warnings[0]


def test_seed_forward_warns_and_is_refused(seed_forward) -> None:
    # Upwind for a < 0, but mu_0 = 0.0637 > 0 makes the constant mode grow: no stable dt.
    problem = Advection(-1.0, seed_forward, Grid.periodic(50))
    with pytest.raises(NoStableTimeStepError, match="constants"), pytest.warns(
        InconsistentOperatorWarning, match="mu_0 = 0.06371"
    ):
        solve(problem, SineMode(1), 0.1)


def test_bare_protocol_objects_run_and_warn() -> None:
    bare = BareOperator(SEED_CENTRAL[0], np.array(SEED_CENTRAL[1]), 1)
    problem = Advection(1.0, bare, Grid.periodic(50))
    assert "mu_1 = 1.03816" in operator_warnings(problem)[0]
    with pytest.warns(InconsistentOperatorWarning):
        sol = solve(problem, SineMode(1), 0.2, courant=0.5)
    stencil = Stencil(SEED_CENTRAL[0], SEED_CENTRAL[1], 1)
    with pytest.warns(InconsistentOperatorWarning):
        ref = solve(Advection(1.0, stencil, Grid.periodic(50)), SineMode(1), 0.2, courant=0.5)
    np.testing.assert_allclose(sol.final, ref.final, rtol=0, atol=1e-14)


def test_bare_consistent_operator_runs_silently() -> None:
    bare = BareOperator((-1, 0, 1), np.array([1.0, -2.0, 1.0]), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = solve(Heat(0.1, bare, Grid.periodic(40)), SineMode(1), 0.1, courant=0.4)
    assert sol.info.warnings == ()


def test_bounded_grid_imposes_boundary_values(central2) -> None:
    problem = Heat(0.1, central2, Grid.bounded(21), dirichlet=(1.0, -1.0))
    with pytest.warns(SolverWarning, match="boundary value is imposed"):
        sol = solve(problem, np.zeros(21), 0.5)
    assert sol.snapshots[:, 0].tolist() == [1.0, 1.0]
    assert sol.snapshots[:, -1].tolist() == [-1.0, -1.0]


def test_problem_validation(central1, central2) -> None:
    grid = Grid.periodic(32)
    with pytest.raises(ProblemError, match="first derivative"):
        Advection(1.0, central2, grid)
    with pytest.raises(ProblemError, match="pair"):
        Heat(0.1, central1, grid)
    with pytest.raises(ProblemError, match="velocity must be nonzero"):
        Advection(0.0, central1, grid)
    with pytest.raises(ProblemError, match="diffusivity must be > 0"):
        Heat(-1.0, central2, grid)
    with pytest.raises(SolverError, match="operator protocol"):
        Advection(1.0, object(), grid)
    with pytest.raises(ProblemError, match="too small"):
        Heat(0.1, central_stencil(2, 6), Grid.periodic(5))


def _stepping_peak(operator, n: int) -> int:
    """Peak traced allocation (bytes) of 50 RK4 steps on n points, after a warm-up; checks the
    state stays the preallocated buffer it was (a view, never replaced by a copy)."""
    disc = discretize(Advection(1.0, operator, Grid.periodic(n)))
    kernel = RungeKuttaKernel(LinearRhs(disc), get_tableau("rk4"))
    kernel.load(np.sin(np.linspace(0, 2 * np.pi, n, endpoint=False)))
    state = kernel.state
    kernel.advance(0.0, 1e-5, 2)  # warm up (caches, compiled kernels)
    tracemalloc.start()
    try:
        kernel.advance(0.0, 1e-5, 50)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kernel.state.shape == (n,)
    assert np.shares_memory(kernel.state, state)
    return peak


def test_stepping_allocates_nothing_per_step(central1) -> None:
    """No array the size of the field is allocated while stepping: the peak does not grow with
    n. What the interpreter and libraries allocate for the loop itself does not depend on n
    and cancels in the difference; a single field-sized temporary, at any step or stage, would
    add (n2 - n1) * 8 bytes = 480 kB to it. Allowed: a quarter of that."""
    n1, n2 = 4_000, 64_000
    growth = _stepping_peak(central1, n2) - _stepping_peak(central1, n1)
    assert growth < (n2 - n1) * 8 / 4, f"the stepping peak grew by {growth} B from n={n1} to {n2}"


def test_a_registered_kernel_replaces_the_loop(advection) -> None:
    calls = []

    class Recording(RungeKuttaKernel):
        name = "recording"

        def advance(self, t: float, dt: float, steps: int) -> None:
            calls.append(steps)
            super().advance(t, dt, steps)

    def factory(disc, tableau):
        return Recording(LinearRhs(disc), tableau) if tableau.name == "rk4" else None

    register_kernel(factory)
    try:
        sol = solve(advection, SineMode(1), 0.5, courant=0.5)
        other = solve(advection, SineMode(1), 0.5, courant=0.5, stepper="ssprk3")
    finally:
        _FACTORIES.remove(factory)
    assert sol.info.kernel == "recording"
    assert sum(calls) == sol.info.steps
    # a factory that declines falls through to the next one (the compiled kernel when numba is
    # available, else the NumPy loop)
    assert other.info.kernel in ("numba-rk", "numpy-rk")
    assert other.info.kernel != "recording"
