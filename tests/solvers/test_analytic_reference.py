"""Exact solutions and the reference's own matrices, checked on their own."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest

from learned_ops import central_stencil
from solvers import (
    AdvectionDiffusion,
    Bump,
    Grid,
    ProblemError,
    ReferenceSolverError,
    SineMode,
    Sinusoid,
    advection_inflow,
    advection_periodic,
    exact_solution,
    fd_matrix,
    fourier_periodic,
    heat_dirichlet,
    heat_periodic,
    reference_solve,
)

GRID = Grid.periodic(64)


def test_advection_of_a_function_is_the_exact_shift() -> None:
    u = advection_periodic(SineMode(3), 0.7, 1.3, GRID)
    np.testing.assert_allclose(u, np.sin(3 * np.pi * (GRID.x - 0.91)), atol=1e-13)


@pytest.mark.parametrize("t", [0.0, 0.37, 5.0])
def test_fft_shift_of_samples_equals_the_function_shift(t: float) -> None:
    ic = Sinusoid(5, 11, 0.3, 1.7)
    np.testing.assert_allclose(advection_periodic(ic(GRID.x), -1.3, t, GRID),
                               advection_periodic(ic, -1.3, t, GRID), atol=1e-12)


def test_periodic_bump_wraps_around() -> None:
    bump = Bump(center=1.9, width=0.3)
    np.testing.assert_allclose(bump(np.array([-2.1])), bump(np.array([1.9])))
    u = advection_periodic(bump, 1.0, 0.2, GRID)
    assert GRID.x[np.argmax(u)] == pytest.approx(-1.9, abs=GRID.h)


def test_heat_modes_decay_exactly() -> None:
    nu, t = 0.03, 0.8
    u = heat_periodic(SineMode(2) , nu, t, GRID)
    np.testing.assert_allclose(u, np.exp(-nu * (2 * np.pi) ** 2 * t) * SineMode(2)(GRID.x),
                               atol=1e-14)


def test_advection_diffusion_combines_shift_and_decay() -> None:
    u = fourier_periodic(SineMode(1), GRID, 0.5, velocity=1.0, diffusivity=0.1)
    expected = np.exp(-0.1 * np.pi**2 * 0.5) * np.sin(np.pi * (GRID.x - 0.5))
    np.testing.assert_allclose(u, expected, atol=1e-14)


def test_heat_dirichlet_is_line_plus_decaying_sines() -> None:
    grid = Grid.bounded(81)
    left, right, nu, t = 1.0, -0.5, 0.05, 0.7
    line = left + (right - left) * (grid.x + 2) / 4

    def u0(x: np.ndarray) -> np.ndarray:
        return left + (right - left) * (x + 2) / 4 + np.sin(np.pi * (x + 2) / 4)

    expected = line + np.exp(-nu * (np.pi / 4) ** 2 * t) * np.sin(np.pi * (grid.x + 2) / 4)
    np.testing.assert_allclose(heat_dirichlet(u0, nu, t, grid, (left, right)), expected,
                               atol=1e-13)
    np.testing.assert_allclose(heat_dirichlet(u0(grid.x), nu, t, grid, (left, right)), expected,
                               atol=1e-13)
    np.testing.assert_allclose(heat_dirichlet(u0, nu, 0.0, grid, (left, right)), u0(grid.x),
                               atol=1e-13)


def test_advection_inflow() -> None:
    grid = Grid.bounded(41)
    bump = Bump(center=-1.0, width=0.2, period=4.0)
    u = advection_inflow(bump, 1.0, 1.5, grid, inflow=0.25)
    inside = grid.x - 1.5 >= -2.0
    np.testing.assert_allclose(u[inside], bump(grid.x[inside] - 1.5))
    assert np.all(u[~inside] == 0.25)
    with pytest.raises(ProblemError, match="function"):
        advection_inflow(bump(grid.x), 1.0, 1.5, grid)


def test_no_exact_solution_for_bounded_advection_diffusion() -> None:
    problem = AdvectionDiffusion(1.0, 0.1, central_stencil(1, 2), central_stencil(2, 2),
                                 Grid.bounded(21))
    with pytest.raises(ProblemError, match="no exact solution"):
        exact_solution(problem, SineMode(1), [0.1])


@pytest.mark.parametrize("accuracy", [2, 4, 6])
@pytest.mark.parametrize(("m", "boundary"), [(1, "periodic"), (2, "periodic"), (2, "dirichlet")])
def test_reference_matrices_are_exact_on_polynomials(m: int, accuracy: int, boundary: str) -> None:
    """Interior rows, and the Dirichlet closure rows, differentiate x**q exactly for
    q < accuracy + m, to the round-off of the terms summed.

    h = 1/8 and x_i = (i - 15) / 8: x**q and the exact derivative q!/(q-m)! x**(q-m) are exact
    in float64 (|i - 15|**7 < 2**53), and h**-m is a power of 2, so the only round-off is the
    weights' conversion (eps/2 each) and the row sum of K products: at most (K + 1) eps
    sum_j |A_ij| |x_j|**q. A closure weight off by 1e-6 (relative) misses by 1e-6 |w| |x_j|**q
    h**-m, about 1e8 times that (q = 0: the weights must sum to zero).
    """
    n, h = 30, 1 / 8
    x = (np.arange(n) - 15) * h
    matrix = fd_matrix(m, accuracy, n, h, boundary)
    if boundary == "dirichlet":  # rows 0 and n-1 belong to held nodes
        assert matrix[[0, n - 1]].nnz == 0
        rows = slice(1, n - 1)
    else:  # the rows that do not wrap around
        rows = slice(accuracy // 2, n - accuracy // 2)  # radius p / 2 for m = 1 and 2
    per_row = int(np.diff(matrix.indptr).max())
    eps = np.finfo(np.float64).eps
    for q in range(accuracy + m):
        exact = math.perm(q, m) * x ** max(q - m, 0)
        got = (matrix @ x**q)[rows]
        allowed = (per_row + 1) * eps * (1 + per_row * eps) * (abs(matrix) @ np.abs(x) ** q)
        excess = np.abs(got - exact[rows]) / allowed[rows]
        assert np.all(excess <= 1), (
            f"{boundary}, q = {q}: row {rows.start + excess.argmax()} misses x**q's derivative "
            f"by {excess.max():.3g} x the round-off allowed"
        )


def test_reference_matrices_match_the_textbook_stencils() -> None:
    for m in (1, 2):
        for p in (2, 4, 6):
            ours = central_stencil(m, p).matrix(40, 0.05, "periodic").toarray()
            np.testing.assert_allclose(fd_matrix(m, p, 40, 0.05).toarray(), ours, rtol=1e-13,
                                       atol=1e-10)


def test_reference_refuses_what_it_cannot_do() -> None:
    with pytest.raises(ReferenceSolverError, match="accuracies"):
        fd_matrix(1, 3, 20, 0.1)
    with pytest.raises(ReferenceSolverError, match="periodic grids only"):
        reference_solve("advection", Grid.bounded(20), np.zeros(20), [0.0, 1.0], velocity=1.0)
    with pytest.raises(ReferenceSolverError, match="ascending"):
        reference_solve("heat", GRID, np.zeros(64), [1.0, 0.5], diffusivity=1.0)


def test_solvers_library_never_imports_learned_ops_or_tensorflow() -> None:
    package = Path(__file__).resolve().parents[2] / "solvers"
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                root = name.split(".")[0]
                assert root not in {"learned_ops", "tensorflow", "keras"}, f"{path.name}: {name}"
