"""Stability from the 2-D symbol: known limits, and a run just below / just above one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from learned_ops import central_stencil, textbook_stencil
from solvers.errors import NoStableTimeStepError, UnstableTimeStepError
from solvers.grid2d import Grid2D
from solvers.problems2d import Advection2D, Heat2D
from solvers.stability2d import stability_limit_2d
from solvers.stepping2d import solve_2d

NU = 0.3


@pytest.fixture
def heat() -> Heat2D:
    # hx = 4/32, hy = 4/24: different spacings, both axes even (the checkerboard is on the grid)
    return Heat2D(NU, central_stencil(2, 2), Grid2D.periodic(32, 24))


def test_forward_euler_heat_limit_is_the_classical_one(heat: Heat2D) -> None:
    hx, hy = heat.grid.spacing
    limit = stability_limit_2d(heat, "forward-euler")
    # nu dt (1/hx**2 + 1/hy**2) <= 1/2
    assert limit.kind == "finite"
    assert limit.dt == pytest.approx(0.5 / (NU * (hx**-2 + hy**-2)), rel=1e-12)
    assert limit.number == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize(("factor", "bounded"), [(0.99, True), (1.01, False)])
def test_forward_euler_heat_just_below_stays_bounded_just_above_grows(
        heat: Heat2D, rng: np.random.Generator, factor: float, bounded: bool) -> None:
    hx, hy = heat.grid.spacing
    dt = factor * 0.5 / (NU * (hx**-2 + hy**-2))
    u0 = rng.standard_normal(heat.grid.shape)
    steps = 600
    out = solve_2d(heat, u0, steps * dt, stepper="forward-euler", dt=dt,
                   allow_unstable=not bounded).values
    peak, start = np.max(np.abs(out)), np.max(np.abs(u0))
    if bounded:
        assert peak <= start  # a maximum principle below the limit
    else:
        # the checkerboard mode is amplified by |1 - 4 * 0.505| = 1.02 per step
        assert peak > 1e3 * start


def test_rk4_central_advection_limit_is_2_sqrt_2_over_the_summed_speeds() -> None:
    grid = Grid2D.periodic(32, 24)  # both divisible by 4: theta = pi/2 is on the grid
    problem = Advection2D((1.0, -0.5), central_stencil(1, 2), grid)
    limit = stability_limit_2d(problem, "rk4")
    assert limit.dt == pytest.approx(2 * math.sqrt(2) / (1.0 / grid.hx + 0.5 / grid.hy),
                                     rel=1e-10)


def test_forward_euler_central_advection_has_no_stable_step() -> None:
    problem = Advection2D((1.0, 0.5), central_stencil(1, 2), Grid2D.periodic(16))
    assert stability_limit_2d(problem, "forward-euler").kind == "imaginary-axis"
    with pytest.raises(NoStableTimeStepError, match="unstable for every dt"):
        solve_2d(problem, np.zeros((16, 16)), 1.0, stepper="forward-euler", number=0.1)


def test_downwind_along_y_is_a_growing_mode() -> None:
    # backward difference is upwind for ax > 0 along x but downwind for ay < 0 along y
    problem = Advection2D((1.0, -1.0), textbook_stencil(1, [-1, 0]), Grid2D.periodic(16))
    assert stability_limit_2d(problem, "rk4").kind == "growing"


def test_a_step_beyond_the_limit_is_refused_with_the_limit(heat: Heat2D) -> None:
    with pytest.raises(UnstableTimeStepError, match="beyond the stability limit") as info:
        solve_2d(heat, np.zeros(heat.grid.shape), 1.0, stepper="forward-euler", number=0.51)
    assert info.value.limit.number == pytest.approx(0.5, rel=1e-12)
