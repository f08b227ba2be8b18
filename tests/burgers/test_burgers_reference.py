"""Viscous Burgers: our RK4 solver against the independent scipy reference.

The reference (:mod:`solvers.reference_burgers`) builds its own sparse matrices from the
operators' offsets and coefficients, writes out the three flux forms and the forcing itself and
integrates with ``solve_ivp`` at rtol 1e-12, so agreement to 1e-8 says that our flux
evaluation, forcing and time stepping are right for the semi-discrete system. The operators here
are plain protocol objects with the classical weights (no ``learned_ops`` needed).
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from solvers import Burgers, ComposedOperator, Grid, TravellingWaves, reference_solution, solve
from solvers.errors import ReferenceSolverError
from solvers.reference import fd_matrix, reference_solve
from solvers.reference_burgers import (
    STIFF_LIMIT,
    burgers_jacobian,
    burgers_method,
    burgers_reference,
    flux_values,
    operator_matrix,
)
from tests.burgers.stencils import d1, d2

TWO_PI = 2.0 * math.pi
FORMS = ("conservative", "advective", "skew")


def smooth(x: np.ndarray) -> np.ndarray:
    return np.sin(x) + 0.5 * np.cos(2.0 * x)


def rel_l2(value: np.ndarray, reference: np.ndarray) -> float:
    return float(np.linalg.norm(value - reference) / np.linalg.norm(reference))


def ours(problem: Burgers, u0, t_final: float, courant: float = 0.1) -> np.ndarray:
    """RK4 with dt = courant h / max|u0| (the RK4 time error is then ~1e-11 here)."""
    grid = problem.grid
    dt = courant * grid.h / float(np.abs(u0(grid.x)).max())
    return solve(problem, u0, t_final, stepper="rk4", dt=dt, kernel="numpy").final


# --- the acceptance: three forms, two accuracies -------------------------------------------

@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("accuracy", [2, 4])
def test_rk4_agrees_with_the_reference(form: str, accuracy: int) -> None:
    grid = Grid.periodic(200, 0.0, TWO_PI)
    problem = Burgers(0.1, d1(accuracy), d2(accuracy), grid, form=form)
    ref = reference_solution(problem, smooth, [0.0, 1.0], own_stencils=True)[-1]
    diff = rel_l2(ours(problem, smooth, 1.0), ref)
    assert diff <= 1e-8, f"{form}, accuracy {accuracy}: relative L2 {diff:.3g}"
    # the agreement is specific: the reference in another form is far off
    other = FORMS[(FORMS.index(form) + 1) % 3]
    wrong = reference_solution(Burgers(0.1, d1(accuracy), d2(accuracy), grid, form=other),
                               smooth, [0.0, 1.0])[-1]
    assert rel_l2(ours(problem, smooth, 1.0), wrong) > 1e-6


def test_the_forms_differ_at_the_discrete_level() -> None:
    """At n = 64 on a steepening profile the three semi-discrete systems differ by far more
    than the 1e-8 acceptance, so the agreement test above can fail."""
    grid = Grid.periodic(64, 0.0, TWO_PI)
    finals = {form: reference_solution(Burgers(0.05, d1(2), d2(2), grid, form=form),
                                       smooth, [0.0, 1.0])[-1] for form in FORMS}
    for a, b in (("conservative", "advective"), ("conservative", "skew"),
                 ("advective", "skew")):
        assert rel_l2(finals[a], finals[b]) > 1e-3, (a, b)  # measured 1.5e-2 .. 6.4e-2


# --- forcing -------------------------------------------------------------------------------

def test_forced_run_agrees_with_the_reference() -> None:
    grid = Grid.periodic(200, 0.0, TWO_PI)
    forcing = TravellingWaves.random(seed=3, period=TWO_PI, count=5)
    problem = Burgers(0.05, d1(4), d2(4), grid, form="conservative", forcing=forcing)
    ref = reference_solution(problem, smooth, [0.0, 1.0], own_stencils=True)[-1]
    diff = rel_l2(ours(problem, smooth, 1.0), ref)
    assert diff <= 1e-8, f"forced: relative L2 {diff:.3g}"
    unforced = reference_solution(Burgers(0.05, d1(4), d2(4), grid), smooth, [0.0, 1.0])[-1]
    assert rel_l2(ref, unforced) > 1e-3  # the forcing matters at this size


# --- a composed diffusion operator --------------------------------------------------------

def test_composed_pair_is_the_product_of_the_factor_matrices() -> None:
    n, h = 40, TWO_PI / 40
    pair = ComposedOperator(d1(2), d1(2))
    product = (fd_matrix(1, 2, n, h) @ fd_matrix(1, 2, n, h)).toarray()
    assert np.allclose(operator_matrix(pair, n, h).toarray(), product, rtol=0, atol=1e-12)
    # the wide (D1 D1) stencil is not the compact D2
    assert not np.allclose(product, fd_matrix(2, 2, n, h).toarray(), atol=1e-6)


def test_reference_with_a_composed_pair_agrees_with_ours() -> None:
    grid = Grid.periodic(200, 0.0, TWO_PI)
    problem = Burgers(0.1, d1(2), (d1(2), d1(2)), grid, form="skew")
    assert isinstance(problem.diffusion_operator, ComposedOperator)
    ref = reference_solution(problem, smooth, [0.0, 1.0], own_stencils=True)[-1]
    diff = rel_l2(ours(problem, smooth, 1.0), ref)
    assert diff <= 1e-8, f"composed pair: relative L2 {diff:.3g}"
    compact = reference_solution(Burgers(0.1, d1(2), d2(2), grid, form="skew"),
                                 smooth, [0.0, 1.0])[-1]
    assert rel_l2(ref, compact) > 1e-6  # so the pair really reached the reference


# --- the reference's own pieces ------------------------------------------------------------

@pytest.mark.parametrize("form", FORMS)
def test_jacobian_matches_finite_differences(form: str, rng: np.random.Generator) -> None:
    n, h, nu = 24, TWO_PI / 24, 0.3
    first = operator_matrix(d1(4), n, h)
    viscous = nu * operator_matrix(d2(4), n, h)
    u = rng.standard_normal(n)

    def f(v: np.ndarray) -> np.ndarray:
        return viscous @ v - flux_values(form, first, v)

    jac = burgers_jacobian(form, first, viscous, u).toarray()
    eps = 1e-6
    columns = [(f(u + eps * e) - f(u - eps * e)) / (2 * eps) for e in np.eye(n)]
    numeric = np.array(columns).T
    assert np.max(np.abs(jac - numeric)) <= 1e-6 * np.max(np.abs(jac))


def test_flux_forms_written_out() -> None:
    """Each form against its definition on a cosine, with exact matrices."""
    n, h = 16, TWO_PI / 16
    first = fd_matrix(1, 2, n, h)
    u = np.cos(np.arange(n) * h)
    du = first @ u
    assert np.allclose(flux_values("conservative", first, u), first @ (u * u) / 2)
    assert np.allclose(flux_values("advective", first, u), u * du)
    assert np.allclose(flux_values("skew", first, u), (first @ (u * u) + u * du) / 3)
    with pytest.raises(ReferenceSolverError, match="flux form"):
        flux_values("upwind", first, u)


def test_stiff_case_runs_radau_and_agrees_with_dop853() -> None:
    grid = Grid.periodic(256, 0.0, TWO_PI)
    nu, t_final = 4.0, 0.5
    viscous = nu * operator_matrix(d2(2), grid.n, grid.h)
    assert burgers_method(viscous, t_final) == "Radau"
    assert burgers_method(viscous, t_final * 1e-3) == "DOP853"
    assert burgers_method(None, 1e9) == "DOP853"
    assert t_final * 4 * nu / grid.h**2 > STIFF_LIMIT
    forcing = TravellingWaves.random(seed=1, period=TWO_PI, count=3)
    problem = Burgers(nu, d1(2), d2(2), grid, form="advective", forcing=forcing)
    radau = reference_solution(problem, smooth, [0.0, t_final])[-1]
    explicit = reference_solution(problem, smooth, [0.0, t_final], method="DOP853")[-1]
    assert rel_l2(radau, explicit) <= 1e-10


def test_reference_solve_burgers_uses_classical_matrices() -> None:
    grid = Grid.periodic(64, 0.0, TWO_PI)
    classical = reference_solve("burgers", grid, smooth, [0.0, 0.5], diffusivity=0.1,
                                accuracy=4, form="skew")
    own = reference_solution(Burgers(0.1, d1(4), d2(4), grid, form="skew"), smooth,
                             [0.0, 0.5])
    assert classical.shape == (2, 64)
    assert rel_l2(classical[-1], own[-1]) <= 1e-12
    by_accuracy = reference_solution(Burgers(0.1, d1(2), d2(2), grid, form="skew"), smooth,
                                     [0.0, 0.5], accuracy=4)
    assert rel_l2(by_accuracy[-1], own[-1]) <= 1e-12


@pytest.mark.filterwarnings("ignore::solvers.errors.MaximumPrincipleWarning")  # inviscid, central
def test_inviscid_and_zero_time() -> None:
    grid = Grid.periodic(64, 0.0, TWO_PI)
    problem = Burgers(0.0, d1(2), None, grid, form="conservative")
    out = reference_solution(problem, smooth, [0.0, 0.0])
    assert np.array_equal(out[0], smooth(grid.x))
    assert np.array_equal(out[1], out[0])
    short = reference_solution(problem, smooth, [0.0, 0.2])[-1]
    assert abs(short.sum() - smooth(grid.x).sum()) <= 1e-10  # conservative keeps the mean
    assert rel_l2(ours(problem, smooth, 0.2), short) <= 1e-8


def test_progress_is_called(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.import_module("solvers.reference"), "PROGRESS_SECONDS", 0.0)
    calls: list[tuple[float, float]] = []
    grid = Grid.periodic(32, 0.0, TWO_PI)
    reference_solution(Burgers(0.1, d1(2), d2(2), grid), smooth, [0.0, 0.3],
                       progress=lambda t, t_final: calls.append((t, t_final)))
    assert calls
    assert all(0.0 <= t <= 0.3 and t_final == 0.3 for t, t_final in calls)


def test_refusals() -> None:
    grid = Grid.periodic(32, 0.0, TWO_PI)
    with pytest.raises(ReferenceSolverError, match="periodic"):
        burgers_reference(Grid.bounded(32), smooth, [0.0, 1.0], viscosity=0.1)
    with pytest.raises(ReferenceSolverError, match="flux form"):
        burgers_reference(grid, smooth, [0.0, 1.0], viscosity=0.1, form="upwind")
    with pytest.raises(ReferenceSolverError, match="times"):
        burgers_reference(grid, smooth, [1.0, 0.5], viscosity=0.1)
    with pytest.raises(ReferenceSolverError, match="burgers"):
        reference_solve("heat", grid, smooth, [0.0, 1.0], diffusivity=0.1, form="skew")
