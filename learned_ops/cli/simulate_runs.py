"""The runs behind ``learned-ops simulate``: ours, the exact semi-discrete one, the reference.

Each function makes one :mod:`solvers` call and returns its result with the notes the reader
should see (a warning of the solver, or why a comparison is missing); nothing is printed here
except the scipy reference's progress.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

from learned_ops.cli.simulate_save import frame_times

__all__ = ["exact_final", "reference_final", "semidiscrete", "solve_once"]

_SEMIDISCRETE_MAX_N = {"periodic": 2_000_000, "bounded": 20_000}

Notes = tuple[str, ...]


def solve_once(args: argparse.Namespace, problem: Any, ic: Any,
               dt: float | None) -> tuple[Any, Notes]:
    """One :func:`solvers.solve` run, with its warnings (each once, in order)."""
    import solvers

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = solvers.solve(
            problem, ic, args.t_final, stepper=args.stepper, dt=dt,
            courant=args.courant if dt is None else None,
            allow_unstable=args.allow_unstable, progress=not args.quiet,
            allow_long=args.allow_long, save_times=frame_times(args),
        )
    messages = (str(w.message) for w in caught if issubclass(w.category, UserWarning))
    return solution, tuple(dict.fromkeys(messages))


def exact_final(problem: Any, ic: Any, times: Any) -> tuple[Any, Notes]:
    """The exact solution at the last of ``times``, or None (and why) when there is none."""
    import solvers

    try:
        return solvers.exact_solution(problem, ic, times)[-1], ()
    except solvers.ProblemError as exc:
        return None, (f"no exact solution: {exc}",)


def semidiscrete(problem: Any, ic: Any, t_final: float) -> tuple[Any, Notes]:
    """The exact solution of the semi-discrete system (no time error), or None if too big."""
    import solvers

    kind = "periodic" if problem.grid.is_periodic else "bounded"
    limit = _SEMIDISCRETE_MAX_N[kind]
    if problem.grid.n > limit:
        return None, (f"time error not estimated: the exact semi-discrete solution is computed "
                      f"only up to n = {limit:,} on a {kind} grid",)
    try:
        return solvers.semidiscrete_solution(problem, ic, t_final), ()
    except solvers.SolverError as exc:
        return None, (f"time error not estimated: {exc}",)


def reference_final(problem: Any, ic: Any, t_final: float, *,
                    quiet: bool = False) -> tuple[Any, Notes]:
    """The independent scipy reference at ``t_final``, or None (and why) when it failed."""
    import solvers

    def say(t: float, t_end: float) -> None:
        print(f"scipy reference: t = {t:.6g} / {t_end:.6g} ({100 * t / t_end:.0f}%)",
              file=sys.stderr, flush=True)

    try:
        return solvers.reference_solution(problem, ic, [0.0, t_final],
                                          progress=None if quiet else say)[-1], ()
    except solvers.ReferenceSolverError as exc:
        return None, (f"no scipy reference: {exc}",)
