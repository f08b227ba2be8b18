"""Fixtures for training tests: small seeded datasets (TensorFlow is imported by the tests)."""

from __future__ import annotations

import pytest

from learned_ops.data import SeedFamily, Splits, make_splits


@pytest.fixture(scope="session")
def small_splits() -> Splits:
    """4,000 seed-family samples: 2,400 train, 800 validation, 800 test."""
    return make_splits(SeedFamily(), 4000, 11)
