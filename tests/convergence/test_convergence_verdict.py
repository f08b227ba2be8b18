"""The verdict rule: longest agreeing run, >= 3 grids, two-sided; the time error kept <= 1%.

Issue 12, case 5: a fit anchored on the finest pair let one odd last pair discard every
consistent pair before it, gave verdicts from two grids, and called an order far above the
expected one "met"; the temporal error could be 10% of the error on a level (a bias of up to
0.29 in a pairwise order).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from learned_ops import central_stencil, textbook_stencil
from learned_ops.pretrained import load_pretrained
from solvers import (
    ScheduleError,
    convergence_study,
    default_initial_condition,
    error_norms,
    exact_solution,
    solve,
)
from solvers.convergence import asymptotic_range, longest_agreeing_run
from solvers.convergence import levels as convergence_module
from tests.convergence.studies import (
    PRETRAINED_GRIDS,
    TOL,
    advection,
    advection_study,
    central_advection_study,
    upwind_velocity,
)

# The pairwise orders that learned-d1-upwind4-o2 shows on n = 50 .. 1600 (issue 12, case 5).
ODD_LAST = (2.566, 2.896, 2.939, 2.841, 2.583)


def _errors_with_orders(orders: tuple[float, ...], first: float = 1e-2) -> list[float]:
    """Errors on h halving each level whose pairwise orders are exactly ``orders``."""
    errors = [first]
    for q in orders:
        errors.append(errors[-1] / 2.0**q)
    return errors


# --------------------------------------------------------------------------- the run
def test_an_odd_last_pair_does_not_discard_the_agreeing_pairs_before_it() -> None:
    """2.90, 2.94, 2.84 agree (spread 0.098 <= 0.1); 2.57 and 2.58 do not join them."""
    steps = [0.08 / 2**k for k in range(6)]
    errors = _errors_with_orders(ODD_LAST)
    labels = [f"n = {50 * 2**k}" for k in range(6)]
    first, last, notes = asymptotic_range(steps, {"l2": errors, "linf": errors},
                                          {"l2": 1.0, "linf": 1.0}, labels=labels)
    assert (first, last) == (1, 4)
    assert any("n = 50 left out as pre-asymptotic" in note for note in notes)
    assert any("n = 1600 left out" in note and "2.58" in note for note in notes)


def test_the_longest_run_wins_and_the_finest_on_ties() -> None:
    orders = {"l2": [3.0, 3.02, 2.0, 2.01, 2.02, 2.5, 2.0, 2.03]}
    assert longest_agreeing_run(orders) == (2, 4)  # three pairs beat two
    tied = {"l2": [2.0, 2.05, 1.5, 2.0, 2.05]}
    assert longest_agreeing_run(tied) == (3, 4)  # two and two: the finer
    assert longest_agreeing_run({"l2": [4.0, 2.0, 3.0]}) == (2, 2)  # none agree: finest pair
    # every norm must agree: l2 alone would take all three pairs
    both = {"l2": [2.0, 2.0, 2.0], "linf": [2.0, 2.3, 2.3]}
    assert longest_agreeing_run(both) == (1, 2)
    # the relative part: order-6 pairs agree within 3% (0.18), not within 0.1 only
    assert longest_agreeing_run({"l2": [5.85, 6.0]}) == (0, 1)
    assert longest_agreeing_run({"l2": [1.85, 2.0]}) == (1, 1)


# --------------------------------------------------------------------------- verdicts
def test_the_issue_study_is_flagged_above_expected_not_met() -> None:
    """`learned-ops converge advection --operator learned-d1-upwind4-o2 --grids 50,..,1600`:
    the agreeing pairs sit near 2.9 against an expected 2: pre-asymptotic, not "met"."""
    op = load_pretrained("learned-d1-upwind4-o2")
    study = advection_study(op, PRETRAINED_GRIDS, velocity=upwind_velocity(op))
    assert study.expected_order == 2
    assert not study.meets_expected, study.table()
    assert study.verdict == "above expected"
    assert study.converges
    assert all(q > 2 + TOL for q in study.fitted_orders.values())
    assert len(study.fit_grids) >= 3
    assert "pre-asymptotic" in study.reason
    assert "verdict: ABOVE the expected order (not met)" in study.table()


def test_an_operator_better_than_claimed_is_flagged_above_expected() -> None:
    """The order-4 central stencil claimed as order 2: 4 is not "within 0.1" of 2."""
    study = central_advection_study(4, expected=2)
    assert not study.meets_expected
    assert study.verdict == "above expected"
    with pytest.raises(AssertionError, match=r"not within 0\.1 of 2"):
        study.assert_order()


def test_a_two_grid_study_is_inconclusive() -> None:
    """Order 1.98 between n = 100 and 200, but one pair cannot show that it has settled."""
    study = central_advection_study(2, (100, 200))
    assert not study.meets_expected
    assert study.verdict == "inconclusive: refine"
    assert not study.converges  # three grids are needed to see the errors keep shrinking
    assert "a study of 2 grids" in study.reason
    assert "verdict: inconclusive: refine" in study.table()
    assert study.fit_grids == (100, 200)  # the finest pair's fit, shown for information
    with pytest.raises(AssertionError, match="inconclusive"):
        study.assert_order(2, 0.1)


def test_grids_whose_orders_never_settle_are_inconclusive() -> None:
    """learned-d1-c5-o2 on n = 50 .. 800 (the README's command): orders 3.7, 1.3, 1.8, 2.0,
    no two consecutive ones agree; with n = 1600 the last three agree (the pretrained test)."""
    study = advection_study(load_pretrained("learned-d1-c5-o2"), (50, 100, 200, 400, 800))
    assert not study.meets_expected, study.table()
    assert study.verdict == "inconclusive: refine"
    assert study.converges  # the last two pairs both have order >= 0.5
    assert "no 3 consecutive grids" in study.reason


def test_an_order_below_expected_is_not_met() -> None:
    """First-order upwind, coupled with Euler, on the default bump: still climbing to 1."""
    study = advection_study(textbook_stencil(1, (-1, 0)), None, kind="coupled",
                            stepper="euler")
    assert study.verdict == "not met"
    assert not study.meets_expected
    assert any(q < 1 - TOL for q in study.fitted_orders.values())
    assert "NOT met" in study.reason


def test_bad_agreement_and_time_error_ratio_are_refused() -> None:
    problem = advection(central_stencil(1, 2))
    with pytest.raises(ScheduleError, match="agreement"):
        convergence_study(problem, 1.0, agreement=0.0)
    with pytest.raises(ScheduleError, match="time_error_ratio"):
        convergence_study(problem, 1.0, time_error_ratio=1.0)


# --------------------------------------------------------------------------- the time error
def test_the_time_error_is_at_most_one_percent_of_the_spatial_error_on_every_level() -> None:
    """Started at Courant number 2 (RK4 near its limit) with a fourth-order operator.

    Checked independently of the study's own estimate: the run at the study's dt against one
    at dt / 8 (whose temporal error is 8**-4 = 1/4096 of it), and that one against the exact
    solution. A share <= 1% bounds each pairwise order's bias by log2(1.01/0.99) = 0.029.
    """
    study = central_advection_study(4, (50, 100, 200), number=2.0)
    assert study.dt[0] < advection(central_stencil(1, 4)).dt_for_number(2.0)  # reduced
    for n, dt in zip(study.grids, study.dt, strict=True):
        problem = advection(central_stencil(1, 4), n=n)
        f = default_initial_condition(problem)
        run = solve(problem, f, 1.0, dt=dt).final
        fine = solve(problem, f, 1.0, dt=dt / 8).final
        exact = exact_solution(problem, f, [1.0])[-1]
        for norm in ("l2", "linf"):
            temporal = getattr(error_norms(run, fine, problem.grid.h), norm)
            spatial = getattr(error_norms(fine, exact, problem.grid.h), norm)
            # fine's own temporal error (temporal / 4096) moves both by < 0.03%
            assert temporal <= 0.01 * (1 + 1e-3) * spatial, (n, norm, temporal / spatial)
    assert max(study.time_error_shares) <= 0.01
    assert "time error: at most" in study.table()


def test_a_time_error_that_cannot_be_made_small_is_named_with_its_bias(monkeypatch) -> None:
    """Upwind + Euler: temporal and spatial errors are both first order; 1e-4 of the spatial
    error needs dt / 1e4, one reduction (at most by 16) cannot get there."""
    monkeypatch.setattr(convergence_module, "MAX_DT_REDUCTIONS", 1)
    study = advection_study(textbook_stencil(1, (-1, 0)), (50, 100, 200), stepper="euler",
                            time_error_ratio=1e-4)
    still = [note for note in study.notes if "temporal error is still" in note]
    assert still, study.notes
    assert "biased by up to" in still[0]
    assert max(study.time_error_shares) > 1e-4


# --------------------------------------------------------------------------- JSON
def test_to_dict_carries_the_verdict() -> None:
    data = central_advection_study(2, (100, 200)).to_dict()
    assert data["verdict"] == "inconclusive: refine"
    assert data["meets_expected"] is False
    assert math.isfinite(data["agreement"])
    assert np.all(np.isfinite(data["time_error_shares"]))
