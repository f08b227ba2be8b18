"""Closure rows (exact weights), inflow advection, closure-driven growth, advection-diffusion,
progress and snapshots."""

from __future__ import annotations

from fractions import Fraction

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
from solvers.reference import fd_matrix
from tests.exact_weights import exact_weights

BUMP = Bump(center=0.0, width=0.2, period=4.0)
N = 16


def _closure_weights(m: int, nodes: range, at: int) -> list[Fraction]:
    """The classical stencil on integer ``nodes`` for the m-th derivative at node ``at``."""
    return exact_weights([x - at for x in nodes], m)


def _check_rows(matrix: np.ndarray, m: int, width: int, closure_rows: range) -> None:
    """Each closure row (and its mirror at the right end) is the exact one-sided stencil on the
    ``width`` nodes nearest it, to a few float64 round-offs of its largest weight."""
    n = matrix.shape[0]
    for i in closure_rows:
        for row, nodes in ((i, range(width)), (n - 1 - i, range(n - width, n))):
            exact = np.array([float(w) for w in _closure_weights(m, nodes, row)])
            expected = np.zeros(n)
            expected[nodes.start : nodes.stop] = exact
            np.testing.assert_allclose(matrix[row], expected, rtol=0,
                                       atol=1e-13 * np.abs(exact).max(), err_msg=f"row {row}")


def test_exact_weights_reproduce_a_textbook_row() -> None:
    """The helper itself, on a tabulated case: d2/dx2 from nodes 0..5 at node 1."""
    assert _closure_weights(2, range(6), 1) == [Fraction(5, 6), Fraction(-5, 4), Fraction(-1, 3),
                                              Fraction(7, 6), Fraction(-1, 2), Fraction(1, 12)]


@pytest.mark.parametrize("p", [2, 4, 6])
def test_reference_dirichlet_closure_rows_are_the_classical_one_sided_stencils(p: int) -> None:
    """scipy reference, heat with Dirichlet ends: rows 0 and n-1 zero (held nodes), rows
    1 .. p/2 - 1 one-sided on the p + 2 nearest nodes (order p), the rest central."""
    matrix = fd_matrix(2, p, N, 1.0, "dirichlet").toarray()
    np.testing.assert_array_equal(matrix[[0, -1]], 0.0)
    _check_rows(matrix, 2, p + 2, range(1, p // 2))
    central = _closure_weights(2, range(-(p // 2), p // 2 + 1), 0)
    np.testing.assert_allclose(matrix[p // 2, : p + 1], [float(w) for w in central], rtol=0,
                               atol=1e-13 * max(abs(float(w)) for w in central))


@pytest.mark.parametrize(("m", "p"), [(1, 2), (1, 4), (1, 6), (2, 2), (2, 4), (2, 6)])
def test_operator_closure_rows_are_the_classical_one_sided_stencils(m: int, p: int) -> None:
    """learned_ops one-sided closures: rows 0 .. r-1 use the m + p nearest nodes (order p)."""
    matrix = central_stencil(m, p).matrix(N, 1.0, "one-sided").toarray()
    radius = p // 2 + (m - 1) // 2
    _check_rows(matrix, m, m + p, range(radius))


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
