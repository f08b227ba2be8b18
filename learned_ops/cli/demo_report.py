"""The numbers behind ``learned-ops demo``: runs, comparisons and convergence studies.

Glue only (the numerics live in :mod:`solvers` and :mod:`learned_ops`): for advection and for
heat, each of four operators -- a textbook stencil, the seed notebook's learned one, a
constrained learned one of larger width and the textbook stencil of that width -- is

1. run at the seed's training resolution (h = 0.01, n = 400) from a function of the seed's own
   training family, and compared with the exact solution and the independent scipy reference;
2. measured under grid refinement (a spatial convergence study on n = 50 .. 800);

and each row gets a one-line conclusion computed from those numbers
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
    "format_table",
    "pretrained_operators",
    "run_demo",
]

ProgressFn = Callable[[str], None]


@dataclass
class DemoRow:
    """One operator on one equation: a run at the training resolution and a study.

    Attributes:
        equation: ``advection`` or ``heat``.
        role: ``textbook``, ``seed-learned`` or ``constrained``.
        label: The operator's name.
        operator: The operator.
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

    @property
    def final_error(self) -> float:
        """L2 error against the exact solution at ``t_final``."""
        return float(self.error_exact[-1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers (inf and NaN become None)."""
        study = self.study.to_dict()
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
                "converges", "meets_expected", "reason")},
            "notes": self.notes,
            "conclusion": self.conclusion,
        })


@dataclass
class DemoResult:
    """Everything the demo computed.

    Attributes:
        settings: The settings used.
        initial_condition: The initial condition (a seed-family sinusoid).
        rows: One per (equation, operator).
        operators: The operators used.
        trained: Whether the operators were trained from scratch in this run.
    """

    settings: DemoSettings
    initial_condition: Any
    rows: list[DemoRow]
    operators: DemoOperators
    trained: bool = False

    def equation_rows(self, equation: str) -> list[DemoRow]:
        """The rows of one equation."""
        return [row for row in self.rows if row.equation == equation]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary with per-row numbers."""
        ic = self.initial_condition
        s = self.settings
        return {
            "settings": {"n": s.n, "h": 4.0 / s.n, "t_final": s.t_final,
                         "velocity": s.velocity, "diffusivity": s.diffusivity,
                         "courant": s.courant, "diffusion_number": s.diffusion_number,
                         "stepper": s.stepper, "grids": list(s.grids),
                         "problems": {eq: s.problem(eq) for eq in ("advection", "heat")}},
            "initial_condition": {"family": "seed", "seed": s.ic_seed, "k1": ic.k1,
                                  "k2": ic.k2, "a": ic.a, "b": ic.b},
            "trained": self.trained,
            "rows": [row.to_dict() for row in self.rows],
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
def _problem(equation: str, operator: Any, n: int, settings: DemoSettings) -> Any:
    import solvers

    return EQUATIONS[equation].problem(settings.values(), operator, solvers.Grid.periodic(n),
                                       None)


def _run_row(equation: str, role: str, label: str, operator: Any, settings: DemoSettings,
             ic: Any, references: dict[tuple[str, int], np.ndarray]) -> DemoRow:
    import solvers

    problem = _problem(equation, operator, settings.n, settings)
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
    accuracy = solvers.reference_accuracy(problem.operator)
    key = (equation, accuracy)
    if key not in references:  # same equation, grid, data and accuracy: the same reference
        references[key] = solvers.reference_solution(problem, ic, solution.times,
                                                     accuracy=accuracy)
    reference = references[key]
    comparison = solvers.compare(solution, exact, reference)
    study = _study(equation, operator, settings)
    return DemoRow(
        equation, role, label, problem.operator, len(problem.operator.offsets),
        _accuracy_order(problem.operator), limit.stable, limit.reason,
        solution.times.copy(), solution.x.copy(), solution.final.copy(), exact[-1],
        np.array([e.l2 for e in comparison.analytic]),
        np.array([e.l2 for e in comparison.reference]),
        np.array([e.l2 for e in comparison.reference_vs_analytic]), accuracy, study, notes,
    )


def _accuracy_order(operator: Any) -> int:
    """The operator's verified accuracy order (0: inconsistent), from its moments."""
    from learned_ops.moments import accuracy_order

    return accuracy_order(np.array(operator.offsets), operator.coefficients,
                          operator.derivative_order)


def _study(equation: str, operator: Any, settings: DemoSettings) -> Any:
    import solvers

    problem = _problem(equation, operator, settings.grids[0], settings)
    stable = solvers.stability_limit(problem, settings.stepper).stable
    t_final = settings.t_final
    # Without a stable time step (the seed's central stencil grows at theta = pi), run anyway
    # at a modest number: the growth is far too slow to matter by t_final, and the study then
    # shows what refinement does to the error.
    number = None if stable else settings.number(equation)
    return solvers.convergence_study(problem, t_final, kind="space", grids=settings.grids,
                                     stepper=settings.stepper, number=number,
                                     allow_unstable=not stable)


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
    rows: list[DemoRow] = []
    references: dict[tuple[str, int], np.ndarray] = {}
    for equation, lineup in ops.lineup().items():
        equation_rows = []
        for role, label, operator in lineup:
            if progress:
                progress(f"{equation}: {label} ({role})")
            equation_rows.append(_run_row(equation, role, label, operator, settings, ic,
                                                  references))
        rows.extend(replace(row, conclusion=text)
                    for row, text in zip(equation_rows, conclusions(equation_rows, settings),
                                         strict=True))
    return DemoResult(settings, ic, rows, ops, trained)
