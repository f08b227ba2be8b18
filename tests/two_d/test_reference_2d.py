"""Ours against the independent Kronecker-product scipy reference at 64 x 64, off-axis data."""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops import central_stencil
from solvers.grid2d import Grid2D
from solvers.problems2d import Advection2D, Heat2D
from solvers.reference2d import kronecker_matrix, reference_solution_2d
from solvers.stepping2d import discretize_2d, solve_2d

GRID = Grid2D.periodic(64, 64)


def _bump(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # off-axis and with every wavenumber present (a Gaussian on the torus)
    return np.exp(-2.0 * (np.sin(np.pi * (x - 0.3) / 4) ** 2 + np.sin(np.pi * (y + 0.2) / 4) ** 2)
                  ) * np.sin(np.pi * (x + 2 * y) / 2)


@pytest.mark.parametrize("accuracy", [2, 4, 6])
def test_advection_matches_the_reference_at_64x64(accuracy: int) -> None:
    problem = Advection2D((1.0, 0.5), central_stencil(1, accuracy), GRID)
    ours = solve_2d(problem, _bump, 0.5, stepper="rk4", number=0.05).values
    reference = reference_solution_2d(problem, _bump, 0.5)
    assert np.max(np.abs(ours - reference)) <= 1e-8


def test_heat_with_different_operators_per_axis_matches_the_reference() -> None:
    problem = Heat2D(0.1, central_stencil(2, 2), GRID, operator_y=central_stencil(2, 6))
    ours = solve_2d(problem, _bump, 0.05, stepper="rk4", number=0.05).values
    reference = reference_solution_2d(problem, _bump, 0.05)
    assert np.max(np.abs(ours - reference)) <= 1e-8


def test_kronecker_matrix_equals_the_stencils_on_a_non_square_grid(
        rng: np.random.Generator) -> None:
    grid = Grid2D.periodic(12, 9)
    problem = Advection2D((1.0, -2.0), central_stencil(1, 4), grid,
                          operator_y=central_stencil(1, 2))
    u = rng.standard_normal(grid.shape)
    matrix = kronecker_matrix(problem)
    np.testing.assert_allclose((matrix @ u.ravel()).reshape(grid.shape),
                               discretize_2d(problem).apply(u), rtol=0, atol=1e-12)
