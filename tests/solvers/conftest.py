"""Fixtures for the solvers tests: textbook and seed operators, a bare protocol object."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from learned_ops import Stencil, central_stencil, textbook_stencil


@pytest.fixture
def central1() -> Stencil:
    """[-1/2, 0, 1/2]."""
    return central_stencil(1, 2)


@pytest.fixture
def central2() -> Stencil:
    """[1, -2, 1]."""
    return central_stencil(2, 2)


@pytest.fixture
def upwind1() -> Stencil:
    """Backward difference (upwind for a > 0)."""
    return textbook_stencil(1, [-1, 0])


@pytest.fixture
def order_fit() -> Callable[[list[float], list[float]], float]:
    """Least-squares slope of log(error) against log(step): the observed order."""

    def fit(steps: list[float], errors: list[float]) -> float:
        return float(np.polyfit(np.log(steps), np.log(errors), 1)[0])

    return fit
