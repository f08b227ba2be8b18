"""The numbers behind ``learned-ops demo``: runs, comparisons and convergence studies.

Glue only (the numerics live in :mod:`solvers` and :mod:`learned_ops`): for advection and for
heat, each of four operators -- a textbook stencil, the seed notebook's learned one, a
constrained learned one of larger width and the textbook stencil of that width -- is

1. run at the seed's training resolution (h = 0.01, n = 400) from a function of the seed's own
   training family, and compared with the exact solution and the independent scipy reference;
2. measured under grid refinement (a spatial convergence study on n = 50 .. 800);

and each row gets a one-line conclusion computed from those numbers.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from learned_ops.cli.defaults import DIFFUSIVITY, T_FINAL, VELOCITY, describe_problem

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


@dataclass(frozen=True)
class DemoSettings:
    """What the demo runs.

    Attributes:
        n: Nodes of the comparison runs (400: the seed's training spacing 0.01 on [-2, 2)).
        t_final: Final time of the comparison runs.
        snapshots: Saved times per comparison run (for the error-against-time figure).
        velocity: Advection velocity a.
        diffusivity: Heat diffusivity nu of the comparison runs.
        ic_seed: Seed of the initial condition drawn from the seed family.
        courant: Courant number of the advection runs (RK4).
        diffusion_number: Diffusion number of the heat runs (RK4).
        grids: Grids of the convergence studies (same equation, velocity, diffusivity
            and final time as the comparison runs; the initial condition is a smooth bump).
        stepper: The explicit Runge-Kutta stepper.

    The velocity, diffusivity and final time are the CLI's one default problem per equation
    (:mod:`learned_ops.cli.defaults`), the same as ``simulate`` and ``converge``.
    """

    n: int = 400
    t_final: float = T_FINAL["advection"]
    snapshots: int = 21
    velocity: float = VELOCITY
    diffusivity: float = DIFFUSIVITY
    ic_seed: int = 0
    courant: float = 0.5
    diffusion_number: float = 0.4
    grids: tuple[int, ...] = (50, 100, 200, 400, 800)
    stepper: str = "rk4"

    def __post_init__(self) -> None:
        """One final time for both equations (the default problems share it)."""
        if T_FINAL["advection"] != T_FINAL["heat"]:  # pragma: no cover - a guard on defaults
            raise ValueError("the demo runs both equations to one t_final")

    def problem(self, equation: str) -> str:
        """The problem of ``equation`` in one phrase (for the table and the figures)."""
        coefficient = self.velocity if equation == "advection" else self.diffusivity
        return describe_problem(equation, coefficient, self.t_final)


DEFAULT_SETTINGS = DemoSettings()


@dataclass(frozen=True)
class DemoOperators:
    """The operators the demo compares (pretrained, or freshly trained with ``--train``).

    Attributes:
        seed_forward: The seed's learned forward stencil (offsets 0, 1).
        seed_backward: The seed's learned backward stencil (offsets -1, 0).
        seed_central: The seed's learned central stencil (offsets -1, 0, 1).
        learned_d1: A constrained learned first-derivative stencil (5 points, order 2).
        learned_d2: A constrained learned second-derivative stencil (5 points, order 2).
    """

    seed_forward: Any
    seed_backward: Any
    seed_central: Any
    learned_d1: Any
    learned_d2: Any

    def lineup(self) -> dict[str, list[tuple[str, str, Any]]]:
        """Per equation: (role, label, operator) for each row, in table order."""
        from learned_ops.textbook import textbook_stencil
        from solvers import compose

        return {
            "advection": [
                ("textbook", "fd:1:-1,0,1", textbook_stencil(1, (-1, 0, 1))),
                ("seed-learned", self.seed_central.name or "seed-central", self.seed_central),
                ("constrained", self.learned_d1.name or "learned-d1", self.learned_d1),
                ("textbook", "fd:1:-2,-1,0,1,2", textbook_stencil(1, (-2, -1, 0, 1, 2))),
            ],
            "heat": [
                ("textbook", "fd:2:-1,0,1", textbook_stencil(2, (-1, 0, 1))),
                ("seed-learned", f"{self.seed_forward.name or 'seed-forward'}∘"
                                 f"{self.seed_backward.name or 'seed-backward'}",
                 compose(self.seed_forward, self.seed_backward)),
                ("constrained", self.learned_d2.name or "learned-d2", self.learned_d2),
                ("textbook", "fd:2:-2,-1,0,1,2", textbook_stencil(2, (-2, -1, 0, 1, 2))),
            ],
        }

    def learned(self) -> list[Any]:
        """The learned stencils themselves (for the coefficient figure)."""
        return [self.seed_forward, self.seed_backward, self.seed_central, self.learned_d1,
                self.learned_d2]


def pretrained_operators() -> DemoOperators:
    """The shipped operators (no training, no TensorFlow)."""
    from learned_ops.pretrained import load_pretrained

    return DemoOperators(*(load_pretrained(name) for name in (
        "seed-forward", "seed-backward", "seed-central", "learned-d1-c5-o2", "learned-d2-c5-o2")))


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

    grid = solvers.Grid.periodic(n)
    if equation == "advection":
        return solvers.Advection(settings.velocity, operator, grid)
    return solvers.Heat(settings.diffusivity, operator, grid)


def _run_row(equation: str, role: str, label: str, operator: Any, settings: DemoSettings,
             ic: Any, references: dict[tuple[str, int], np.ndarray]) -> DemoRow:
    import solvers

    problem = _problem(equation, operator, settings.n, settings)
    limit = solvers.stability_limit(problem, settings.stepper)
    number = settings.courant if equation == "advection" else settings.diffusion_number
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
        int(solvers.operators.accuracy_order_of(problem.operator)), limit.stable, limit.reason,
        solution.times.copy(), solution.x.copy(), solution.final.copy(), exact[-1],
        np.array([e.l2 for e in comparison.analytic]),
        np.array([e.l2 for e in comparison.reference]),
        np.array([e.l2 for e in comparison.reference_vs_analytic]), accuracy, study, notes,
    )


def _study(equation: str, operator: Any, settings: DemoSettings) -> Any:
    import solvers

    problem = _problem(equation, operator, settings.grids[0], settings)
    stable = solvers.stability_limit(problem, settings.stepper).stable
    t_final = settings.t_final
    # Without a stable time step (the seed's central stencil grows at theta = pi), run anyway
    # at a modest number: the growth is far too slow to matter by t_final, and the study then
    # shows what refinement does to the error.
    number = None if stable else (settings.courant if equation == "advection"
                                  else settings.diffusion_number)
    return solvers.convergence_study(problem, t_final, kind="space", grids=settings.grids,
                                     stepper=settings.stepper, number=number,
                                     allow_unstable=not stable)


# --------------------------------------------------------------------------- conclusions
def _ratio_text(mine: float, theirs: float) -> str:
    """``3.2x smaller``, ``1.9x larger`` or ``about the same`` (within 10%)."""
    if not (math.isfinite(mine) and math.isfinite(theirs)) or mine <= 0 or theirs <= 0:
        return "not comparable"
    if abs(math.log(mine / theirs)) < math.log(1.1):
        return "about the same"
    if mine < theirs:
        return f"{theirs / mine:.1f}x smaller"
    return f"{mine / theirs:.1f}x larger"


def _finest(row: DemoRow) -> float:
    return float(row.study.errors["l2"][-1])


def _conclude(rows: list[DemoRow], settings: DemoSettings) -> None:
    """Fill each row's one-line conclusion from the numbers."""
    base = rows[0]
    wide = rows[-1]
    n_fine = settings.grids[-1]
    for row in rows:
        order = row.study.fitted_orders["l2"]
        order_text = "-" if math.isnan(order) else f"{order:.2f}"
        at_n = _ratio_text(row.final_error, base.final_error)
        if row is base:
            row.conclusion = (f"baseline: order {order_text} as promised (expected "
                              f"{row.study.expected_order}); matches the scipy reference to "
                              f"{row.error_reference[-1]:.1e}")
        elif row.role == "seed-learned":
            if math.isnan(order):
                trend = "no convergence result"
            else:
                trend = "the error stalls" if order > -0.5 else "the error grows"
            stable = "" if row.stable else "no stable dt (ran anyway); "
            link = "but" if row.final_error < base.final_error else "and"
            row.conclusion = (f"inconsistent: {stable}{at_n} error than the textbook at n = "
                              f"{settings.n}, {link} {trend} under refinement (order "
                              f"{order_text}, {_finest(row):.1e} at n = {n_fine})")
        elif row.role == "constrained":
            versus_wide = _ratio_text(row.final_error, wide.final_error)
            versus_wide += " as" if versus_wide.startswith("about") else " than"
            row.conclusion = (f"order {row.accuracy_order} by construction: {at_n} error than "
                              f"the textbook 3-point at n = {settings.n} ({versus_wide} "
                              f"the textbook {wide.taps}-point); order {order_text}")
        else:
            versus = _ratio_text(_finest(row), _finest(rows[2]))
            row.conclusion = (f"textbook of the constrained stencil's width: order "
                              f"{order_text}, {versus} error than it at n = {n_fine}: "
                              "refinement favours the higher order")



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
        _conclude(equation_rows, settings)
        rows.extend(equation_rows)
    return DemoResult(settings, ic, rows, ops, trained)


# --------------------------------------------------------------------------- the table
def _fmt(value: float) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.2e}"


def format_table(result: DemoResult) -> str:
    """One compact table: errors at the training resolution, order under refinement, verdict."""
    s = result.settings
    ic = result.initial_condition
    lines = [
        f"learned-ops demo: advection u_t + {s.velocity:g} u_x = 0 and heat u_t = "
        f"{s.diffusivity:g} u_xx on [-2, 2), periodic, t = {s.t_final:g}, {s.stepper.upper()}",
        f"comparison runs: n = {s.n} (the seed's training spacing h = {4.0 / s.n:g}), "
        f"u0 = {ic.b:.3g} ({ic.a:.3g} sin({ic.k1} pi x) + {1 - ic.a:.3g} "
        f"sin({ic.k2} pi x)) from the seed's training family",
        f"order: fitted L2 order of a space convergence study of the same problems on n = "
        f"{', '.join(str(g) for g in s.grids)} (smooth bump)"
        + (";  operators trained in this run" if result.trained else ""),
        "",
    ]
    head = (f"{'equation':<10} {'operator':<27} {'taps':>4} {'p':>2} {'L2 vs exact':>11} "
            f"{'vs scipy':>9} {'scipy err':>9} {'order':>6}  conclusion")
    lines += [head, "-" * len(head)]
    for row in result.rows:
        order = row.study.fitted_orders["l2"]
        label = row.label if len(row.label) <= 27 else row.label[:26] + "…"
        lines.append(
            f"{row.equation:<10} {label:<27} {row.taps:>4} {row.accuracy_order:>2} "
            f"{_fmt(row.final_error):>11} {_fmt(row.error_reference[-1]):>9} "
            f"{_fmt(row.reference_error[-1]):>9} "
            f"{'-' if math.isnan(order) else format(order, '.2f'):>6}  {row.conclusion}"
        )
    lines += [
        "",
        "p: verified accuracy order (0 = inconsistent); vs scipy: L2 distance to the scipy "
        "reference (classical FD of order max(2, p) + solve_ivp); scipy err: the reference's "
        "own L2 error.",
        "Learned stencils can beat the textbook at the resolution they were trained for; only "
        "the constrained ones keep converging when the grid is refined.",
    ]
    return "\n".join(lines)
