"""Fixtures for the solvers tests: textbook and seed operators, a bare protocol object."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

# This folder is named like the package it tests. Run as `pytest` (not `python -m pytest`), the
# repository root is not on sys.path while tests/ is, so `import solvers` would find this folder
# as a namespace package (the editable-install finder comes after the path finder). Put the
# repository root first so the real package wins. (pythonpath = ["."] in pyproject would too.)
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
_shadow = sys.modules.get("solvers")
if _shadow is not None and getattr(_shadow, "__file__", None) is None:
    del sys.modules["solvers"]

from learned_ops import Stencil, central_stencil, textbook_stencil  # noqa: E402
from tests.solvers.fakes import SEED_CENTRAL, SEED_FORWARD  # noqa: E402


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
def seed_forward() -> Stencil:
    """The seed's inconsistent forward stencil (mu_0 = 0.0637)."""
    return Stencil(*SEED_FORWARD, 1, name="seed-forward")


@pytest.fixture
def seed_central() -> Stencil:
    """The seed's inconsistent central stencil (mu_1 = 1.038)."""
    return Stencil(*SEED_CENTRAL, 1, name="seed-central")


@pytest.fixture
def order_fit() -> Callable[[list[float], list[float]], float]:
    """Least-squares slope of log(error) against log(step): the observed order."""

    def fit(steps: list[float], errors: list[float]) -> float:
        return float(np.polyfit(np.log(steps), np.log(errors), 1)[0])

    return fit
