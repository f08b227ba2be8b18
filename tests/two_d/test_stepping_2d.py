"""2-D grids, per-axis problems, NumPy stepping and exact solutions, on off-axis modes.

A single Fourier mode exp(i (kx x + ky y)) is an eigenvector of every per-axis stencil, so one
step of an RK method multiplies it by R(dt lambda) with lambda the per-axis symbols summed:
the expected values below come from the textbook weights written out here, not from the code.
"""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops import central_stencil, textbook_stencil
from solvers.analytic2d import advection_2d, heat_2d
from solvers.errors import GridError, ProblemError
from solvers.grid2d import Grid2D
from solvers.problems2d import Advection2D, Heat2D
from solvers.stepping2d import discretize_2d, solve_2d

KX, KY = np.pi / 2, np.pi  # sin(pi (x + 2 y) / 2): off-axis (63 degrees)
RK4 = [1.0, 1.0, 1 / 2, 1 / 6, 1 / 24]


def _mode(grid: Grid2D) -> np.ndarray:
    xx, yy = grid.mesh()
    return np.exp(1j * (KX * xx + KY * yy))


def _growth(z: complex, coefficients: list[float]) -> complex:
    return sum(c * z**k for k, c in enumerate(coefficients))


def test_grid_layout_is_y_then_x() -> None:
    grid = Grid2D.periodic(8, 6, y_lower=0.0, y_upper=3.0)
    xx, yy = grid.mesh()
    assert grid.shape == (6, 8) == xx.shape
    assert grid.spacing == (0.5, 0.5)
    assert xx[0, :3].tolist() == [-2.0, -1.5, -1.0]
    assert yy[:3, 0].tolist() == [0.0, 0.5, 1.0]
    assert grid.norm(np.ones((6, 8))) == pytest.approx(np.sqrt(12.0), rel=1e-15)


def test_grid_refuses_bounded_axes_and_wrong_shapes() -> None:
    from solvers.grid import Grid

    with pytest.raises(GridError, match="periodic only"):
        Grid2D(Grid.periodic(8), Grid.bounded(8))
    with pytest.raises(GridError, match=r"\[\.\.\., 6, 8\]"):
        Grid2D.periodic(8, 6).check_field(np.zeros((8, 6)))


def test_rk4_advection_off_axis_mode_matches_the_summed_symbol() -> None:
    grid = Grid2D.periodic(32, 24)
    d5 = central_stencil(1, 4)  # [1, -8, 0, 8, -1] / 12
    problem = Advection2D((1.0, 0.5), central_stencil(1, 2), grid, operator_y=d5)
    hx, hy = grid.spacing
    # central 3-point along x, 5-point along y
    sx = 1j * np.sin(KX * hx) / hx
    sy = 1j * (8 * np.sin(KY * hy) - np.sin(2 * KY * hy)) / (6 * hy)
    lam = -(1.0 * sx + 0.5 * sy)
    solution = solve_2d(problem, _mode(grid).real, 0.75, stepper="rk4", number=0.4)
    expected = (_mode(grid) * _growth(solution.dt * lam, RK4) ** solution.steps).real
    assert solution.steps == int(np.ceil(0.75 / problem.dt_for_number(0.4)))
    np.testing.assert_allclose(solution.values, expected, rtol=0, atol=1e-13)


def test_heat_different_operators_per_axis_and_batches() -> None:
    grid = Grid2D.periodic(20, 30)
    problem = Heat2D(0.3, central_stencil(2, 2), grid, operator_y=central_stencil(2, 4))
    hx, hy = grid.spacing
    lam = 0.3 * ((2 * np.cos(KX * hx) - 2) / hx**2
                 + (-np.cos(2 * KY * hy) + 16 * np.cos(KY * hy) - 15) / (6 * hy**2))
    u0 = np.stack([_mode(grid).real, 2 * _mode(grid).imag])
    solution = solve_2d(problem, u0, 0.2, stepper="rk4", number=0.2)
    factor = _growth(solution.dt * lam, RK4) ** solution.steps
    assert solution.values.shape == (2, 30, 20)
    np.testing.assert_allclose(solution.values[0], factor * _mode(grid).real, atol=1e-14)
    np.testing.assert_allclose(solution.values[1], 2 * factor * _mode(grid).imag, atol=1e-14)


def test_discretization_merges_terms_per_axis_in_dimensional_weights() -> None:
    grid = Grid2D.periodic(10, 8, y_lower=0.0, y_upper=2.0)  # hx = 0.4, hy = 0.25
    stencils = discretize_2d(Advection2D((2.0, -1.0), textbook_stencil(1, [-1, 0]), grid))
    (ox, wx), (oy, wy) = stencils.stencils
    assert ox == oy == (-1, 0)
    np.testing.assert_allclose(wx, [2.0 / 0.4, -2.0 / 0.4], rtol=1e-15)
    np.testing.assert_allclose(wy, [-1.0 / 0.25, 1.0 / 0.25], rtol=1e-15)


def test_one_component_of_velocity_moves_only_along_its_axis() -> None:
    grid = Grid2D.periodic(16, 12)
    problem = Advection2D((0.0, 1.0), central_stencil(1, 2), grid)
    assert [t.axis for t in problem.right_hand_side().linear] == [1]
    u0 = np.sin(np.pi * grid.mesh()[0] / 2)  # varies along x only
    np.testing.assert_array_equal(solve_2d(problem, u0, 0.5, number=0.5).values, u0)


def test_problems_refuse_bad_input() -> None:
    grid = Grid2D.periodic(8)
    with pytest.raises(ProblemError, match=r"\(0, 0\)"):
        Advection2D((0.0, 0.0), central_stencil(1, 2), grid)
    with pytest.raises(ProblemError, match="first derivative"):
        Advection2D((1.0, 1.0), central_stencil(1, 2), grid, operator_y=central_stencil(2, 2))
    with pytest.raises(ProblemError, match="ny >= 7"):
        Heat2D(1.0, central_stencil(2, 2), Grid2D.periodic(8, 6), operator_y=central_stencil(2, 6))
    with pytest.raises(ProblemError, match="Grid2D"):
        Heat2D(1.0, central_stencil(2, 2), grid.x_axis)


def test_exact_advection_shift_of_samples_equals_the_shifted_profile() -> None:
    grid = Grid2D.periodic(32, 24)

    def profile(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.sin(np.pi * (x + 2 * y) / 2) + 0.5 * np.cos(np.pi * (3 * x - y) / 2)

    shifted = profile(*grid.mesh())
    moved = advection_2d(shifted, (1.0, 0.5), 1.3, grid)
    xx, yy = grid.mesh()
    np.testing.assert_allclose(moved, profile(xx - 1.3, yy - 0.65), atol=1e-13)
    np.testing.assert_allclose(advection_2d(profile, (1.0, 0.5), 1.3, grid),
                               profile(xx - 1.3, yy - 0.65), atol=1e-13)


def test_exact_heat_decays_each_mode_by_its_wavevector_length() -> None:
    grid = Grid2D.periodic(16, 16)
    u0 = _mode(grid).real
    decayed = heat_2d(u0, 0.5, 0.7, grid)
    np.testing.assert_allclose(decayed, np.exp(-0.5 * (KX**2 + KY**2) * 0.7) * u0, atol=1e-14)


def test_semidiscrete_solution_is_the_limit_of_small_steps() -> None:
    from solvers.analytic2d import semidiscrete_2d

    grid = Grid2D.periodic(16, 12)
    problem = Advection2D((1.0, 0.5), central_stencil(1, 2), grid)
    hx, hy = grid.spacing
    lam = -(1j * np.sin(KX * hx) / hx + 0.5j * np.sin(KY * hy) / hy)
    np.testing.assert_allclose(semidiscrete_2d(problem, _mode(grid).real, 0.9),
                               (_mode(grid) * np.exp(0.9 * lam)).real, atol=1e-14)
