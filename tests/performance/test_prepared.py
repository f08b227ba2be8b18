"""solve()'s fixed work (warnings, limit, discretization) is done once per problem value."""

from __future__ import annotations

import numpy as np
import pytest

import solvers.prepared as prepared
from solvers import Advection, Grid, Heat, solve
from solvers.tableaux import get_tableau


class _Op:
    """A bare protocol object with coefficients of our choosing."""

    def __init__(self, coefficients: list[float], m: int = 1) -> None:
        self.offsets = (-1, 0, 1)
        self.coefficients = np.array(coefficients)
        self.derivative_order = m
        self.name = "op"


CENTRAL = [-0.5, 0.0, 0.5]
GRID = Grid.periodic(32)


def _u0(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """A fresh cache; counts discretizations made by :mod:`solvers.prepared`."""
    monkeypatch.setattr(prepared, "_entries", type(prepared._entries)())
    calls: list[int] = []
    real = prepared.discretize
    monkeypatch.setattr(prepared, "discretize", lambda p: calls.append(1) or real(p))
    return calls


def test_an_equal_problem_reuses_the_prepared_entry(counted) -> None:
    first = solve(Advection(1.0, _Op(CENTRAL), GRID), _u0, 0.2, stepper="rk4")
    (entry,) = prepared._entries.values()
    again = solve(Advection(1.0, _Op(list(CENTRAL)), GRID), _u0, 0.2, stepper="rk4")
    assert counted == [1]
    assert prepared.prepare(Advection(1.0, _Op(CENTRAL), GRID), get_tableau("rk4"),
                            lambda p: []) is entry
    np.testing.assert_array_equal(again.final, first.final)


def test_a_changed_coefficient_is_not_served_a_stale_entry(counted) -> None:
    solve(Advection(1.0, _Op(CENTRAL), GRID), _u0, 0.2, stepper="rk4")
    nudged = [-0.5 - 2.0**-40, 0.0, 0.5 + 2.0**-40]  # still skew: no growing mode
    after = solve(Advection(1.0, _Op(nudged), GRID), _u0, 0.2, stepper="rk4")
    assert counted == [1, 1]
    prepared.clear_prepared()
    fresh = solve(Advection(1.0, _Op(nudged), GRID), _u0, 0.2, stepper="rk4")
    np.testing.assert_array_equal(after.final, fresh.final)
    assert after.info.stability == fresh.info.stability
    assert after.info.dt_limit < solve(Advection(1.0, _Op(CENTRAL), GRID), _u0, 0.2,
                                       stepper="rk4").info.dt_limit


@pytest.mark.parametrize("change", ["grid", "stepper", "speed"])
def test_grid_stepper_and_coefficient_get_their_own_entries(counted, change) -> None:
    solve(Advection(1.0, _Op(CENTRAL), GRID), _u0, 0.1, stepper="rk4")
    problem = Advection(2.0 if change == "speed" else 1.0, _Op(CENTRAL),
                        Grid.periodic(33) if change == "grid" else GRID)
    solve(problem, _u0, 0.1, stepper="ssprk3" if change == "stepper" else "rk4")
    assert len(prepared._entries) == 2
    assert counted == [1, 1]


def test_the_cache_is_bounded(counted, monkeypatch) -> None:
    monkeypatch.setattr(prepared, "PREPARED_CACHE_SIZE", 3)
    for n in range(20, 26):
        solve(Heat(1.0, _Op([1.0, -2.0, 1.0], 2), Grid.periodic(n)), _u0, 1e-3)
    assert len(prepared._entries) == 3
    assert [key[2][0] for key in prepared._entries] == [23, 24, 25]  # the most recent
