"""The convergence-order helper for users' own errors (:mod:`solvers.eoc`).

Expected values are exact by construction: errors ``C h**p`` have order ``p`` between any
two levels; the tables are checked against hand-written rows.
"""

from __future__ import annotations

import math

import pytest

from solvers.eoc import EOCInputError, assert_order, eoc

H = (0.1, 0.05, 0.025, 0.0125)


def test_errors_of_a_power_law_have_its_order_everywhere() -> None:
    result = eoc(H, [3.0 * h**2 for h in H])
    assert result.orders == pytest.approx([2.0, 2.0, 2.0], abs=1e-12)
    assert result.fitted_order == pytest.approx(2.0, abs=1e-12)
    assert result.mean_order == pytest.approx(2.0, abs=1e-12)
    assert result.fit_range == (0, 3)


def test_the_fit_uses_only_the_stated_range() -> None:
    # pre-asymptotic first level (order log2(8) = 3 to the second), then exact order 1
    errors = [8.0, 1.0, 0.5, 0.25]
    whole = eoc(H, errors)
    stated = eoc(H, errors, fit_range=(1, -1))
    assert whole.orders == pytest.approx([3.0, 1.0, 1.0], abs=1e-12)
    assert stated.fit_range == (1, 3)
    assert stated.fitted_order == pytest.approx(1.0, abs=1e-12)
    assert stated.mean_order == pytest.approx(1.0, abs=1e-12)
    assert whole.mean_order == pytest.approx(5.0 / 3.0, abs=1e-12)


def test_the_table_marks_the_fitted_levels() -> None:
    text = eoc((0.5, 0.25, 0.125), (4.0, 1.0, 0.25), fit_range=(1, 2)).table()
    lines = text.splitlines()
    assert lines[2] == "      0 |  5.0000e-01 |  4.0000e+00 |      -"
    assert lines[3] == "*     1 |  2.5000e-01 |  1.0000e+00 |   2.00"
    assert lines[4] == "*     2 |  1.2500e-01 |  2.5000e-01 |   2.00"
    assert lines[-1] == "fitted order 2.000, mean order 2.000 over levels 1..2 (marked *)"


def test_assert_order_passes_within_tol_and_fails_with_the_table() -> None:
    errors = [h**2 for h in H]
    assert assert_order(H, errors, expected=2.05, tol=0.1).fitted_order == pytest.approx(2.0)
    with pytest.raises(AssertionError) as failure:
        assert_order(H, errors, expected=4, tol=0.1)
    message = str(failure.value)
    assert message.startswith("fitted order 2.000 is not within 0.1 of the expected 4\n")
    assert message.endswith(eoc(H, errors).table())


@pytest.mark.parametrize(("spacings", "errors", "fit_range", "says"), [
    ((0.1,), (1.0,), None, "at least two levels"),
    ((0.1, 0.05), (1.0,), None, "one value per level"),
    ((0.1, 0.05), (1.0, 0.0), None, "finite and positive"),
    ((0.1, 0.05), (1.0, math.nan), None, "finite and positive"),
    ((0.1, 0.1), (1.0, 0.5), None, "distinct"),
    (H, [h for h in H], (2, 1), "must name two or more"),
    (H, [h for h in H], (0, 4), "must name two or more"),
    (H, [h for h in H], (0.5, 2), "integers"),
])
def test_bad_input_is_refused_with_what_was_wrong(spacings, errors, fit_range, says) -> None:
    with pytest.raises(EOCInputError, match=says):
        eoc(spacings, errors, fit_range)


def test_a_non_positive_tolerance_is_refused() -> None:
    with pytest.raises(EOCInputError, match="tol must be a positive"):
        assert_order(H, H, expected=1, tol=0.0)
