"""The public API of ``solvers`` is narrow; the names it used to export still resolve.

``solvers.__all__`` is the documented list; every other name lives in its submodule and is
reachable from ``solvers`` too (imported from the home module on first use, no warning).
"""

from __future__ import annotations

import importlib
import warnings

import pytest

import solvers

PUBLIC = {
    # problems
    "Grid": "solvers.grid",
    "Problem": "solvers.problems",
    "Advection": "solvers.problems",
    "Heat": "solvers.problems",
    "AdvectionDiffusion": "solvers.problems",
    "Burgers": "solvers.problems",
    "TravellingWaves": "solvers.forcing",
    # solving
    "solve": "solvers.integrate",
    "Solution": "solvers.solution",
    # stability
    "stability_limit": "solvers.stability",
    "StabilityLimit": "solvers.stability",
    "stable_numbers": "solvers.stability",
    # convergence
    "convergence_study": "solvers.convergence",
    "ConvergenceStudy": "solvers.convergence",
    "plot_convergence": "solvers.convergence.plot",
    # comparisons
    "exact_solution": "solvers.analytic",
    "reference_solution": "solvers.reference",
    "compare": "solvers.compare",
    "Comparison": "solvers.compare",
    # inputs and building blocks
    "initial_condition": "solvers.initial_conditions",
    "compose": "solvers.operators",
    "stepper_names": "solvers.tableaux",
    # root errors
    "SolverError": "solvers.errors",
    "SolverWarning": "solvers.errors",
    # compile hooks (the CLI announces compilation, ``learned-ops warm`` compiles ahead)
    "on_compile": "solvers.fast_kernels",
    "warm_up": "solvers.fast_kernels",
}

FORMER = {
    "CLASSICAL_RK4": "solvers.tableaux",
    "FORWARD_EULER": "solvers.tableaux",
    "HEUN": "solvers.tableaux",
    "SSP_RK3": "solvers.tableaux",
    "STEPPERS": "solvers.tableaux",
    "ButcherTableau": "solvers.tableaux",
    "get_tableau": "solvers.tableaux",
    "IC_NAMES": "solvers.initial_conditions",
    "Bump": "solvers.initial_conditions",
    "SineMode": "solvers.initial_conditions",
    "Sinusoid": "solvers.initial_conditions",
    "initial_values": "solvers.initial_conditions",
    "BeyondStabilityLimitWarning": "solvers.errors",
    "BlowUpError": "solvers.errors",
    "BoundaryValueWarning": "solvers.errors",
    "GridError": "solvers.errors",
    "GrowingModeWarning": "solvers.errors",
    "InconsistentOperatorWarning": "solvers.errors",
    "InitialConditionError": "solvers.errors",
    "NoStableTimeStepError": "solvers.errors",
    "OperatorError": "solvers.errors",
    "ProblemError": "solvers.errors",
    "ReferenceSolverError": "solvers.errors",
    "ScheduleError": "solvers.errors",
    "StabilityError": "solvers.errors",
    "StepperError": "solvers.errors",
    "UnstableTimeStepError": "solvers.errors",
    "WorkTooLargeError": "solvers.errors",
    "ComposedOperator": "solvers.operators",
    "consistency_problem": "solvers.operators",
    "Discretization": "solvers.discretization",
    "discretize": "solvers.discretization",
    "ErrorNorms": "solvers.compare",
    "error_norms": "solvers.compare",
    "FunctionRhs": "solvers.kernels",
    "LinearRhs": "solvers.kernels",
    "RungeKuttaKernel": "solvers.kernels",
    "make_kernel": "solvers.kernels",
    "register_kernel": "solvers.kernels",
    "SolveInfo": "solvers.solution",
    "advection_inflow": "solvers.analytic",
    "advection_periodic": "solvers.analytic",
    "fourier_periodic": "solvers.analytic",
    "heat_dirichlet": "solvers.analytic",
    "heat_periodic": "solvers.analytic",
    "default_initial_condition": "solvers.convergence",
    "fitted_order": "solvers.convergence",
    "pairwise_orders": "solvers.convergence",
    "semidiscrete_solution": "solvers.convergence",
    "fast_kernel_factory": "solvers.fast_kernels",
    "fd_matrix": "solvers.reference",
    "reference_accuracy": "solvers.reference",
    "reference_solve": "solvers.reference",
    "operator_warnings": "solvers.integrate",
}
"""Exported from ``solvers`` before the API was narrowed (tests, examples, benchmarks and the
README import many of them)."""


def test_all_is_the_documented_list() -> None:
    assert sorted(solvers.__all__) == sorted(PUBLIC)
    assert len(solvers.__all__) == len(set(solvers.__all__))


def test_dir_lists_the_public_names_only() -> None:
    assert sorted(dir(solvers)) == sorted(PUBLIC)


@pytest.mark.parametrize("name", sorted({**PUBLIC, **FORMER}))
def test_every_name_resolves_to_its_home_modules_object(name: str) -> None:
    home = importlib.import_module({**PUBLIC, **FORMER}[name])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # moving a name out of __all__ warns nobody (yet)
        value = getattr(solvers, name)
    assert value is getattr(home, name)


def test_from_import_of_a_former_name_and_star_import() -> None:
    from solvers import BlowUpError, Sinusoid  # noqa: F401  (resolved lazily)

    namespace: dict[str, object] = {}
    exec("from solvers import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(PUBLIC)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        solvers.no_such_name  # noqa: B018
    assert not hasattr(solvers, "no_such_name")


def test_convergence_plot_stays_importable_from_its_old_path() -> None:
    from solvers.convergence.plot import plot_convergence
    from solvers.convergence_plot import plot_convergence as old

    assert old is plot_convergence is solvers.plot_convergence
