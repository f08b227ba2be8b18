"""Property-based checks on random valid operators: the stability analysis agrees with a brute
force over the stepper's own growth factor, a run is the linear map R(dt L)**K it claims to be,
and a refusal is the specific error with the limit that justifies it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learned_ops import Stencil
from solvers import (
    Advection,
    Grid,
    Heat,
    NoStableTimeStepError,
    solve,
    stability_limit,
    stable_numbers,
    stepper_names,
)
from solvers.tableaux import get_tableau

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)
pytestmark = pytest.mark.filterwarnings("ignore::solvers.errors.SolverWarning")
coefficient = st.integers(-4000, 4000).map(lambda k: k / 16)
ROUND_OFF = 16 * np.finfo(np.float64).eps  # relative size below which an eigenvalue part is 0
GROWTH_TOL = 1e-10  # |R| may exceed 1 by this (round-off of R at |z| <= 3 is ~1e-15)


@st.composite
def operators(draw, m: int) -> Stencil:
    offsets = draw(st.lists(st.integers(-3, 3), min_size=m + 1, max_size=7, unique=True))
    coeffs = draw(st.lists(coefficient, min_size=len(offsets), max_size=len(offsets)))
    return Stencil(tuple(sorted(offsets)), coeffs, m)


@st.composite
def damped_operators(draw, m: int) -> Stencil:
    """Mostly stable ones: Re sigma of one sign (w_k >= 0 times 2 - 2 cos k theta) plus a
    skew part s_k; random operators are nearly all amplifying."""
    w = draw(st.lists(st.integers(0, 400).map(lambda k: k / 16), min_size=3, max_size=3))
    skew = draw(st.lists(coefficient, min_size=3, max_size=3))
    sign = 1.0 if m == 1 else -1.0  # advection damps with Re sigma >= 0, heat with <= 0
    coeffs = [0.0] * 7
    coeffs[3] = 2 * sign * sum(w)
    for k in (1, 2, 3):
        coeffs[3 + k] = -sign * w[k - 1] + skew[k - 1]
        coeffs[3 - k] = -sign * w[k - 1] - skew[k - 1]
    return Stencil((-3, -2, -1, 0, 1, 2, 3), coeffs, m)


def any_operators(m: int) -> st.SearchStrategy[Stencil]:
    """Random operators, half of them damped."""
    return st.one_of(operators(m), damped_operators(m))


def _growth_factor(stepper: str) -> list[float]:
    """R(z) = 1 + sum_k (b . A**(k-1) 1) z**k, from the stepper's Butcher tableau (data)."""
    tableau = get_tableau(stepper)
    a, b = np.asarray(tableau.a, dtype=np.float64), np.asarray(tableau.b, dtype=np.float64)
    gammas, vector = [], np.ones(len(b))
    for _ in range(len(b)):
        gammas.append(float(b @ vector))
        vector = a @ vector
    return gammas


def _largest_growth(gammas: list[float], z: np.ndarray) -> float:
    total, power = np.ones_like(z), np.ones_like(z)
    for gamma in gammas:
        power = power * z
        total = total + gamma * power
    return float(np.max(np.abs(total)))


def _symbol(op: Stencil, theta: np.ndarray) -> np.ndarray:
    """sum_j c_j exp(i j theta), written out here."""
    return sum(c * np.exp(1j * j * theta) for j, c in zip(op.offsets, op.coefficients,
                                                          strict=True))


@SETTINGS
@given(any_operators(1), st.sampled_from(stepper_names()), st.sampled_from([1, -1]))
def test_stability_of_any_first_derivative_agrees_with_a_brute_force(op, stepper,
                                                                     sign) -> None:
    """Courant number nu: |R(nu' lambda)| <= 1 on a dense theta grid for nu' <= 0.99 nu, and
    > 1 at 1.05 nu (the limit is the largest); none stable: an eigenvalue outside the region
    for small steps; unconditional: stable at every step."""
    limit = stable_numbers(op, "advection", stepper, velocity_sign=sign)
    assert limit.reason
    gammas = _growth_factor(stepper)
    lam = -sign * _symbol(op, np.linspace(0.0, 2 * np.pi, 6000, endpoint=False))
    scale = float(np.abs(lam).max())
    if limit.kind == "finite":
        assert 0 < limit.number < math.inf
        for fraction in (0.25, 0.5, 0.99):
            assert _largest_growth(gammas, fraction * limit.number * lam) <= 1 + GROWTH_TOL
        assert _largest_growth(gammas, 1.05 * limit.number * lam) > 1 + GROWTH_TOL
    elif limit.kind == "unconditional":
        assert limit.number == math.inf
        for dt in (1e-2, 1.0, 1e2):
            assert _largest_growth(gammas, dt / max(scale, 1e-300) * lam) <= 1 + GROWTH_TOL
    else:
        assert limit.number == 0.0
        if limit.kind == "amplifying":
            assert float(np.max(lam.real)) > ROUND_OFF * scale
        else:  # eigenvalues on the imaginary axis, outside the region however small dt is
            assert float(np.max(lam.real)) <= ROUND_OFF * scale
            assert _largest_growth(gammas, 1e-2 / scale * lam) > 1 + 1e-12


def _rhs_matrix(problem) -> np.ndarray:
    """L with du/dt = L u, from the operators' own matrices (fixed nodes: zero rows)."""
    grid = problem.grid
    matrix = sum(coef * op.matrix(grid.n, grid.h, grid.boundary_mode).toarray()
                 for coef, op in problem.terms())
    for node in problem.fixed_values():
        matrix[node] = 0.0
    return matrix


def _runs_as_its_linear_map_or_refuses(problem, u0: np.ndarray, t_final: float,
                                       stepper: str) -> None:
    """With dt = t_final / K below the limit, the run equals K steps of R(dt L) applied here;
    with no stable dt, the refusal is NoStableTimeStepError carrying a zero limit and a reason,
    and on a periodic grid an exact eigenvalue shows why."""
    limit = stability_limit(problem, stepper)
    matrix = _rhs_matrix(problem)
    gammas = _growth_factor(stepper)
    if not limit.stable:
        with pytest.raises(NoStableTimeStepError, match="no stable time step") as refused:
            solve(problem, u0, t_final, stepper=stepper)
        assert refused.value.limit.dt == 0.0
        assert len(refused.value.limit.reason) > 10
        if problem.grid.is_periodic:
            lam = np.linalg.eigvals(matrix)
            scale = float(np.abs(lam).max())
            outside = float(np.max(lam.real)) > ROUND_OFF * scale or (
                _largest_growth(gammas, 1e-2 / scale * lam) > 1 + 1e-12)
            assert outside, f"refused, yet every eigenvalue is stable: {limit.reason}"
        return
    steps = max(1, math.ceil(t_final / (0.9 * limit.dt))) if math.isfinite(limit.dt) else 1
    dt = t_final / steps
    solution = solve(problem, u0, t_final, stepper=stepper, dt=dt)
    assert solution.info.steps == steps
    step = np.eye(len(u0))
    power = np.eye(len(u0))
    for gamma in gammas:
        power = power @ (dt * matrix)
        step = step + gamma * power
    expected = u0.copy()
    for _ in range(steps):
        expected = step @ expected
    # each step adds round-off ~ eps * ||R(dt L)|| |u|; allow 100x that per step
    size = max(np.abs(expected).max(), np.abs(u0).max())
    tol = 100 * steps * np.finfo(np.float64).eps * np.abs(step).sum(axis=1).max() * size
    np.testing.assert_allclose(solution.final, expected, rtol=0, atol=tol)
    if problem.grid.is_periodic:  # normal L: the limit's claim is exact on its eigenvalues
        assert _largest_growth(gammas, dt * np.linalg.eigvals(matrix)) <= 1 + GROWTH_TOL


@SETTINGS
@given(any_operators(2), st.sampled_from(stepper_names()),
       st.sampled_from(["periodic", "bounded"]))
def test_heat_with_any_second_derivative_runs_as_its_linear_map_or_refuses(op, stepper,
                                                                          kind) -> None:
    grid = Grid(24, -2.0, 2.0, kind)
    problem = Heat(0.01, op, grid)
    _runs_as_its_linear_map_or_refuses(problem, np.sin(np.pi * grid.x / 2), 0.05, stepper)


@SETTINGS
@given(any_operators(1), st.sampled_from(stepper_names()))
def test_advection_with_any_first_derivative_runs_as_its_linear_map_or_refuses(op,
                                                                               stepper) -> None:
    grid = Grid.periodic(32)
    problem = Advection(1.0, op, grid)
    _runs_as_its_linear_map_or_refuses(problem, np.cos(np.pi * grid.x / 2), 0.2, stepper)
