"""The compiled 2-D kernel gives the NumPy path's numbers (to 1e-13), serial and parallel."""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops import central_stencil, textbook_stencil
from solvers.errors import BlowUpError
from solvers.fast2d import compiled_steps
from solvers.grid2d import Grid2D
from solvers.problems2d import Advection2D, Heat2D
from solvers.stepping2d import discretize_2d, rk_steps
from solvers.tableaux import get_tableau

pytest.importorskip("numba")

GRID = Grid2D.periodic(20, 14)  # non-square: a swapped axis changes the answer


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize(("problem", "stepper"), [
    (Advection2D((1.0, -0.5), central_stencil(1, 4), GRID, operator_y=central_stencil(1, 2)),
     "rk4"),
    (Advection2D((0.7, 0.4), textbook_stencil(1, [-2, -1, 0]), GRID), "ssp-rk3"),
    (Heat2D(0.2, central_stencil(2, 6), GRID, operator_y=central_stencil(2, 2)), "forward-euler"),
    (Heat2D(0.2, central_stencil(2, 2), GRID), "heun"),
], ids=["rk4-advection", "ssp-upwind", "euler-heat", "heun-heat"])
def test_compiled_equals_numpy(rng: np.random.Generator, problem, stepper: str,
                               parallel: bool) -> None:
    u0 = rng.standard_normal((2, *GRID.shape))  # a batch of two fields
    tableau = get_tableau(stepper)
    dt = 0.2 * problem.dt_for_number(1.0)
    operator = discretize_2d(problem)
    expected = rk_steps(operator, u0, dt, 37, tableau)
    got = compiled_steps(operator, u0, dt, 37, tableau, parallel=parallel)
    assert got.shape == u0.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-13)
    assert not np.array_equal(got, u0)


def test_compiled_blow_up_is_reported(rng: np.random.Generator) -> None:
    problem = Heat2D(1.0, central_stencil(2, 2), GRID)
    dt = 2.0 * problem.dt_for_number(0.5)  # twice the forward-Euler limit
    with pytest.raises(BlowUpError, match="blew up"):
        compiled_steps(discretize_2d(problem), rng.standard_normal(GRID.shape), dt, 2000,
                       get_tableau("forward-euler"), parallel=False)


def test_solve_2d_runs_the_compiled_kernel_on_request() -> None:
    from solvers.initial_conditions2d import initial_condition_2d
    from solvers.stepping2d import solve_2d

    problem = Heat2D(0.2, central_stencil(2, 4), GRID)
    bump = initial_condition_2d("bump")
    fast = solve_2d(problem, bump, 0.3, number=0.3, kernel="compiled")
    slow = solve_2d(problem, bump, 0.3, number=0.3)
    assert fast.kernel == "compiled"
    np.testing.assert_allclose(fast.values, slow.values, rtol=0, atol=1e-13)
