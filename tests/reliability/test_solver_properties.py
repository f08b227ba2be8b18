"""Property-based checks that random valid operators never crash the solvers' analysis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learned_ops import LearnedOpsError, Stencil
from solvers import Advection, Grid, Heat, SolverError, solve, stable_numbers, stepper_names

SETTINGS = settings(max_examples=40, deadline=None)
pytestmark = pytest.mark.filterwarnings("ignore::solvers.errors.SolverWarning")
coefficient = st.integers(-4000, 4000).map(lambda k: k / 16)


@st.composite
def operators(draw, m: int) -> Stencil:
    offsets = draw(st.lists(st.integers(-3, 3), min_size=m + 1, max_size=7, unique=True))
    coeffs = draw(st.lists(coefficient, min_size=len(offsets), max_size=len(offsets)))
    return Stencil(tuple(sorted(offsets)), coeffs, m)


@SETTINGS
@given(operators(1), st.sampled_from(stepper_names()), st.sampled_from([1, -1]))
def test_stability_of_any_first_derivative_is_a_number_or_a_clear_refusal(op, stepper,
                                                                          sign) -> None:
    limit = stable_numbers(op, "advection", stepper, velocity_sign=sign)
    assert float(limit) >= 0.0 or np.isinf(float(limit))
    assert limit.kind in ("finite", "amplifying", "imaginary-axis", "unconditional")
    assert isinstance(limit.reason, str)
    assert limit.reason


@SETTINGS
@given(operators(2), st.sampled_from(stepper_names()), st.sampled_from(["periodic", "bounded"]))
def test_heat_with_any_second_derivative_runs_or_refuses_cleanly(op, stepper, kind) -> None:
    grid = Grid(24, -2.0, 2.0, kind)
    u0 = np.sin(np.pi * grid.x / 2)
    try:
        problem = Heat(0.01, op, grid)
        solution = solve(problem, u0, 0.05, stepper=stepper)
    except (SolverError, LearnedOpsError) as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert len(message) > 10  # a refusal says why
    else:
        assert np.isfinite(solution.final).all()


@SETTINGS
@given(operators(1))
def test_advection_with_any_first_derivative_runs_or_refuses_cleanly(op) -> None:
    grid = Grid.periodic(32)
    try:
        solution = solve(Advection(1.0, op, grid), np.cos(np.pi * grid.x / 2), 0.2)
    except (SolverError, LearnedOpsError) as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert len(message) > 10  # a refusal says why
    else:
        assert np.isfinite(solution.final).all()
