"""The study's machinery: orders, fit, asymptotic range, the table, assert_order, validation."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from learned_ops import central_stencil, textbook_stencil
from solvers import (
    ConvergenceStudy,
    Grid,
    Heat,
    ScheduleError,
    SolverError,
    convergence_study,
    default_initial_condition,
    fitted_order,
    pairwise_orders,
    semidiscrete_solution,
    solve,
)
from solvers.convergence import asymptotic_range
from tests.convergence.studies import advection

H = [0.08 / 2**k for k in range(6)]


def _range(errors: list[float], scale: float = 1.0) -> tuple[int, int, list[str]]:
    return asymptotic_range(H[: len(errors)], {"l2": errors, "linf": errors},
                            {"l2": scale, "linf": scale})


def test_pairwise_and_fitted_orders_of_an_exact_power_law() -> None:
    errors = [3.0 * h**4 for h in H]
    assert pairwise_orders(H, errors) == pytest.approx([4.0] * 5, abs=1e-12)
    assert fitted_order(H, errors) == pytest.approx(4.0, abs=1e-12)
    assert math.isnan(pairwise_orders([1.0, 0.5], [1.0, math.inf])[0])
    assert math.isnan(fitted_order([1.0], [1.0]))


def test_the_whole_range_is_used_for_a_clean_power_law() -> None:
    first, last, notes = _range([h**2 for h in H])
    assert (first, last) == (0, 5)
    assert notes == []


def test_pre_asymptotic_coarse_levels_are_left_out() -> None:
    """e = h**2 + 2000 h**4: order 2 + log2((1 + 2000 h**2) / (1 + 500 h**2)) between h and
    h / 2, i.e. 3.72, 3.22, 2.58, 2.19, 2.05, 2.01, 2.00 from h = 0.08: the last three agree
    within 0.1, 2.19 does not (spread 0.19), so the fit uses levels 4 .. 7."""
    steps = [0.08 / 2**k for k in range(8)]
    errors = [h**2 + 2000.0 * h**4 for h in steps]
    first, last, notes = asymptotic_range(steps, {"l2": errors, "linf": errors},
                                          {"l2": 1.0, "linf": 1.0})
    assert (first, last) == (4, 7)
    assert "pre-asymptotic" in notes[0]
    q = fitted_order(steps[first:], errors[first:])
    assert abs(q - 2.0) < 0.1


def test_six_levels_of_that_law_are_inconclusive() -> None:
    """Down to h = 0.0025 only (orders ... 2.19, 2.05): no two consecutive orders agree."""
    first, last, notes = _range([h**2 + 2000.0 * h**4 for h in H])
    assert (first, last) == (4, 5)  # the finest pair, for information
    assert "too few grids for a verdict" in notes[0]


def test_levels_at_the_round_off_floor_are_left_out() -> None:
    errors = [max(1e-2 * (h / 0.08) ** 6, 3e-14) for h in H]
    first, last, notes = _range(errors)
    assert last < 5
    assert any("round-off floor" in note for note in notes)
    assert abs(fitted_order(H[first:last + 1], errors[first:last + 1]) - 6.0) < 0.1


def test_an_order_collapse_near_the_floor_is_left_out() -> None:
    errors = [1e-5, 1e-5 / 16, 1e-5 / 256, 1e-5 / 4096, 1e-5 / 4096 / 1.5]
    _, last, notes = _range(errors)
    assert last == 3
    assert any("collapses" in note for note in notes)


def test_failed_levels_are_not_fitted() -> None:
    first, last, _ = _range([1e-2, 2.5e-3, math.inf, math.inf])
    assert (first, last) == (0, 1)


# --------------------------------------------------------------------------- the result
@pytest.fixture
def study(central2_study: ConvergenceStudy) -> ConvergenceStudy:
    return central2_study


def test_table_has_the_columns_the_fit_rows_and_the_verdict(study: ConvergenceStudy) -> None:
    table = study.table()
    for text in ("n |", "h", "dt", "L2 error", "order", "max error", "fitted", "mean",
                 "fit over n =", "expected order 2", "rule: the fit uses the longest run",
                 "within 0.1", ">= 3 grids", "time error: at most",
                 "verdict: meets the expected order"):
        assert text in table
    first, last = study.fit_range
    assert table.count("* ") == last - first + 1
    assert str(study) == table


def test_assert_order_passes_and_fails_with_the_table(study: ConvergenceStudy) -> None:
    study.assert_order(2, 0.1)
    study.assert_order(norm="l2")
    with pytest.raises(AssertionError) as info:
        study.assert_order(4, 0.1)
    assert "not within 0.1 of 4" in str(info.value)
    assert study.table() in str(info.value)
    with pytest.raises(ValueError, match="norm"):
        study.assert_order(2, norm="l1")


def test_to_dict_has_the_documented_keys_and_is_json(study: ConvergenceStudy) -> None:
    data = json.loads(json.dumps(study.to_dict()))
    for key in ("grids", "h", "dt", "errors", "orders", "fitted_order", "expected_order",
                "fit_range", "converges", "mean_orders", "reason", "verdict", "agreement",
                "time_error_shares"):
        assert key in data
    assert set(data["errors"]) == {"l2", "linf"}
    assert len(data["errors"]["l2"]) == len(data["grids"]) == 4
    assert len(data["orders"]["l2"]) == 3
    assert data["fitted_order"] == pytest.approx(min(study.fitted_orders.values()))
    assert data["converges"] is True
    assert data["verdict"] == "met"


# --------------------------------------------------------------------------- semi-discrete
@pytest.mark.parametrize("kind", ["periodic", "bounded"])
def test_semidiscrete_solution_is_what_a_tiny_step_converges_to(kind: str) -> None:
    problem = Heat(0.1, central_stencil(2, 2), Grid(40, -2.0, 2.0, kind), dirichlet=(0.0, 0.0))
    f = default_initial_condition(problem)
    exact = semidiscrete_solution(problem, f, 0.2)
    run = solve(problem, f, 0.2, stepper="rk4", courant=0.01).final
    assert np.max(np.abs(run - exact)) < 1e-10


# --------------------------------------------------------------------------- validation
def test_bad_arguments_raise_solver_errors() -> None:
    problem = advection(textbook_stencil(1, [-1, 0]))
    with pytest.raises(ScheduleError, match="kind"):
        convergence_study(problem, 1.0, kind="both")
    with pytest.raises(ScheduleError, match="increase"):
        convergence_study(problem, 1.0, grids=(100, 50))
    with pytest.raises(ScheduleError, match="at least 2"):
        convergence_study(problem, 1.0, grids=(100,))
    with pytest.raises(ScheduleError, match="grids"):
        convergence_study(problem, 1.0, kind="time", grids=(50, 100))
    with pytest.raises(ScheduleError, match="levels"):
        convergence_study(problem, 1.0, kind="time", levels=1)
    with pytest.raises(SolverError, match="function of x"):
        convergence_study(problem, 1.0, np.zeros(50))
    with pytest.raises(ScheduleError, match="number"):
        convergence_study(problem, 1.0, number=-1.0)


def test_a_study_without_a_stable_step_has_no_fit_and_says_why(seed_forward) -> None:
    study = convergence_study(advection(seed_forward, -1.0), 1.0, grids=(50, 100))
    data = study.to_dict()
    assert data["fit_grids"] == []
    assert data["fitted_order"] is None
    assert data["converges"] is False
    assert "no stable time step" in data["reason"]
    assert "verdict: DOES NOT CONVERGE" in study.table()
