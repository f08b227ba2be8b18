"""The entry point :func:`convergence_study`: check the request, run the levels, judge them."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from solvers.convergence.levels import (
    _grid_levels,
    _Level,
    _time_levels,
    merge_notes,
)
from solvers.convergence.orders import (
    AGREEMENT,
    FLOOR,
    MIN_ORDER,
    MIN_VERDICT_GRIDS,
    NORMS,
    _fmt,
    _inconclusive_reason,
    _order_reason,
    _verdict,
    asymptotic_range,
    fitted_order,
    pairwise_orders,
)
from solvers.convergence.problems import (
    _check_kind,
    _operators,
    _with_grid,
    default_initial_condition,
    expected_order,
)
from solvers.convergence.result import ConvergenceStudy
from solvers.errors import InitialConditionError, NoStableTimeStepError, ScheduleError
from solvers.initial_conditions import initial_condition, initial_values
from solvers.integrate import operator_warnings
from solvers.operators import operator_label
from solvers.problems import Problem
from solvers.tableaux import get_tableau

DEFAULT_GRIDS: tuple[int, ...] = (50, 100, 200, 400, 800)
TIME_ERROR_RATIO = 0.01
"""Spatial studies: the temporal error of every level is at most this share of its spatial
error (in both norms), so a pairwise order is biased by at most log2(1.01 / 0.99) ~ 0.029."""
MAX_LEVELS = 20


def _check_grids(grids: Sequence[int]) -> tuple[int, ...]:
    values = tuple(grids)
    if len(values) < 2:
        raise ScheduleError(f"a convergence study needs at least 2 grids, got {list(values)}")
    for n in values:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 3:
            raise ScheduleError(f"grid sizes must be integers >= 3, got {list(values)}")
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ScheduleError(f"grid sizes must increase, got {list(values)}")
    return tuple(int(n) for n in values)


def _check_study_numbers(t_final: object, levels: object, number: object, expected: object,
                         tolerance: object) -> None:
    """Refuse meaningless study parameters before any run starts."""
    def finite(value: object) -> bool:
        return (not isinstance(value, bool) and isinstance(value, (int, float, np.integer,
                np.floating)) and math.isfinite(float(value)))

    if not finite(t_final) or float(t_final) <= 0:  # type: ignore[arg-type]
        raise ScheduleError(f"t_final must be a finite number > 0, got {t_final!r}")
    if isinstance(levels, int) and not isinstance(levels, bool) and levels > MAX_LEVELS:
        raise ScheduleError(f"levels may be at most {MAX_LEVELS} (dt halves each level), got "
                            f"{levels}")
    if number is not None and (not finite(number) or float(number) <= 0):  # type: ignore[arg-type]
        raise ScheduleError(f"the Courant / diffusion number must be finite and > 0, got "
                            f"{number!r}")
    if expected is not None and (not finite(expected) or float(expected) < 0):  # type: ignore[arg-type]
        raise ScheduleError(f"the expected order must be a finite number >= 0, got {expected!r}")
    if not finite(tolerance) or float(tolerance) < 0:  # type: ignore[arg-type]
        raise ScheduleError(f"tolerance must be a finite number >= 0, got {tolerance!r}")


def _check_fractions(time_error_ratio: object, agreement: object) -> None:
    """Refuse a time-error ratio outside (0, 1) and an agreement that is not > 0."""
    for name, value, top in (("time_error_ratio", time_error_ratio, 1.0),
                             ("agreement", agreement, math.inf)):
        ok = (not isinstance(value, bool) and isinstance(value, (int, float, np.floating))
              and 0.0 < float(value) < top)
        if not ok:
            bound = "in (0, 1)" if top == 1.0 else "a finite number > 0"
            raise ScheduleError(f"{name} must be {bound}, got {value!r}")


def convergence_study(
    problem: Problem,
    t_final: float,
    u0: Any = None,
    *,
    kind: str = "space",
    grids: Sequence[int] | None = None,
    levels: int = 5,
    stepper: str = "rk4",
    number: float | None = None,
    expected: int | None = None,
    tolerance: float = 0.1,
    floor: float = FLOOR,
    time_error_ratio: float = TIME_ERROR_RATIO,
    allow_unstable: bool = False,
    progress: Callable[[str], None] | None = None,
    agreement: float = AGREEMENT,
    allow_long: bool = False,
) -> ConvergenceStudy:
    """Run a convergence study of ``problem`` (its operators and the stepper).

    Args:
        problem: A problem whose grid gives the domain and kind (space and coupled studies
            rebuild it on each of ``grids``; a temporal study uses its grid as is).
        t_final: Final time of every run.
        u0: Initial condition as a function of x, or a name for
            :func:`~solvers.initial_conditions.initial_condition` such as ``"mode:1"`` or
            ``"bump"`` (default: :func:`default_initial_condition`).
        kind: ``space``, ``time`` or ``coupled``.
        grids: Nodes per level (space, coupled; default 50, 100, 200, 400, 800).
        levels: Number of dt levels of a temporal study.
        stepper: Stepper name or tableau.
        number: Courant / diffusion number: of every level (coupled), of the coarsest level
            (space) or of the first level (time). Default: a fraction of the stability limit.
        expected: Override the expected order.
        tolerance: How far from the expected order the fitted one may be, either way, for
            ``met`` (more above it is ``above expected``, more below ``not met``).
        floor: Relative error counted as round-off (see :func:`asymptotic_range`).
        time_error_ratio: Spatial studies: the temporal error of every level must be at most
            this share of its spatial error, in both norms (dt is reduced until it is, or a
            note says it could not be); in (0, 1).
        allow_unstable: Run with the given ``number`` even beyond the stability limit (to
            observe a divergence); without it a problem with no stable dt is reported as not
            converging without running.
        progress: Called with one line after each level (e.g. to print on stderr).
        agreement: Pairwise orders agree when their spread is at most ``max(agreement, 0.03
            |order|)`` in both norms; the fit uses the longest agreeing run (see
            :func:`longest_agreeing_run`).
        allow_long: Run even when the planned levels exceed ``LONG_RUN_UPDATES`` point
            updates in all (passed on to every :func:`~solvers.integrate.solve`).

    Returns:
        A :class:`ConvergenceStudy`; blow-ups and missing stable time steps are results
        (``converges`` False, with the reason), not exceptions.

    Raises:
        ScheduleError: Bad kind, grids, levels or number.
        UnstableTimeStepError: A given ``number`` beyond the stability limit without
            ``allow_unstable``.
        WorkTooLargeError: The planned levels exceed ``LONG_RUN_UPDATES`` point updates
            without ``allow_long`` (refused before any level runs).
    """
    _check_kind(kind)
    tableau = get_tableau(stepper)
    _check_study_numbers(t_final, levels, number, expected, tolerance)
    _check_fractions(time_error_ratio, agreement)
    if kind == "time":
        if grids is not None:
            raise ScheduleError("a temporal study keeps the problem's grid; do not pass grids")
        if isinstance(levels, bool) or not isinstance(levels, int) or levels < 2:
            raise ScheduleError(f"levels must be an integer >= 2, got {levels!r}")
        sizes = (problem.grid.n,) * levels
    else:
        sizes = _check_grids(DEFAULT_GRIDS if grids is None else grids)
    if u0 is None:
        u0 = default_initial_condition(problem)
    elif isinstance(u0, str):
        u0 = initial_condition(u0, grid=problem.grid)
    if not callable(u0):
        raise InitialConditionError("a convergence study needs the initial condition as a "
                                    "function of x (it is sampled on every grid)")
    problems = [problem] * len(sizes) if kind == "time" else [_with_grid(problem, n)
                                                               for n in sizes]
    if not problem.is_linear:
        # One velocity range for every level: that of the data sampled on all the grids.
        samples = np.concatenate([initial_values(u0, q.grid).ravel() for q in problems])
        problems = [q.for_state(samples, t_final) for q in problems]
    p_natural = expected_order(problems[0], tableau, kind)
    p_expected = p_natural if expected is None else expected
    notes: list[str] = []
    p_schedule = p_expected
    if kind == "space" and p_expected > max(p_natural, 1):
        # dt ∝ h**(p / r) for an order the operator does not claim asks for absurdly small
        # steps; the per-level time-error check still holds the time error to its share.
        p_schedule = max(p_natural, 1)
        notes.append(f"dt is refined as for the operator's verified order {p_schedule}, not "
                     f"the expected order {p_expected:g}; each level's time error is still "
                     f"checked against {time_error_ratio:g} of its spatial error")
    consistency = [] if kind == "time" else operator_warnings(problems[0])
    runs = [_Level(q.grid.n, q.grid.h) for q in problems]
    description = f"{problem.describe().split(' of ')[0]} with " + ", ".join(
        operator_label(op) for op in _operators(problem)) + f"; {tableau.name}, t = {t_final:g}"

    def report(level: _Level) -> None:
        if progress is not None:
            outcome = level.failure or (f"L2 error {level.errors['l2']:.3e}, max error "
                                        f"{level.errors['linf']:.3e}")
            progress(f"{kind} study level n = {level.n}, dt = {level.dt:.4g}: {outcome}")

    try:
        if kind == "time":
            level_notes = _time_levels(problems[0], u0, t_final, tableau.name, number,
                                       allow_unstable, allow_long, runs, report)
        else:
            level_notes = _grid_levels(problems, u0, t_final, tableau.name, kind, number,
                                       p_schedule, (time_error_ratio, floor), allow_unstable,
                                       allow_long, runs, report)
    except NoStableTimeStepError as exc:
        return _no_stable_step(kind, description, tableau.name, runs, p_expected, tolerance,
                               " ".join(str(exc).split()), consistency, agreement)
    return _assemble(kind, description, tableau.name, runs, p_expected, tolerance, floor,
                     [*notes, *merge_notes(level_notes)], consistency, agreement)


def _no_stable_step(kind: str, description: str, stepper: str, runs: list[_Level], p: int,
                    tolerance: float, reason: str, consistency: list[str],
                    agreement: float) -> ConvergenceStudy:
    nan_list = tuple(math.nan for _ in runs)
    why = "; ".join([*consistency, reason])
    return ConvergenceStudy(
        kind, description, stepper, tuple(r.n for r in runs), tuple(r.h for r in runs),
        nan_list, {k: nan_list for k in NORMS},
        {k: nan_list[1:] for k in NORMS}, {k: math.nan for k in NORMS},
        {k: math.nan for k in NORMS}, (0, 0), p, False, False, tolerance,
        f"does not converge: {why}", "semi-discrete" if kind == "time" else "exact",
        verdict="does not converge", agreement=agreement,
    )


def _assemble(kind: str, description: str, stepper: str, runs: list[_Level], p: int,
              tolerance: float, floor: float, notes: list[str],
              consistency: list[str], agreement: float) -> ConvergenceStudy:
    steps = [r.dt if kind == "time" else r.h for r in runs]
    errors = {k: tuple(r.errors[k] for r in runs) for k in NORMS}
    scale = {k: next((r.scale[k] for r in reversed(runs) if math.isfinite(r.scale[k])),
                     math.nan) for k in NORMS}
    orders = {k: tuple(pairwise_orders(steps, errors[k])) for k in NORMS}
    labels = [f"dt = {r.dt:.4g}" if kind == "time" else f"n = {r.n}" for r in runs]
    first, last, cut = asymptotic_range(steps, errors, scale, floor, labels, agreement)
    notes = [*cut, *notes]
    if last > first:
        fitted = {k: fitted_order(steps[first:last + 1], errors[k][first:last + 1])
                  for k in NORMS}
        mean = {k: float(np.mean(orders[k][first:last])) for k in NORMS}
    else:
        fitted = {k: math.nan for k in NORMS}
        mean = {k: math.nan for k in NORMS}
    failures = [r.failure for r in runs if r.failure]
    low = min(fitted.values()) if last > first else math.nan
    conclusive = last - first + 1 >= MIN_VERDICT_GRIDS
    if failures:
        verdict = "does not converge"
        reason = (f"does not converge: the run blew up on {len(failures)} of {len(runs)} levels "
                  f"({failures[0]})")
        if consistency:
            reason += "; cause: " + "; ".join(consistency)
    elif consistency:
        verdict = "does not converge"
        reason = (f"does not converge (fitted order {_fmt(low, '.2f')}): "
                  + "; ".join(consistency))
    elif not conclusive:
        verdict = "inconclusive: refine"
        reason = _inconclusive_reason(orders, first, last, agreement, p)
    elif not (low >= MIN_ORDER):
        verdict = "does not converge"
        reason = (f"does not converge: the fitted order {_fmt(low, '.2f')} is below "
                  f"{MIN_ORDER:g}, the errors do not shrink under refinement")
    else:
        verdict = _verdict(fitted, p, tolerance)
        reason = _order_reason(verdict, fitted, p, tolerance, orders, first, last)
    if verdict == "inconclusive: refine":
        tail = [orders[k][i] for k in NORMS for i in (last - 2, last - 1) if i >= 0]
        converges = len(tail) == 2 * len(NORMS) and all(v >= MIN_ORDER for v in tail)
    else:
        converges = verdict in ("met", "above expected", "not met")
    return ConvergenceStudy(
        kind, description, stepper, tuple(r.n for r in runs), tuple(r.h for r in runs),
        tuple(r.dt for r in runs), errors, orders, fitted, mean, (first, last), p, converges,
        verdict == "met", tolerance, reason, "semi-discrete" if kind == "time" else "exact",
        tuple(r.time_error for r in runs) if kind == "space" else (), tuple(notes), scale,
        verdict, agreement, tuple(r.time_share for r in runs) if kind == "space" else (),
    )
