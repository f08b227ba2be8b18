"""solvers: explicit time-steppers for advection and heat with swappable derivative operators.

Depends only on the operator protocol (``offsets``, ``coefficients``, ``derivative_order``;
``matrix(n, h, boundary)`` on bounded grids), never on TensorFlow or ``learned_ops``.

Example:
    >>> from solvers import Advection, Grid, Sinusoid, solve  # doctest: +SKIP
    >>> problem = Advection(1.0, my_stencil, Grid.periodic(200))  # doctest: +SKIP
    >>> solution = solve(problem, Sinusoid.random(0), 1.0, stepper="rk4", courant=0.5)
"""

from __future__ import annotations

from solvers.analytic import (
    advection_inflow,
    advection_periodic,
    exact_solution,
    fourier_periodic,
    heat_dirichlet,
    heat_periodic,
)
from solvers.compare import Comparison, ErrorNorms, compare, error_norms
from solvers.convergence import (
    ConvergenceStudy,
    convergence_study,
    default_initial_condition,
    fitted_order,
    pairwise_orders,
    semidiscrete_solution,
)
from solvers.discretization import Discretization, discretize
from solvers.errors import (
    BeyondStabilityLimitWarning,
    BlowUpError,
    BoundaryValueWarning,
    GridError,
    GrowingModeWarning,
    InconsistentOperatorWarning,
    InitialConditionError,
    NoStableTimeStepError,
    OperatorError,
    ProblemError,
    ReferenceSolverError,
    ScheduleError,
    SolverError,
    SolverWarning,
    StabilityError,
    StepperError,
    UnstableTimeStepError,
    WorkTooLargeError,
)
from solvers.fast_kernels import fast_kernel_factory
from solvers.forcing import TravellingWaves
from solvers.grid import Grid
from solvers.initial_conditions import (
    IC_NAMES,
    Bump,
    SineMode,
    Sinusoid,
    initial_condition,
    initial_values,
)
from solvers.integrate import operator_warnings, solve
from solvers.kernels import (
    FunctionRhs,
    LinearRhs,
    RungeKuttaKernel,
    make_kernel,
    register_kernel,
)
from solvers.operators import ComposedOperator, compose, consistency_problem
from solvers.problems import Advection, AdvectionDiffusion, Burgers, Heat, Problem
from solvers.reference import (
    fd_matrix,
    reference_accuracy,
    reference_solution,
    reference_solve,
)
from solvers.solution import Solution, SolveInfo
from solvers.stability import StabilityLimit, stability_limit, stable_numbers
from solvers.tableaux import (
    CLASSICAL_RK4,
    FORWARD_EULER,
    HEUN,
    SSP_RK3,
    STEPPERS,
    ButcherTableau,
    get_tableau,
    stepper_names,
)

# The compiled kernel (numba, imported on the first solve, not here) runs when available.
register_kernel(fast_kernel_factory)

__all__ = [
    "CLASSICAL_RK4",
    "FORWARD_EULER",
    "HEUN",
    "IC_NAMES",
    "SSP_RK3",
    "STEPPERS",
    "Advection",
    "AdvectionDiffusion",
    "BeyondStabilityLimitWarning",
    "BlowUpError",
    "BoundaryValueWarning",
    "Bump",
    "Burgers",
    "ButcherTableau",
    "Comparison",
    "ComposedOperator",
    "ConvergenceStudy",
    "Discretization",
    "ErrorNorms",
    "FunctionRhs",
    "Grid",
    "GridError",
    "GrowingModeWarning",
    "Heat",
    "InconsistentOperatorWarning",
    "InitialConditionError",
    "LinearRhs",
    "NoStableTimeStepError",
    "OperatorError",
    "Problem",
    "ProblemError",
    "ReferenceSolverError",
    "RungeKuttaKernel",
    "ScheduleError",
    "SineMode",
    "Sinusoid",
    "Solution",
    "SolveInfo",
    "SolverError",
    "SolverWarning",
    "StabilityError",
    "StabilityLimit",
    "StepperError",
    "TravellingWaves",
    "UnstableTimeStepError",
    "WorkTooLargeError",
    "advection_inflow",
    "advection_periodic",
    "compare",
    "compose",
    "consistency_problem",
    "convergence_study",
    "default_initial_condition",
    "discretize",
    "error_norms",
    "exact_solution",
    "fast_kernel_factory",
    "fd_matrix",
    "fitted_order",
    "fourier_periodic",
    "get_tableau",
    "heat_dirichlet",
    "heat_periodic",
    "initial_condition",
    "initial_values",
    "make_kernel",
    "operator_warnings",
    "pairwise_orders",
    "reference_accuracy",
    "reference_solution",
    "reference_solve",
    "register_kernel",
    "semidiscrete_solution",
    "solve",
    "stability_limit",
    "stable_numbers",
    "stepper_names",
]
