"""solvers: explicit time-steppers for advection, heat and Burgers with swappable operators.

Depends only on the operator protocol (``offsets``, ``coefficients``, ``derivative_order``;
``matrix(n, h, boundary)`` on bounded grids; :class:`solvers.operators.OperatorLike`), never on
TensorFlow or ``learned_ops``.

The names here (:data:`__all__`) are what a user needs: problems, :func:`solve`, stability,
convergence studies, comparisons with exact or reference solutions, initial conditions,
composition of operators, the stepper names, the root errors, and the compile hooks. The rest
lives in its submodule (:mod:`solvers.errors`, :mod:`solvers.tableaux`, :mod:`solvers.kernels`,
:mod:`solvers.analytic`, :mod:`solvers.initial_conditions`, :mod:`solvers.reference`,
:mod:`solvers.convergence`, :mod:`solvers.discretization`, ...); the names that used to be
exported here still resolve (imported from their home module on first use).

Example:
    >>> from solvers import Advection, Grid, initial_condition, solve  # doctest: +SKIP
    >>> problem = Advection(1.0, my_stencil, Grid.periodic(200))  # doctest: +SKIP
    >>> solution = solve(problem, initial_condition("sinusoid"), 1.0, stepper="rk4", courant=0.5)
"""

from __future__ import annotations

import importlib
from typing import Any

from solvers.analytic import exact_solution
from solvers.compare import Comparison, compare
from solvers.convergence import ConvergenceStudy, convergence_study
from solvers.convergence.plot import plot_convergence
from solvers.errors import SolverError, SolverWarning
from solvers.fast_kernels import on_compile, warm_up
from solvers.forcing import TravellingWaves
from solvers.grid import Grid
from solvers.initial_conditions import initial_condition
from solvers.integrate import solve
from solvers.operators import compose
from solvers.problems import Advection, AdvectionDiffusion, Burgers, Heat, Problem
from solvers.reference import reference_solution
from solvers.solution import Solution
from solvers.stability import StabilityLimit, stability_limit, stable_numbers
from solvers.tableaux import stepper_names

__all__ = [
    "Advection",
    "AdvectionDiffusion",
    "Burgers",
    "Comparison",
    "ConvergenceStudy",
    "Grid",
    "Heat",
    "Problem",
    "Solution",
    "SolverError",
    "SolverWarning",
    "StabilityLimit",
    "TravellingWaves",
    "compare",
    "compose",
    "convergence_study",
    "exact_solution",
    "initial_condition",
    "on_compile",
    "plot_convergence",
    "reference_solution",
    "solve",
    "stability_limit",
    "stable_numbers",
    "stepper_names",
    "warm_up",
]

_HOMES: dict[str, tuple[str, ...]] = {
    "solvers.analytic": (
        "advection_inflow", "advection_periodic", "fourier_periodic", "heat_dirichlet",
        "heat_periodic",
    ),
    "solvers.compare": ("ErrorNorms", "error_norms"),
    "solvers.convergence": (
        "default_initial_condition", "fitted_order", "pairwise_orders", "semidiscrete_solution",
    ),
    "solvers.discretization": ("Discretization", "discretize"),
    "solvers.errors": (
        "BeyondStabilityLimitWarning", "BlowUpError", "BoundaryValueWarning", "GridError",
        "GrowingModeWarning", "InconsistentOperatorWarning", "InitialConditionError",
        "NoStableTimeStepError", "OperatorError", "ProblemError", "ReferenceSolverError",
        "ScheduleError", "StabilityError", "StepperError", "UnstableTimeStepError",
        "WorkTooLargeError",
    ),
    "solvers.fast_kernels": ("fast_kernel_factory",),
    "solvers.initial_conditions": ("IC_NAMES", "Bump", "SineMode", "Sinusoid", "initial_values"),
    "solvers.integrate": ("operator_warnings",),
    "solvers.kernels": (
        "FunctionRhs", "LinearRhs", "RungeKuttaKernel", "make_kernel", "register_kernel",
    ),
    "solvers.operators": ("ComposedOperator", "consistency_problem"),
    "solvers.reference": ("fd_matrix", "reference_accuracy", "reference_solve"),
    "solvers.pypde_adapter": ("register_operator",),
    "solvers.scipy_system": ("ScipySystem", "scipy_system"),
    "solvers.solution_io": ("SolutionFileError",),
    "solvers.solution": ("SolveInfo",),
    "solvers.tableaux": (
        "CLASSICAL_RK4", "FORWARD_EULER", "HEUN", "SSP_RK3", "STEPPERS", "ButcherTableau",
        "get_tableau",
    ),
}
_LAZY: dict[str, str] = {name: home for home, names in _HOMES.items() for name in names}
"""Names exported here before the public API was narrowed -> the module they live in."""


def __getattr__(name: str) -> Any:
    """Resolve a name that moved out of :data:`__all__` from its home module (no warning)."""
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module 'solvers' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)


def _register_fast_kernel() -> None:
    """The compiled kernel (numba, imported on the first solve, not here) runs when available."""
    from solvers.fast_kernels import fast_kernel_factory
    from solvers.kernels import register_kernel

    register_kernel(fast_kernel_factory)


_register_fast_kernel()
del _register_fast_kernel
