"""The numbers behind ``learned-ops demo``: runs, comparisons and convergence studies.

Glue only (the numerics live in :mod:`solvers` and :mod:`learned_ops`): for advection and for
heat, each of four operators -- a textbook stencil, the seed notebook's learned one, a
constrained learned one of larger width and the textbook stencil of that width -- is

1. run at the seed's training resolution (h = 0.01, n = 400) from a function of the seed's own
   training family, and compared with the exact solution and the independent scipy reference;
2. measured under grid refinement (a spatial convergence study on n = 50 .. 800);

viscous Burgers gets the same with three (flux, diffusion) pairs -- textbook 3-point, the
constrained learned 5-point pair and textbook 5-point -- on a coarse grid (n = 50) from an exact
Cole-Hopf wave (studies on n = 50 .. 400), plus runs of a steepening front for a figure
(:class:`FrontRun`). Each row gets a one-line conclusion computed from those numbers
(:mod:`learned_ops.cli.demo_table`). The settings and operators are
:mod:`learned_ops.cli.demo_setup`'s (their names are importable from here too).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from learned_ops.cli.demo_setup import (
    DEFAULT_SETTINGS,
    DemoOperators,
    DemoSettings,
    pretrained_operators,
)
from learned_ops.cli.demo_table import conclusions, format_table
from learned_ops.cli.equations import EQUATIONS

__all__ = [
    "DEFAULT_SETTINGS",
    "DemoOperators",
    "DemoResult",
    "DemoRow",
    "DemoSettings",
    "FrontRun",
    "format_table",
    "pretrained_operators",
    "run_demo",
]

ProgressFn = Callable[[str], None]


@dataclass
class DemoRow:
    """One operator on one equation: a run at the training resolution and a study.

    Attributes:
        equation: ``advection``, ``heat`` or ``burgers``.
        role: ``textbook``, ``seed-learned`` or ``constrained``.
        label: The operator's name (Burgers: of the pair).
        operator: The operator (Burgers: the flux operator).
        taps: Stencil width (points).
        accuracy_order: Verified accuracy order (0: inconsistent).
        stable: Whether a stable time step exists for it (RK4).
        stability: The stability verdict in words.
        times: Saved times of the run.
        x: Grid nodes.
        final: Our solution at ``t_final``.
        exact_final: The exact solution at ``t_final``.
        error_exact: L2 error against the exact solution at each saved time.
        error_reference: L2 error against the scipy reference at each saved time.
        reference_error: L2 error of the scipy reference against the exact solution.
        reference_accuracy: Accuracy order of the scipy reference used.
        study: The :class:`solvers.ConvergenceStudy`.
        notes: Warnings of the run (inconsistency, beyond the stability limit).
        conclusion: One line.
        diffusion: Burgers: the diffusion operator (None elsewhere).
    """

    equation: str
    role: str
    label: str
    operator: Any
    taps: int
    accuracy_order: int
    stable: bool
    stability: str
    times: np.ndarray
    x: np.ndarray
    final: np.ndarray
    exact_final: np.ndarray
    error_exact: np.ndarray
    error_reference: np.ndarray
    reference_error: np.ndarray
    reference_accuracy: int
    study: Any
    notes: list[str] = field(default_factory=list)
    conclusion: str = ""
    diffusion: Any = None

    @property
    def final_error(self) -> float:
        """L2 error against the exact solution at ``t_final``."""
        return float(self.error_exact[-1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers (inf and NaN become None)."""
        study = self.study.to_dict()
        extra: dict[str, Any] = {}
        if self.diffusion is not None:
            extra["flux_operator"] = self.operator.name
            extra["diffusion_operator"] = {
                "operator": self.diffusion.name,
                "offsets": list(self.diffusion.offsets),
                "coefficients": [float(c) for c in self.diffusion.coefficients],
                "accuracy_order": _accuracy_order(self.diffusion)}
        return _finite({
            "equation": self.equation,
            "role": self.role,
            "operator": self.label,
            "offsets": list(self.operator.offsets),
            "coefficients": [float(c) for c in self.operator.coefficients],
            "taps": self.taps,
            "accuracy_order": self.accuracy_order,
            "stable": self.stable,
            "stability": self.stability,
            "l2_error_vs_exact": self.final_error,
            "l2_error_vs_reference": float(self.error_reference[-1]),
            "reference_l2_error_vs_exact": float(self.reference_error[-1]),
            "reference_accuracy": self.reference_accuracy,
            "error_vs_time": {"times": self.times.tolist(),
                              "l2_vs_exact": self.error_exact.tolist(),
                              "l2_vs_reference": self.error_reference.tolist()},
            "convergence": {k: study[k] for k in (
                "grids", "h", "errors", "orders", "fitted_orders", "fit_grids", "expected_order",
                "converges", "meets_expected", "verdict", "reason")},
            "notes": self.notes,
            "conclusion": self.conclusion,
            **extra,
        })


@dataclass
class FrontRun:
    """One pair of operators on the front figure's steepening sine.

    Attributes:
        role: ``textbook`` or ``constrained``.
        label: The pair's name.
        times: Saved times.
        x: Grid nodes.
        snapshots: Our solution at each saved time.
        exact: The exact (Cole-Hopf) solution at each saved time.
    """

    role: str
    label: str
    times: np.ndarray
    x: np.ndarray
    snapshots: np.ndarray
    exact: np.ndarray

    @property
    def errors(self) -> np.ndarray:
        """Max error at each saved time."""
        return np.abs(self.snapshots - self.exact).max(axis=1)


@dataclass
class DemoResult:
    """Everything the demo computed.

    Attributes:
        settings: The settings used.
        initial_condition: The initial condition (a seed-family sinusoid).
        rows: One per (equation, operator).
        operators: The operators used.
        trained: Whether the operators were trained from scratch in this run.
        burgers_initial_condition: The Burgers rows' initial condition (a Cole-Hopf wave).
        front: The front figure's runs.
    """

    settings: DemoSettings
    initial_condition: Any
    rows: list[DemoRow]
    operators: DemoOperators
    trained: bool = False
    burgers_initial_condition: Any = None
    front: list[FrontRun] = field(default_factory=list)

    def equation_rows(self, equation: str) -> list[DemoRow]:
        """The rows of one equation."""
        return [row for row in self.rows if row.equation == equation]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary with per-row numbers."""
        ic = self.initial_condition
        s = self.settings
        equations = list(dict.fromkeys(row.equation for row in self.rows))
        return {
            "settings": {"n": s.n, "h": 4.0 / s.n, "t_final": s.t_final,
                         "velocity": s.velocity, "diffusivity": s.diffusivity,
                         "courant": s.courant, "diffusion_number": s.diffusion_number,
                         "stepper": s.stepper, "grids": list(s.grids),
                         "problems": {eq: s.problem(eq) for eq in equations},
                         "burgers": {"n": s.burgers_n, "h": 4.0 / s.burgers_n,
                                     "viscosity": s.viscosity, "initial_condition":
                                     s.burgers_ic, "grids": list(s.burgers_grids)}},
            "initial_condition": {"family": "seed", "seed": s.ic_seed, "k1": ic.k1,
                                  "k2": ic.k2, "a": ic.a, "b": ic.b},
            "trained": self.trained,
            "rows": [row.to_dict() for row in self.rows],
            "front": {"n": s.front_n, "viscosity": s.front_viscosity,
                      "initial_condition": f"{s.front_amplitude:g} sin(pi x)",
                      "times": list(s.front_times),
                      "max_error": {run.label: run.errors.tolist() for run in self.front}},
        }


def _finite(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Mapping):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


# --------------------------------------------------------------------------- running
def _problem(equation: str, operator: Any, n: int, settings: DemoSettings,
             ic: Any = None) -> Any:
    """The problem on a periodic grid of ``n`` nodes; Burgers with its velocity scale from
    ``ic`` (which the stability limit needs)."""
    import solvers

    problem = EQUATIONS[equation].problem(settings.values(), operator,
                                          solvers.Grid.periodic(n), None)
    if ic is not None and not problem.is_linear:
        problem = problem.for_state(solvers.initial_values(ic, problem.grid), settings.t_final)
    return problem


def _operators_of(problem: Any) -> tuple[Any, Any]:
    """(the operator a row is named by, Burgers' diffusion operator or None)."""
    import solvers

    if isinstance(problem, solvers.Burgers):
        return problem.flux_operator, problem.diffusion_operator
    return problem.operator, None


def _run_row(equation: str, role: str, label: str, operator: Any, settings: DemoSettings,
             ic: Any, references: dict[tuple[str, int], np.ndarray]) -> DemoRow:
    import solvers

    problem = _problem(equation, operator, settings.comparison_n(equation), settings, ic)
    main, diffusion = _operators_of(problem)
    limit = solvers.stability_limit(problem, settings.stepper)
    number = settings.number(equation)
    times = np.linspace(0.0, settings.t_final, settings.snapshots)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = solvers.solve(problem, ic, settings.t_final, stepper=settings.stepper,
                                 courant=number, save_times=times[1:-1],
                                 allow_unstable=not limit.stable)
    notes = list(dict.fromkeys(" ".join(str(w.message).split()) for w in caught
                               if issubclass(w.category, UserWarning)))
    exact = solvers.exact_solution(problem, ic, solution.times)
    accuracy = solvers.reference_accuracy(main)
    key = (equation, accuracy)
    if key not in references:  # same equation, grid, data and accuracy: the same reference
        references[key] = solvers.reference_solution(problem, ic, solution.times,
                                                     accuracy=accuracy)
    reference = references[key]
    comparison = solvers.compare(solution, exact, reference)
    study = _study(equation, operator, settings, ic)
    return DemoRow(
        equation, role, label, main, len(main.offsets), _accuracy_order(main), limit.stable,
        limit.reason, solution.times.copy(), solution.x.copy(), solution.final.copy(),
        exact[-1], np.array([e.l2 for e in comparison.analytic]),
        np.array([e.l2 for e in comparison.reference]),
        np.array([e.l2 for e in comparison.reference_vs_analytic]), accuracy, study, notes,
        diffusion=diffusion,
    )


def _accuracy_order(operator: Any) -> int:
    """The operator's verified accuracy order (0: inconsistent), from its moments."""
    from learned_ops.moments import accuracy_order

    return accuracy_order(np.array(operator.offsets), operator.coefficients,
                          operator.derivative_order)


def _study(equation: str, operator: Any, settings: DemoSettings, ic: Any) -> Any:
    """The space convergence study: advection and heat from the smooth bump (the studies'
    default), Burgers from its exact Cole-Hopf wave."""
    import solvers

    grids = settings.study_grids(equation)
    burgers = equation == "burgers"
    problem = _problem(equation, operator, grids[0], settings, ic if burgers else None)
    stable = solvers.stability_limit(problem, settings.stepper).stable
    t_final = settings.t_final
    # Without a stable time step (the seed's central stencil grows at theta = pi), run anyway
    # at a modest number: the growth is far too slow to matter by t_final, and the study then
    # shows what refinement does to the error.
    number = None if stable else settings.number(equation)
    return solvers.convergence_study(problem, t_final, ic if burgers else None, kind="space",
                                     grids=grids, stepper=settings.stepper, number=number,
                                     allow_unstable=not stable)


def _front_runs(ops: DemoOperators, settings: DemoSettings) -> list[FrontRun]:
    """The front figure: a sine steepening into a viscous front on a coarse grid, with the
    textbook 5-point pair and the constrained learned pair (the same width)."""
    import solvers

    u0 = solvers.SineMode(1, settings.front_amplitude)
    values = {**settings.values(), "viscosity": settings.front_viscosity}
    times = np.asarray(settings.front_times, dtype=np.float64)
    runs = []
    for role, label, pair in reversed(ops.lineup()["burgers"][1:]):  # textbook first
        problem = EQUATIONS["burgers"].problem(values, pair, solvers.Grid.periodic(
            settings.front_n), None)
        solution = solvers.solve(problem, u0, float(times[-1]), stepper=settings.stepper,
                                 save_times=times[1:-1])
        exact = solvers.exact_solution(problem, u0, solution.times)
        runs.append(FrontRun(role, label, solution.times.copy(), solution.x.copy(),
                             np.array(solution.snapshots), exact))
    return runs


def run_demo(operators: DemoOperators | None = None, settings: DemoSettings = DEFAULT_SETTINGS,
             progress: ProgressFn | None = None, trained: bool = False) -> DemoResult:
    """Run every comparison and study of the demo.

    Args:
        operators: The operators (default: the pretrained ones).
        settings: What to run.
        progress: Called with one line per row.
        trained: Record that the operators were trained in this run.

    Returns:
        A :class:`DemoResult`.
    """
    import solvers

    ops = operators or pretrained_operators()
    ic = solvers.Sinusoid.random(settings.ic_seed)
    burgers_ic = EQUATIONS["burgers"].initial_condition(settings.burgers_ic, settings.values())
    rows: list[DemoRow] = []
    references: dict[tuple[str, int], np.ndarray] = {}
    for equation, lineup in ops.lineup().items():
        equation_rows = []
        for role, label, operator in lineup:
            if progress:
                progress(f"{equation}: {label} ({role})")
            equation_rows.append(_run_row(equation, role, label, operator, settings,
                                          burgers_ic if equation == "burgers" else ic,
                                          references))
        rows.extend(replace(row, conclusion=text)
                    for row, text in zip(equation_rows, conclusions(equation_rows, settings),
                                         strict=True))
    if progress:
        progress("burgers: a steepening front for the figure")
    front = _front_runs(ops, settings)
    return DemoResult(settings, ic, rows, ops, trained, burgers_ic, front)
