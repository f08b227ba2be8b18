"""Shared fixtures: strict floating-point errors, a seeded RNG, a non-interactive matplotlib."""

from __future__ import annotations

import os

import numpy as np
import pytest

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
