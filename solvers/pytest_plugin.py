"""pytest plugin: the ``convergence_order`` fixture for convergence-order tests of any code.

Installed with the package (entry point ``pytest11``), so every test in an environment that has
``learned-ops`` can ask for it::

    def test_my_scheme_is_second_order(convergence_order):
        h = [0.1, 0.05, 0.025, 0.0125]
        errors = [my_error(s) for s in h]
        convergence_order.check(h, errors, expected=2, tol=0.1, fit_range=(1, -1))

``check`` is :func:`solvers.eoc.assert_order`: a wrong order fails with the EOC table as the
message, and the plugin also prints every table the test produced in a ``convergence orders``
section of the failure report (so the passing checks before the failing one are shown too).

The module imports nothing heavy at pytest start-up: :mod:`solvers.eoc` is imported when a test
first uses the fixture. Disable the plugin with ``-p no:learned_ops``.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from solvers.eoc import EOCTable

class ConvergenceOrder:
    """What the ``convergence_order`` fixture gives a test: checks that remember their tables."""

    def __init__(self) -> None:
        self.tables: list[str] = []
        """One entry per :meth:`check` or :meth:`table` call: a title line and the table."""

    def table(self, spacings: Sequence[float], errors: Sequence[float],
              fit_range: tuple[int, int] | None = None, label: str = "h") -> EOCTable:
        """Orders without an assertion (:func:`solvers.eoc.eoc`); the table is remembered."""
        from solvers.eoc import eoc

        result = eoc(spacings, errors, fit_range, label)
        self.tables.append(result.table())
        return result

    def check(self, spacings: Sequence[float], errors: Sequence[float], expected: float,
              tol: float = 0.1, fit_range: tuple[int, int] | None = None,
              label: str = "h") -> EOCTable:
        """Assert the fitted order (:func:`solvers.eoc.assert_order`); the table is remembered.

        Raises:
            AssertionError: The fitted order is not within ``tol`` of ``expected`` (the
                message is the table).
        """
        from solvers.eoc import assert_order, eoc

        self.tables.append(f"expected order {expected:g} (tol {tol:g}):\n"
                           + eoc(spacings, errors, fit_range, label).table())
        return assert_order(spacings, errors, expected, tol, fit_range, label)


@pytest.fixture
def convergence_order() -> ConvergenceOrder:
    """A :class:`ConvergenceOrder` for this test; its tables go into the failure report."""
    return ConvergenceOrder()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    """Add the tables of a failed test that used the fixture as a report section."""
    report = yield
    if call.when == "call" and getattr(report, "failed", False):
        fixture = getattr(item, "funcargs", {}).get("convergence_order")
        tables = fixture.tables if isinstance(fixture, ConvergenceOrder) else []
        if tables:
            report.sections.append(("convergence orders", "\n\n".join(tables)))
    return report
