"""The pytest plugin (entry point ``pytest11``): the fixture, and the table on failure."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

TESTS = '''
def test_second_order(convergence_order):
    h = [0.1, 0.05, 0.025]
    convergence_order.check(h, [s**2 for s in h], expected=2, tol=0.1)

def test_claims_fourth_order(convergence_order):
    h = [0.1, 0.05, 0.025]
    convergence_order.table(h, [s for s in h], label="dt")
    convergence_order.check(h, [s**2 for s in h], expected=4, tol=0.1)
'''


def test_the_plugin_is_declared_as_a_pytest11_entry_point() -> None:
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert plugins.get("learned_ops") == "solvers.pytest_plugin"


def test_a_failing_order_prints_the_tables(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_orders=TESTS)
    result = pytester.runpytest("-p", "solvers.pytest_plugin", "-p", "no:learned_ops")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: fitted order 2.000 is not within 0.1 of the expected 4",
        "*- convergence orders -*",
        "*level |          dt |       error |    EOC",
        "expected order 4 (tol 0.1):",
        "*     2 |  2.5000e-02 |  6.2500e-04 |   2.00",
        "fitted order 2.000, mean order 2.000 over levels 0..2 (marked *)",
    ])
    assert "test_second_order" not in result.stdout.str().split("FAILURES")[1]


def test_the_entry_point_loads_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_orders=TESTS.split("def test_claims")[0])
    pytester.runpytest().assert_outcomes(passed=1)
