"""Fixtures for the convergence-study tests: the seed's stencils, textbook ones, helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# As in tests/solvers/conftest.py: put the repository root first, so that `import solvers`
# finds the package and not the tests/solvers folder (a namespace package when tests/ is on
# sys.path).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
_shadow = sys.modules.get("solvers")
if _shadow is not None and getattr(_shadow, "__file__", None) is None:
    del sys.modules["solvers"]

from learned_ops import Stencil  # noqa: E402

# The seed's learned stencils, least-squares optima on the seed's data (FINDINGS.md).
SEED_FORWARD = ((0, 1), [-0.94952, 1.01323])
SEED_BACKWARD = ((-1, 0), [-1.01323, 0.94952])
SEED_CENTRAL = ((-1, 0, 1), [-0.51914, 0.00012, 0.51902])


@pytest.fixture
def seed_forward() -> Stencil:
    """Inconsistent (mu_0 = +0.0637); upwind for a < 0."""
    return Stencil(*SEED_FORWARD, 1, name="seed-forward")


@pytest.fixture
def seed_backward() -> Stencil:
    """Inconsistent (mu_0 = -0.0637); upwind for a > 0."""
    return Stencil(*SEED_BACKWARD, 1, name="seed-backward")


@pytest.fixture
def seed_central() -> Stencil:
    """Inconsistent (mu_1 = 1.038)."""
    return Stencil(*SEED_CENTRAL, 1, name="seed-central")
