"""Acceptance: our solver vs the independent scipy reference vs the exact solution."""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops import central_stencil
from solvers import (
    Advection,
    Grid,
    Heat,
    Sinusoid,
    compare,
    exact_solution,
    reference_solution,
    solve,
)

SMOOTH = Sinusoid(k1=1, k2=3, a=0.5, b=1.0)


def _dirichlet_ic(left: float, right: float):
    def u0(x: np.ndarray) -> np.ndarray:
        line = left + (right - left) * (x + 2.0) / 4.0
        return line + np.sin(np.pi * x) + 0.5 * np.sin(1.5 * np.pi * x)

    return u0


CASES = {
    # name: (problem factory (accuracy, n) -> problem, initial condition, t_final, courant)
    "advection": (lambda p, n: Advection(1.0, central_stencil(1, p), Grid.periodic(n)),
                  Sinusoid.random(0), 0.5, 0.01),
    "heat": (lambda p, n: Heat(0.001, central_stencil(2, p), Grid.periodic(n)),
             Sinusoid.random(0), 0.5, 0.005),
    "dirichlet-heat": (lambda p, n: Heat(0.001, central_stencil(2, p), Grid.bounded(n),
                                         dirichlet=(0.5, -0.25)),
                       _dirichlet_ic(0.5, -0.25), 0.5, 0.005),
}


@pytest.mark.parametrize("accuracy", [2, 4])
@pytest.mark.parametrize("case", list(CASES))
def test_rk4_agrees_with_the_scipy_reference(case: str, accuracy: int) -> None:
    make, ic, t_final, courant = CASES[case]
    problem = make(accuracy, 200)
    sol = solve(problem, ic, t_final, courant=courant, save_times=[t_final / 2])
    ref = reference_solution(problem, ic, sol.times, accuracy=accuracy)
    result = compare(sol, reference=ref)
    worst = max(e.rel_l2 for e in result.reference)
    assert worst <= 1e-8, f"{case}, accuracy {accuracy}: relative L2 difference {worst:.3g}"


CONVERGENCE = {
    "advection": (lambda p, n: Advection(1.0, central_stencil(1, p), Grid.periodic(n)),
                  SMOOTH, 0.5, 0.1),
    "heat": (lambda p, n: Heat(0.05, central_stencil(2, p), Grid.periodic(n)), SMOOTH, 0.5, 0.1),
    "dirichlet-heat": (lambda p, n: Heat(0.05, central_stencil(2, p), Grid.bounded(n),
                                         dirichlet=(0.5, -0.25)),
                       _dirichlet_ic(0.5, -0.25), 0.5, 0.1),
}


@pytest.mark.parametrize("accuracy", [2, 4])
@pytest.mark.parametrize("case", list(CONVERGENCE))
def test_both_converge_to_the_exact_solution_at_their_order(case, accuracy, order_fit) -> None:
    make, ic, t_final, courant = CONVERGENCE[case]
    hs, ours, theirs = [], [], []
    for n in (40, 80, 160):
        problem = make(accuracy, n)
        sol = solve(problem, ic, t_final, courant=courant)
        exact = exact_solution(problem, ic, sol.times)
        ref = reference_solution(problem, ic, sol.times, accuracy=accuracy)
        result = compare(sol, exact=exact, reference=ref)
        hs.append(problem.grid.h)
        ours.append(result.analytic[-1].l2)
        theirs.append(result.reference_vs_analytic[-1].l2)
    for label, errors in (("ours", ours), ("reference", theirs)):
        slope = order_fit(hs, errors)
        assert abs(slope - accuracy) < 0.2, (
            f"{case} accuracy {accuracy} ({label}): observed order {slope:.3f}, errors {errors}"
        )
