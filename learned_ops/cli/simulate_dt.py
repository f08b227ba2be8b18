"""The default time step of ``learned-ops simulate``: small enough that the error is space's.

Without ``--dt`` / ``--courant`` the first run uses 0.9 x the stability limit; its time error
(ours against the exact semi-discrete solution) is compared with the spatial error (the
semi-discrete solution against the exact one) and dt is reduced until the time error is at most
:data:`TIME_ERROR_SHARE` of the error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from learned_ops.cli.simulate_runs import solve_once

__all__ = ["TIME_ERROR_SHARE", "default_dt", "percent", "time_error"]

TIME_ERROR_SHARE: float = 0.01
"""The default time step keeps the time error at most this share of the error."""
_REFINE_WORK = 1e9  # point updates a default run may grow to while its dt is reduced
_MAX_REFINE = 64  # the default dt is at most this much smaller than 0.9 x the limit


def percent(share: float) -> str:
    """A share as a percentage: two significant digits, no exponent."""
    value = 100.0 * share
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def time_error(problem: Any, final: Any, exact: Any, semi: Any) -> dict[str, Any] | None:
    """Our distance to the exact semi-discrete solution (the time error) and its share."""
    import solvers

    if semi is None:
        return None
    h = problem.grid.h
    time_l2 = solvers.error_norms(final, semi, h).l2
    result: dict[str, Any] = {"l2": time_l2, "share": None, "space_l2": None,
                              "total_l2": None}
    if exact is not None:
        total = solvers.error_norms(final, exact, h).l2
        result.update(total_l2=total, space_l2=solvers.error_norms(semi, exact, h).l2,
                      share=time_l2 / total if total > 0 else None)
    return result


def _small_enough(error: dict[str, Any]) -> bool:
    return (error["l2"] <= TIME_ERROR_SHARE * error["space_l2"]
            or (error["share"] is not None and error["share"] <= TIME_ERROR_SHARE))


def default_dt(args: argparse.Namespace, problem: Any, ic: Any, solution: Any, exact: Any,
               semi: Any) -> tuple[Any, dict[str, Any] | None, tuple[str, ...]]:
    """Without --dt / --courant: shrink dt until the time error is <= 1% of the error.

    While the time error is above ``TIME_ERROR_SHARE`` of the spatial error, dt is cut by the
    factor the stepper's order predicts (at least 2x) and the run repeated, at most 64x smaller
    than the first dt and within ``_REFINE_WORK`` point updates.

    Returns:
        The last solution, its time error (None without a semi-discrete solution) and the notes
        of the reruns, in order.
    """
    import solvers

    error = time_error(problem, solution.final, exact, semi)
    given = args.dt is not None or args.courant is not None
    if error is None or given or error["space_l2"] is None:
        if error is not None:
            error["dt_choice"] = "given" if given else "default"
        return solution, error, ()
    notes: list[str] = []
    first, first_share = solution.info.dt, error["share"]
    order = solvers.get_tableau(args.stepper).order
    budget = max(_REFINE_WORK, 4.0 * problem.grid.n * solution.info.steps)
    dt = first
    while not _small_enough(error) and dt > first / _MAX_REFINE * (1 + 1e-9):
        wanted = 0.5 * TIME_ERROR_SHARE * error["space_l2"] / error["l2"]
        dt = max(dt * min(0.5, wanted ** (1.0 / order)), first / _MAX_REFINE)
        if problem.grid.n * args.t_final / dt > budget:
            notes.append(f"the default dt leaves the time error at {percent(error['share'])}% "
                         "of the error; a smaller one would make the run long: give --courant "
                         "or --dt to choose")
            break
        if not args.quiet:
            print(f"time error {percent(error['share'])}% of the error: rerunning with "
                  f"dt = {dt:.4g}", file=sys.stderr, flush=True)
        solution, warned = solve_once(args, problem, ic, dt)
        notes.extend(warned)
        error = time_error(problem, solution.final, exact, semi)
    error["dt_choice"] = "default" if dt == first else "reduced"
    error["first_dt"], error["first_share"] = first, first_share
    return solution, error, tuple(notes)
