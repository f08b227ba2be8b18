"""Inflow advection, closure-driven growth, advection-diffusion, progress and snapshots."""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops import central_stencil
from solvers import (
    Advection,
    AdvectionDiffusion,
    Bump,
    Grid,
    ScheduleError,
    SineMode,
    Sinusoid,
    SolverWarning,
    compare,
    exact_solution,
    reference_solution,
    solve,
    stability_limit,
)

BUMP = Bump(center=0.0, width=0.2, period=4.0)


def test_inflow_advection_converges_at_second_order(order_fit) -> None:
    """The bump leaves through the outflow end (one-sided closure) while 0 flows in."""
    hs, errors = [], []
    for n in (101, 201, 401):
        problem = Advection(1.0, central_stencil(1, 2), Grid.bounded(n))
        sol = solve(problem, BUMP, 1.8, courant=0.2)
        hs.append(problem.grid.h)
        errors.append(compare(sol, exact=exact_solution(problem, BUMP, sol.times)).analytic[-1].l2)
    slope = order_fit(hs, errors)
    assert abs(slope - 2.0) < 0.2, f"observed order {slope:.3f}, errors {errors}"


def test_negative_velocity_flows_in_from_the_right() -> None:
    problem = Advection(-1.0, central_stencil(1, 2), Grid.bounded(201), inflow=0.0)
    assert list(problem.fixed_values()) == [200]
    sol = solve(problem, BUMP, 1.0, courant=0.5)
    exact = exact_solution(problem, BUMP, sol.times)
    assert compare(sol, exact=exact).analytic[-1].rel_l2 < 0.05


def test_closure_growth_is_reported_not_refused() -> None:
    """4th-order central with one-sided closures has a slowly growing boundary mode."""
    problem = Advection(1.0, central_stencil(1, 4), Grid.bounded(101))
    limit = stability_limit(problem, "rk4")
    assert limit.stable
    assert 0.0 < limit.growth_rate < 1.0  # a rate of order one, not of order a/h = 25
    assert "boundary closures" in limit.reason
    with pytest.warns(SolverWarning, match="boundary closures"):
        sol = solve(problem, BUMP, 1.0, courant=0.5)
    # The error is the interior scheme's at this resolution (2.4e-3 at t = 1.8 in a study).
    assert compare(sol, exact=exact_solution(problem, BUMP, sol.times)).analytic[-1].l2 < 5e-3


def test_advection_diffusion_matches_exact_and_reference() -> None:
    ic = Sinusoid(1, 3, 0.5, 1.0)
    problem = AdvectionDiffusion(1.0, 0.05, central_stencil(1, 4), central_stencil(2, 4),
                                 Grid.periodic(100))
    sol = solve(problem, ic, 0.5, courant=0.1)
    result = compare(sol, exact_solution(problem, ic, sol.times),
                     reference_solution(problem, ic, sol.times))
    assert result.analytic[-1].rel_l2 < 1e-3
    assert result.reference[-1].rel_l2 < 1e-7


def test_progress_callback_gets_the_end() -> None:
    calls = []
    problem = Advection(1.0, central_stencil(1, 2), Grid.periodic(32))
    sol = solve(problem, SineMode(1), 0.5, courant=0.5, progress=lambda *a: calls.append(a))
    assert calls[-1] == (sol.info.steps, 0.5, 0.5)


def test_snapshot_lookup() -> None:
    problem = Advection(1.0, central_stencil(1, 2), Grid.periodic(32))
    sol = solve(problem, SineMode(1), 0.5, courant=0.5, save_times=[0.2])
    assert sol.at(0.2 + 1e-15) is not None
    with pytest.raises(ScheduleError, match="no snapshot"):
        sol.at(0.3)
    with pytest.raises(ValueError, match="read-only"):
        sol.snapshots[0, 0] = 1.0
    assert np.isfinite(sol.info.wall_time)
