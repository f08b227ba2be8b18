"""Shared fixtures: strict floating-point errors, a seeded RNG, a non-interactive matplotlib."""

from __future__ import annotations

import os

import numpy as np
import pytest

from learned_ops import Stencil
from tests.solvers.fakes import SEED_BACKWARD, SEED_CENTRAL, SEED_FORWARD

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(autouse=True)
def _raise_on_float_errors():
    """Silent overflow, invalid operations and division by zero fail the test."""
    old = np.seterr(all="raise")
    try:
        yield
    finally:
        np.seterr(**old)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator, new for each test."""
    return np.random.default_rng(20261127)


@pytest.fixture
def seed_forward() -> Stencil:
    """The seed's inconsistent forward stencil (mu_0 = +0.0637); upwind for a < 0."""
    return Stencil(*SEED_FORWARD, 1, name="seed-forward")


@pytest.fixture
def seed_backward() -> Stencil:
    """The seed's inconsistent backward stencil (mu_0 = -0.0637); upwind for a > 0."""
    return Stencil(*SEED_BACKWARD, 1, name="seed-backward")


@pytest.fixture
def seed_central() -> Stencil:
    """The seed's inconsistent central stencil (mu_1 = 1.038)."""
    return Stencil(*SEED_CENTRAL, 1, name="seed-central")
