"""solve_ivp right-hand side and CSR Jacobian of any problem (:mod:`solvers.scipy_system`)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.sparse as sp

import solvers
from solvers import Advection, Burgers, Grid, Heat
from solvers.errors import ProblemError
from solvers.scipy_system import scipy_system

PERIOD = Grid.periodic(48, 0.0, 2.0 * math.pi)


def _forced_burgers(form: str) -> Burgers:
    forcing = solvers.TravellingWaves.random(0, 2.0 * math.pi, count=5)
    return Burgers(0.1, "fd:1:-2,-1,0,1,2", "fd:2:-2,-1,0,1,2", PERIOD, form=form,
                   forcing=forcing, speed=1.5)


def _u(x: np.ndarray) -> np.ndarray:
    return np.sin(x) + 0.3 * np.cos(3.0 * x)


def test_the_rhs_of_central_advection_is_the_hand_written_difference() -> None:
    problem = Advection(2.0, "fd:1:-1,0,1", Grid.periodic(40))
    x, h = problem.grid.x, problem.grid.h
    u = np.sin(np.pi * x)
    by_hand = -2.0 * (np.roll(u, -1) - np.roll(u, 1)) / (2.0 * h)
    np.testing.assert_allclose(scipy_system(problem).rhs(0.0, u), by_hand, rtol=0, atol=1e-13)


@pytest.mark.parametrize("form", ["conservative", "advective", "skew"])
def test_the_jacobian_of_forced_burgers_is_the_derivative_of_the_rhs(form: str) -> None:
    system = scipy_system(_forced_burgers(form))
    u = _u(PERIOD.x)
    jac = system.jacobian(0.3, u)
    assert isinstance(jac, sp.csr_array)
    # F is quadratic in u, so the central difference is exact up to round-off
    eps = 1e-3
    columns = [(system.rhs(0.3, u + eps * e) - system.rhs(0.3, u - eps * e)) / (2.0 * eps)
               for e in np.eye(system.n)]
    np.testing.assert_allclose(jac.toarray(), np.column_stack(columns), rtol=0,
                               atol=1e-9 * abs(jac).max())
    assert system.jac_sparsity.multiply(jac).nnz == jac.nnz  # the pattern covers it


def test_solve_ivp_agrees_with_our_rk4_on_forced_burgers() -> None:
    problem = _forced_burgers("skew")
    system = scipy_system(problem)
    with np.errstate(under="ignore"):  # scipy's nextafter(0, inf) underflows by design
        result = scipy.integrate.solve_ivp(system.rhs, (0.0, 1.0), system.initial_values(_u),
                                           method="DOP853", rtol=1e-12, atol=1e-12)
    assert result.success
    ours = solvers.solve(problem, _u, 1.0, stepper="rk4", dt=1e-3)
    # RK4 at dt = 1e-3: a time error of order dt**4 = 1e-12 (times the solution's scales)
    np.testing.assert_allclose(ours.final, result.y[:, -1], rtol=0, atol=1e-10)


def test_an_implicit_method_with_the_matrix_reaches_the_exact_semidiscrete_heat() -> None:
    problem = Heat(0.5, ("fd:1:-1,0", "fd:1:0,1"), Grid(40, -2.0, 2.0, "bounded"),
                   dirichlet=(0.5, -1.0))
    system = scipy_system(problem)
    assert system.is_linear
    assert system.jac is system.linear  # constant: scipy factorises it once
    ic = solvers.initial_condition("bump")
    with np.errstate(under="ignore"):
        result = scipy.integrate.solve_ivp(system.rhs, (0.0, 0.2), system.initial_values(ic),
                                           method="BDF", jac=system.jac, rtol=1e-10,
                                           atol=1e-12)
    assert result.success
    exact = solvers.semidiscrete_solution(problem, ic, 0.2)
    np.testing.assert_allclose(result.y[:, -1], exact, rtol=0, atol=1e-8)
    assert result.y[0, -1] == 0.5  # the Dirichlet nodes keep their values exactly
    assert result.y[-1, -1] == -1.0


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ProblemError, match="must be a solvers problem"):
        scipy_system("advection")
    system = scipy_system(Advection(1.0, "fd:1:-1,0,1", Grid.periodic(10)))
    with pytest.raises(ProblemError, match=r"shape \(10,\)"):
        system.rhs(0.0, np.zeros((10, 2)))
