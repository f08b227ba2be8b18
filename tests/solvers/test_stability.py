"""Stability limits from the operator: known values, classic failures, and the real thing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from learned_ops import central_stencil, textbook_stencil
from solvers import (
    Advection,
    Grid,
    Heat,
    SolverWarning,
    solve,
    stability_limit,
    stable_numbers,
)
from solvers.stability import largest_stable_step

# Classical limits: (operator factory, equation, stepper, limit).
KNOWN = [
    (lambda: central_stencil(1, 2), "advection", "rk4", 2.0 * math.sqrt(2.0)),
    (lambda: central_stencil(1, 2), "advection", "ssprk3", math.sqrt(3.0)),
    (lambda: central_stencil(2, 2), "heat", "euler", 0.5),
    (lambda: central_stencil(2, 2), "heat", "heun", 0.5),
    (lambda: textbook_stencil(1, [-1, 0]), "advection", "euler", 1.0),
    (lambda: textbook_stencil(1, [-1, 0]), "advection", "heun", 1.0),
    # (fwd o bwd) is the 3-point Laplacian: same limit as above.
    (lambda: (textbook_stencil(1, [0, 1]), textbook_stencil(1, [-1, 0])), "heat", "euler", 0.5),
]


@pytest.mark.parametrize(("make", "equation", "stepper", "expected"), KNOWN)
def test_known_limits(make, equation: str, stepper: str, expected: float) -> None:
    limit = stable_numbers(make(), equation, stepper)
    assert limit.kind == "finite"
    assert float(limit) == pytest.approx(expected, rel=1e-8)


def test_rk4_heat_limit_is_real_axis_limit_over_four(central2) -> None:
    # RK4's real-axis stability interval is [-2.785..., 0]; the 3-point Laplacian reaches -4.
    roots = np.roots([1 / 24, 1 / 6, 1 / 2, 1])  # R(z) = 1 <=> z (1 + z/2 + z²/6 + z³/24) = 0
    real_root = min(r.real for r in roots if abs(r.imag) < 1e-9)
    assert float(stable_numbers(central2, "heat", "rk4")) == pytest.approx(-real_root / 4)


@pytest.mark.parametrize("stepper", ["euler", "heun"])
def test_central_first_derivative_has_no_stable_step(central1, stepper: str) -> None:
    limit = stable_numbers(central1, "advection", stepper)
    assert limit.number == 0.0
    assert not limit.stable
    assert limit.kind == "imaginary-axis"
    assert "imaginary axis" in limit.reason
    assert "every time step is unstable" in limit.reason


def test_downwind_operator_is_explained() -> None:
    forward = textbook_stencil(1, [0, 1])
    limit = stable_numbers(forward, "advection", "rk4", velocity_sign=1)
    assert limit.kind == "amplifying"
    assert limit.number == 0.0
    assert "downwind" in limit.reason
    assert stable_numbers(forward, "advection", "rk4", velocity_sign=-1).stable


def test_seed_forward_amplifies_constants_even_upwind(seed_forward) -> None:
    # Used for a < 0 it is upwind, but mu_0 = 0.0637 > 0 makes the constant mode grow.
    limit = stable_numbers(seed_forward, "advection", "rk4", velocity_sign=-1)
    assert limit.kind == "amplifying"
    assert limit.theta == 0.0
    assert "constants" in limit.reason


def test_largest_stable_step_ignores_round_off_real_parts() -> None:
    lam = np.array([1e-14 + 1.0j, -1e-14 - 2.0j, 0.0])
    dt, index, kind = largest_stable_step(lam, _rk4())
    assert kind == "finite"
    assert index == 1
    assert dt == pytest.approx(math.sqrt(2.0), rel=1e-10)


def _rk4():
    from solvers import CLASSICAL_RK4

    return CLASSICAL_RK4


def test_periodic_grid_limit_uses_its_own_wavenumbers(central1) -> None:
    # With N = 6 the wavenumbers 2 pi k / 6 miss theta = pi/2, so the limit exceeds 2 sqrt 2.
    coarse = stability_limit(Advection(1.0, central1, Grid.periodic(6)), "rk4")
    assert coarse.number == pytest.approx(2.0 * math.sqrt(2.0) / math.sin(np.pi / 3))
    fine = stability_limit(Advection(1.0, central1, Grid.periodic(200)), "rk4")
    assert fine.number == pytest.approx(2.0 * math.sqrt(2.0))
    h = Grid.periodic(200).h
    assert fine.dt == pytest.approx(fine.number * h / 1.0)  # dt = C h / |a|


def test_bounded_limit_includes_the_interior_symbol(upwind1) -> None:
    # Upwind with an inflow node is a Jordan block (all eigenvalues -a/h); its eigenvalues
    # alone would allow Courant 2.51 with SSP-RK3; the interior symbol caps it at 1.256.
    problem = Advection(1.0, upwind1, Grid.bounded(101))
    limit = stability_limit(problem, "ssprk3")
    assert limit.number == pytest.approx(float(stable_numbers(upwind1, "advection", "ssprk3")))
    assert "eigenvalues" in limit.method


def test_dirichlet_heat_limit_from_matrix_eigenvalues(central2) -> None:
    limit = stability_limit(Heat(0.1, central2, Grid.bounded(41)), "euler")
    assert limit.kind == "finite"
    assert limit.number == pytest.approx(0.5, rel=1e-12)


def _noise(n: int) -> np.ndarray:
    return np.random.default_rng(7).standard_normal(n)


@pytest.mark.parametrize(
    ("make_problem", "stepper"),
    [
        (lambda: Advection(1.0, central_stencil(1, 2), Grid.periodic(64)), "rk4"),
        (lambda: Heat(0.5, central_stencil(2, 2), Grid.periodic(64)), "euler"),
        (lambda: Heat(0.5, central_stencil(2, 4), Grid.bounded(64)), "ssprk3"),
    ],
)
def test_just_below_the_limit_is_bounded_and_just_above_grows(make_problem, stepper) -> None:
    problem = make_problem()
    limit = stability_limit(problem, stepper)
    u0 = _noise(problem.grid.n)
    if not problem.grid.is_periodic:
        u0[[0, -1]] = 0.0
    norm0 = problem.grid.norm(u0)
    steps = 400
    below = solve(problem, u0, steps * 0.99 * limit.dt, dt=0.99 * limit.dt, stepper=stepper)
    assert problem.grid.norm(below.final) <= norm0 * (1 + 1e-9)
    with pytest.warns(SolverWarning, match="beyond the stability limit"):
        above = solve(problem, u0, steps * 1.03 * limit.dt, dt=1.03 * limit.dt,
                      stepper=stepper, allow_unstable=True, blowup_factor=1e300)
    assert problem.grid.norm(above.final) > 100 * norm0


def test_round_off_eigenvalues_are_not_taken_as_amplifying() -> None:
    """Regression: a skew-symmetric stencil's symbol vanishes at theta = pi and a consistent
    one's at theta = 0; the round-off residue (~1e-16) must not make every dt unstable."""
    import numpy as np

    from learned_ops import Stencil, central_stencil
    from solvers import stable_numbers

    c = np.array([-0.026526307714909585, 0.1894390500237055, -0.7993006343948836, 0.0,
                  0.7993006343948836, -0.1894390500237055, 0.026526307714909585])
    for operator in (central_stencil(1, 6), Stencil((-3, -2, -1, 0, 1, 2, 3), c, 1)):
        for sign in (1, -1):
            limit = stable_numbers(operator, "advection", "rk4", velocity_sign=sign)
            assert limit.kind == "finite"
            assert float(limit) > 1.0


def test_weak_anti_dissipation_is_reported_not_refused() -> None:
    """A learned order-2 stencil 1e-5 off skew-symmetry grows like exp(1e-3 t) for one
    velocity sign: that is reported (rate, e-folding time), not a refusal of every dt; a
    downwind stencil (growth of order |lambda|) is still refused."""
    import warnings

    import numpy as np

    from learned_ops import Stencil, textbook_stencil
    from solvers import Advection, Grid, SolverWarning, solve, stability_limit

    skew = np.array([1.0, -8.0, 0.0, 8.0, -1.0]) / 12.0 + 0.005 * np.array([1, -2, 0, 2, -1])
    wobble = 1e-5 * np.array([1.0, -4.0, 6.0, -4.0, 1.0])  # keeps mu_0..mu_3 = 0, 1, 0, 0
    learned = Stencil((-2, -1, 0, 1, 2), skew + wobble, 1)
    assert learned.accuracy_order == 2
    grid = Grid.periodic(200)
    rates = []
    for velocity in (1.0, -1.0):
        limit = stability_limit(Advection(velocity, learned, grid), "rk4")
        assert limit.kind == "finite"
        assert float(limit) > 1.0
        rates.append(limit.growth_rate)
    assert max(rates) > 1e-4
    assert min(rates) == 0.0  # the other direction is damped
    growing = Advection(1.0 if rates[0] > 0 else -1.0, learned, grid)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = solve(growing, np.sin(np.pi * grid.x / 2), 1.0)
    assert any(issubclass(w.category, SolverWarning) and "anti-dissipative" in str(w.message)
               for w in caught)
    assert np.isfinite(solution.final).all()
    downwind = stability_limit(Advection(1.0, textbook_stencil(1, (0, 1)), grid), "rk4")
    assert downwind.kind == "amplifying"
    assert downwind.growth_rate == 0.0


def test_exact_operators_have_an_order_and_are_consistent() -> None:
    """The identity (m = 0) matches every moment: no AssertionError, consistent, order >= 1."""
    from solvers.operators import accuracy_order_of, consistency_problem
    from tests.solvers.fakes import BareOperator

    identity = BareOperator((0,), np.array([1.0]), 0)
    assert accuracy_order_of(identity) >= 1
    assert consistency_problem(identity) is None
