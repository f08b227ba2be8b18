"""Solver warnings have kinds (SolverWarning subclasses with attributes); the study reads those.

Issue 12, case 8: the study used to recognise warnings by their English wording.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from learned_ops import Stencil, central_stencil
from solvers import (
    Advection,
    BeyondStabilityLimitWarning,
    BoundaryValueWarning,
    Grid,
    GrowingModeWarning,
    Heat,
    InconsistentOperatorWarning,
    SolverWarning,
    solve,
    stability_limit,
)
from solvers.convergence import levels as convergence_module
from tests.convergence.studies import advection, central_advection_study

KINDS = (BeyondStabilityLimitWarning, BoundaryValueWarning, GrowingModeWarning,
         InconsistentOperatorWarning)


def _caught(run) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run()
    return list(caught)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_a_solver_warning_so_one_filter_silences_them_all(kind) -> None:
    assert issubclass(kind, SolverWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", SolverWarning)
        warnings.warn(kind("a message"), stacklevel=1)  # filtered, not raised


def test_beyond_the_limit_carries_dt_limit_and_reason() -> None:
    problem = advection(central_stencil(1, 2))
    limit = stability_limit(problem, "rk4")
    caught = _caught(lambda: solve(problem, np.sin(np.pi * problem.grid.x / 2), 0.2,
                                   dt=1.5 * limit.dt, allow_unstable=True))
    [w] = [w for w in caught if issubclass(w.category, BeyondStabilityLimitWarning)]
    assert w.message.dt == pytest.approx(1.5 * limit.dt, rel=1e-15)
    assert w.message.limit_dt == limit.dt
    assert w.message.reason == limit.reason
    assert str(w.message).startswith("running beyond the stability limit on request: dt = ")


def test_boundary_data_carries_node_and_values() -> None:
    problem = Heat(0.1, central_stencil(2, 2), Grid.bounded(21), dirichlet=(1.0, -1.0))
    caught = _caught(lambda: solve(problem, np.zeros(21), 0.01))
    found = sorted((w.message.node, w.message.initial, w.message.boundary) for w in caught
                   if issubclass(w.category, BoundaryValueWarning))
    assert found == [(0, 0.0, 1.0), (20, 0.0, -1.0)]
    assert all("the boundary value is imposed" in str(w.message) for w in caught)


def test_a_growing_mode_carries_its_rate_and_source() -> None:
    """A learned order-2 stencil 1e-5 off skew-symmetry grows slowly for one velocity sign."""
    skew = np.array([1.0, -8.0, 0.0, 8.0, -1.0]) / 12.0 + 0.005 * np.array([1, -2, 0, 2, -1])
    wobble = 1e-5 * np.array([1.0, -4.0, 6.0, -4.0, 1.0])
    learned = Stencil((-2, -1, 0, 1, 2), skew + wobble, 1)
    problems = [Advection(v, learned, Grid.periodic(200)) for v in (1.0, -1.0)]
    growing = max(problems, key=lambda q: stability_limit(q, "rk4").growth_rate)
    limit = stability_limit(growing, "rk4")
    assert limit.growth_rate > 0.0
    caught = _caught(lambda: solve(growing, np.sin(np.pi * growing.grid.x / 2), 0.1))
    [w] = [w for w in caught if issubclass(w.category, GrowingModeWarning)]
    assert w.message.growth_rate == limit.growth_rate
    assert w.message.source == limit.growth_source
    assert "grow" in str(w.message)


def test_an_inconsistent_operator_warns_with_its_kind(seed_central) -> None:
    caught = _caught(lambda: solve(advection(seed_central), np.zeros(50), 0.1, courant=0.1,
                                   allow_unstable=True))
    assert any(issubclass(w.category, InconsistentOperatorWarning) for w in caught)


def test_the_study_reads_warning_kinds_not_their_wording(monkeypatch) -> None:
    """Reworded warnings: the study must still drop the inconsistency (reported once from the
    operator) and note the beyond-limit one once, from its ``reason``."""
    real_solve = convergence_module.solve

    def reworded(*args, **kwargs):
        warnings.warn(InconsistentOperatorWarning("the operator is off"), stacklevel=1)
        warnings.warn(BeyondStabilityLimitWarning("dt too large, as asked", reason="R"),
                      stacklevel=1)
        warnings.warn(GrowingModeWarning("slow growth", growth_rate=1e-3), stacklevel=1)
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(convergence_module, "solve", reworded)
    study = central_advection_study(2, (50, 100, 200))
    assert "the operator is off" not in " ".join(study.notes)
    beyond = [note for note in study.notes if "dt too large" in note or note.endswith(": R")]
    assert beyond == ["running beyond the stability limit on request (first level): R"]
    assert study.notes.count("slow growth") == 1  # the same message on every level: once
