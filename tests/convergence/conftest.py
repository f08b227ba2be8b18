"""Fixtures of the convergence tests: studies computed once and shared (read-only results)."""

from __future__ import annotations

import pytest

from solvers import ConvergenceStudy
from tests.convergence.studies import central_advection_study


@pytest.fixture(scope="session")
def central2_study() -> ConvergenceStudy:
    """Central order-2 first derivative, periodic advection, n = 50 .. 400, t = 1."""
    return central_advection_study(2)


@pytest.fixture(scope="session")
def central_studies() -> list[ConvergenceStudy]:
    """Central order-2 and order-4 first derivatives, periodic advection, n = 50 .. 200."""
    return [central_advection_study(p, (50, 100, 200)) for p in (2, 4)]
