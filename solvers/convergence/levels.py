"""The level runner: one run per level, its error, the time step and the work bound."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from solvers.analytic import exact_solution
from solvers.compare import error_norms
from solvers.convergence.orders import NORMS, _fmt
from solvers.convergence.problems import _dt_power
from solvers.convergence.semidiscrete import semidiscrete_solution
from solvers.errors import (
    BeyondStabilityLimitWarning,
    BlowUpError,
    InconsistentOperatorWarning,
    NoStableTimeStepError,
    ScheduleError,
    WorkTooLargeError,
)
from solvers.integrate import solve
from solvers.problems import Problem
from solvers.stability import stability_limit
from solvers.tableaux import get_tableau
from solvers.work import LONG_RUN_UPDATES

SPACE_FRACTION = 0.25
"""Spatial studies start from this fraction of the stability limit on the coarsest grid."""
COUPLED_FRACTION = 0.5
"""Default Courant / diffusion number of a coupled study, as a fraction of the limit."""
TIME_FRACTION = 0.5
"""Temporal studies start from this fraction of the stability limit."""
MAX_DT_REDUCTIONS = 4
"""Most times a spatial study reduces dt on one grid to make the temporal error negligible."""
MAX_DT_FACTOR, MIN_DT_FACTOR = 0.5, 1.0 / 16.0
"""Bounds of one dt reduction (at least halved, at most divided by 16)."""


class _Level:
    """One run's outcome."""

    def __init__(self, n: int, h: float) -> None:
        self.n, self.h = n, h
        self.dt = math.nan
        self.errors = {k: math.nan for k in NORMS}
        self.time_error = math.nan
        self.time_share = math.nan
        self.scale = {k: math.nan for k in NORMS}
        self.failure: str | None = None


Note = tuple[str, str]
"""A note of a study: ``(key, text)``. Notes with the same key are reported once (the first);
the key is the text itself, or the warning kind for one noted once for the whole study."""
BEYOND_LIMIT = "beyond-stability-limit"


def merge_notes(notes: Sequence[Note]) -> list[str]:
    """The texts, each key once (its first text), in the order the keys first appear."""
    first: dict[str, str] = {}
    for key, text in notes:
        first.setdefault(key, text)
    return list(first.values())


def _check_study_work(problems: Sequence[Problem], dts: Sequence[float], t_final: float,
                      stepper: str, allow_long: bool) -> None:
    """Refuse, before any level runs, a study whose planned runs exceed ``LONG_RUN_UPDATES``
    point updates in all (each level's dt as planned, before any reduction).

    Raises:
        WorkTooLargeError: Unless ``allow_long``, naming the costliest level and the total.
    """
    stages = len(get_tableau(stepper).b)
    work = [(t_final / dt if dt > 0 else math.inf) * q.grid.n * stages
            for q, dt in zip(problems, dts, strict=True)]
    total = math.fsum(work)
    if total <= LONG_RUN_UPDATES or allow_long:
        return
    k = max(range(len(work)), key=work.__getitem__)
    steps = t_final / dts[k] if dts[k] > 0 else math.inf
    raise WorkTooLargeError(
        f"this study needs about {total:.3g} point updates (at about 1e9 per second, "
        f"{total / 1e9 / 3600:.3g} hours); its costliest level, n = {problems[k].grid.n}, "
        f"takes {steps:.3g} steps of dt = {dts[k]:.3g}; use fewer or coarser grids, fewer "
        "levels, a shorter t_final or a larger number, or pass allow_long=True to run it anyway"
    )


def _run(problem: Problem, u0: Any, t_final: float, stepper: str, dt: float,
         allow_unstable: bool, allow_long: bool) -> tuple[Any, list[Note]]:
    """Solve, turning the solver's warnings into notes by their kind (never by their text)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = solve(problem, u0, t_final, stepper=stepper, dt=dt,
                         allow_unstable=allow_unstable, check_every=50,
                         allow_long=allow_long)
    notes: list[Note] = []
    for w in caught:
        if issubclass(w.category, InconsistentOperatorWarning):
            continue  # reported once, from the operator itself
        if issubclass(w.category, BeyondStabilityLimitWarning):
            reason = getattr(w.message, "reason", "") or str(w.message)
            text = " ".join(("running beyond the stability limit on request (first level): "
                             + reason).split())
            notes.append((BEYOND_LIMIT, text))
        else:
            text = " ".join(str(w.message).split())
            notes.append((text, text))
    return solution, notes


def _measure(level: _Level, values: np.ndarray, target: np.ndarray, h: float) -> None:
    e = error_norms(values, target, h)
    level.errors = {"l2": e.l2, "linf": e.linf}
    s = error_norms(target, np.zeros_like(target), h)
    level.scale = {"l2": s.l2, "linf": s.linf}


def _blow_up(level: _Level, exc: BlowUpError) -> None:
    level.errors = {k: math.inf for k in NORMS}
    level.failure = f"n = {level.n}: " + " ".join(str(exc).split())


def _space_level(problem: Problem, u0: Any, t_final: float, stepper: str, dt: float,
                 ratio: float, floor: float, allow_unstable: bool, allow_long: bool,
                 level: _Level) -> tuple[float, list[Note]]:
    """Run one level of a spatial study with a temporal error at most ``ratio`` of the spatial.

    The temporal error (distance to the semi-discrete solution) and the spatial error (the
    semi-discrete solution's distance to the exact one) are measured in both norms; while the
    larger share exceeds ``ratio``, dt is reduced by ``(ratio / share / 2)**(1/r)`` (``r``:
    the stepper's order; at least halved, at most divided by 16) and the run repeated.

    Returns:
        The factor by which dt was reduced (1.0: not at all), for the finer levels, and the
        level's notes.
    """
    exact = exact_solution(problem, u0, [t_final])[-1]
    semi = semidiscrete_solution(problem, u0, t_final)
    h = problem.grid.h
    r = get_tableau(stepper).order
    with np.errstate(over="ignore", invalid="ignore"):
        space = error_norms(semi, exact, h)
        size = error_norms(exact, np.zeros_like(exact), h)
    space_error = {"l2": space.l2, "linf": space.linf}
    relative = max(space_error[k] / s if s > 0 else space_error[k]
                   for k, s in (("l2", size.l2), ("linf", size.linf)))
    requested = dt
    notes: list[Note] = []
    for attempt in range(MAX_DT_REDUCTIONS + 1):
        try:
            sol, run_notes = _run(problem, u0, t_final, stepper, dt, allow_unstable, allow_long)
        except BlowUpError as exc:
            _blow_up(level, exc)
            level.dt = dt
            return dt / requested, notes
        notes += run_notes
        level.dt = sol.info.dt
        _measure(level, sol.final, exact, h)
        with np.errstate(over="ignore", invalid="ignore"):
            temporal = error_norms(sol.final, semi, h)
            level.time_error = temporal.l2
            shares = [t / e if e > 0 else math.inf
                      for t, e in ((temporal.l2, space_error["l2"]),
                                   (temporal.linf, space_error["linf"]))]
        level.time_share = max(shares)
        if not math.isfinite(relative) or relative < floor:
            return dt / requested, notes  # no spatial error to protect (round-off, cut later)
        if level.time_share <= ratio:
            return dt / requested, notes
        if attempt == MAX_DT_REDUCTIONS:
            share = level.time_share
            bias = math.log2((1.0 + share) / (1.0 - share)) if share < 1.0 else math.inf
            text = (f"n = {level.n}: the temporal error is still {share:.2g} of the "
                    f"spatial error (wanted <= {ratio:g}) at dt = {level.dt:.3g} after "
                    f"{MAX_DT_REDUCTIONS} reductions; the pairwise orders next to this "
                    f"level may be biased by up to {_fmt(bias, '.2f')}")
            return dt / requested, [*notes, (text, text)]
        factor = (0.5 * ratio / level.time_share) ** (1.0 / r)
        dt = level.dt * min(MAX_DT_FACTOR, max(MIN_DT_FACTOR, factor))
    return dt / requested, notes  # pragma: no cover - the loop always returns


def _start_dt(problem: Problem, stepper: str, number: float | None, fraction: float,
              allow_unstable: bool) -> float:
    """dt on ``problem``'s grid from a number, or a fraction of the stability limit."""
    if number is not None:
        if not (isinstance(number, (int, float)) and math.isfinite(number) and number > 0):
            raise ScheduleError(f"the Courant / diffusion number must be > 0, got {number!r}")
        return problem.dt_for_number(float(number))
    limit = stability_limit(problem, stepper)
    if not limit.stable:
        if allow_unstable:
            raise ScheduleError(
                f"no stable time step exists ({limit.reason}); give the Courant / diffusion "
                "number to run it anyway"
            )
        raise NoStableTimeStepError(
            f"no stable time step for {problem.equation} with {limit.stepper}: {limit.reason}",
            limit=limit,
        )
    return fraction * limit.dt if math.isfinite(limit.dt) else fraction * problem.dt_for_number(1)


def _grid_levels(problems: list[Problem], u0: Any, t_final: float, stepper: str, kind: str,
                 number: float | None, p: int, control: tuple[float, float],
                 allow_unstable: bool, allow_long: bool, runs: list[_Level],
                 report: Callable[[_Level], None]) -> list[Note]:
    """Run the levels of a space or coupled study into ``runs``; returns their notes."""
    m = _dt_power(problems[0])
    notes: list[Note] = []
    r = get_tableau(stepper).order
    if kind == "coupled":
        if number is None:
            limit = stability_limit(problems[0], stepper)
            if not limit.stable:
                _start_dt(problems[0], stepper, None, COUPLED_FRACTION, allow_unstable)
            number = COUPLED_FRACTION * limit.number if math.isfinite(limit.number) else 0.5
        _check_study_work(problems, [q.dt_for_number(number) for q in problems], t_final,
                          stepper, allow_long)
        for q, level in zip(problems, runs, strict=True):
            try:
                sol, run_notes = _run(q, u0, t_final, stepper, q.dt_for_number(number),
                                      allow_unstable, allow_long)
                notes += run_notes
            except BlowUpError as exc:
                _blow_up(level, exc)
                level.dt = q.dt_for_number(number)
            else:
                level.dt = sol.info.dt
                _measure(level, sol.final, exact_solution(q, u0, [t_final])[-1], q.grid.h)
            report(level)
        return notes
    dt0 = _start_dt(problems[0], stepper, number, SPACE_FRACTION, allow_unstable)
    s = max(float(m), p / r)
    h0 = problems[0].grid.h
    ratio, floor = control
    _check_study_work(problems, [dt0 * (q.grid.h / h0) ** s for q in problems], t_final,
                      stepper, allow_long)
    reduced = 1.0  # dt reductions carry over: the temporal share does not grow with dt ∝ h**s
    for q, level in zip(problems, runs, strict=True):
        dt = reduced * dt0 * (q.grid.h / h0) ** s
        factor, level_notes = _space_level(q, u0, t_final, stepper, dt, ratio, floor,
                                           allow_unstable, allow_long, level)
        reduced *= factor
        notes += level_notes
        report(level)
    return notes


def _time_levels(problem: Problem, u0: Any, t_final: float, stepper: str,
                 number: float | None, allow_unstable: bool, allow_long: bool,
                 runs: list[_Level], report: Callable[[_Level], None]) -> list[Note]:
    """Run the levels of a temporal study into ``runs``; returns their notes."""
    dt0 = _start_dt(problem, stepper, number, TIME_FRACTION, allow_unstable)
    notes: list[Note] = []
    count = max(1, math.ceil(t_final / dt0 * (1.0 - 1e-12)))
    _check_study_work([problem] * len(runs), [t_final / (count * 2**k) for k in range(len(runs))],
                      t_final, stepper, allow_long)
    target = semidiscrete_solution(problem, u0, t_final)
    for k, level in enumerate(runs):
        dt = t_final / (count * 2**k)
        try:
            sol, run_notes = _run(problem, u0, t_final, stepper, dt, allow_unstable,
                                  allow_long)
            notes += run_notes
        except BlowUpError as exc:
            _blow_up(level, exc)
            level.dt = dt
        else:
            level.dt = sol.info.dt
            _measure(level, sol.final, target, problem.grid.h)
        report(level)
    return notes
