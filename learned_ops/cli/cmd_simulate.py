"""``learned-ops simulate``: run advection or heat with an operator and check it.

The run uses :func:`solvers.solve`; the final state is compared with the exact solution and
with the independent scipy reference (classical finite differences + ``solve_ivp``), and the
reference itself with the exact solution, so a reader sees how much of the error is the
operator's. Glue only: the numerics live in ``solvers``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from learned_ops.cli.defaults import (
    DIFFUSIVITY,
    T_FINAL,
    TIME_ERROR_SHARE,
    VELOCITY,
    describe_problem,
)
from learned_ops.cli.options import check_initial_condition, check_steps, refuse

__all__ = ["register", "run"]

_PLOT_SUFFIXES = (".png", ".pdf", ".svg")
_EQUATIONS = ("advection", "heat")
_SEMIDISCRETE_MAX_N = {"periodic": 2_000_000, "bounded": 20_000}
_REFINE_WORK = 1e9  # point updates a default run may grow to while its dt is reduced
_MAX_REFINE = 64  # the default dt is at most this much smaller than 0.9 x the limit


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` subcommand."""
    p = subparsers.add_parser(
        "simulate",
        help="run advection or heat with an operator; compare with exact and scipy solutions",
        description=(
            "Solve u_t + a u_x = 0 (advection) or u_t = nu u_xx (heat) on [-2, 2) with a given\n"
            "derivative operator and an explicit Runge-Kutta stepper, then print the errors of\n"
            "the result against the exact solution and against an independent scipy reference\n"
            "(classical finite differences + solve_ivp), and the reference's own error.\n"
            "OPERATOR is a pretrained name, an operator file (*.json) or fd:M:OFFSETS. For heat\n"
            "give a second-derivative operator, or two first-derivative ones (composed).\n"
            "--courant C means dt = C h / |a| (advection) or dt = C h**2 / nu (heat). Without\n"
            "--dt/--courant dt starts at 0.9 x the stability limit and is reduced until the\n"
            "time error (ours against the exact semi-discrete solution) is <= 1% of the error,\n"
            "so the error shown is the operator's; the table says what share is time error.\n"
            "A dt beyond the limit is refused (exit 2) unless --allow-unstable."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  learned-ops simulate advection --operator fd:1:-1,0,1 --courant 0.5\n"
            "  learned-ops simulate heat --operator fd:2:-1,0,1 --stepper euler --courant 0.4\n"
            "  learned-ops simulate heat --operator fd:1:0,1 --operator fd:1:-1,0 --json\n"
            "  learned-ops simulate heat --operator fd:2:-1,0,1 --boundary bounded --ic bump"
        ),
    )
    p.add_argument("equation", choices=_EQUATIONS, help="advection or heat")
    p.add_argument("--operator", action="append", required=True, metavar="OPERATOR",
                   help="name, file or fd:M:OFFSETS (heat: give two first-derivative "
                        "operators to compose them)")
    p.add_argument("--n", type=int, default=200, help="grid nodes (default 200)")
    p.add_argument("--t-final", type=float, default=None,
                   help="final time (default 1, the same problem as converge and demo)")
    p.add_argument("--stepper", default="rk4",
                   help="euler, heun (ssprk2), ssprk3 or rk4 (default rk4)")
    step = p.add_mutually_exclusive_group()
    step.add_argument("--dt", type=float, help="time step")
    step.add_argument("--courant", type=float, metavar="C",
                      help="Courant number (advection) or diffusion number (heat)")
    p.add_argument("--ic", default="sinusoid",
                   help="initial condition: sinusoid (seeded seed family), mode[:K], bump "
                        "(default sinusoid)")
    p.add_argument("--seed", type=int, help="seed of the sinusoid (default 0)")
    p.add_argument("--velocity", type=float, default=VELOCITY,
                   help=f"advection velocity a (default {VELOCITY:g})")
    p.add_argument("--diffusivity", type=float, default=DIFFUSIVITY,
                   help=f"heat diffusivity nu (default {DIFFUSIVITY:g})")
    p.add_argument("--boundary", choices=("periodic", "bounded"), default="periodic",
                   help="periodic, or bounded: Dirichlet ends (heat) / inflow (advection), "
                        "values taken from the initial condition")
    p.add_argument("--allow-unstable", action="store_true",
                   help="run even with a dt beyond the stability limit")
    p.add_argument("--allow-long", action="store_true",
                   help="run even when the estimated work is over half an hour (2e12 point "
                        "updates); without it such a run is refused up front with the estimate")
    p.add_argument("--plot", metavar="FILE.png", help="plot the final state to FILE")
    p.add_argument("--force", action="store_true", help="overwrite an existing --plot file")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress or warnings on stderr")
    p.set_defaults(handler=run)


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options the run would ignore; fill in the seed's default."""
    check_initial_condition(args.ic)
    is_sinusoid = args.ic.strip().lower() == "sinusoid"
    if args.seed is not None and not is_sinusoid:
        refuse(f"--seed only applies to --ic sinusoid, not to --ic {args.ic}")
    if args.allow_unstable and args.dt is None and args.courant is None:
        refuse("--allow-unstable needs --dt or --courant: the default dt is already stable")
    args.seed = 0 if args.seed is None else args.seed
    args.t_final = T_FINAL[args.equation] if args.t_final is None else args.t_final


def _check_dt(args: argparse.Namespace, problem: Any) -> None:
    """Refuse a --dt / --courant that rounds to zero or overflows the step count."""
    t_final = args.t_final
    if not (t_final > 0 and math.isfinite(t_final)):
        return  # the solver's own message names t_final
    if args.dt is not None and math.isfinite(args.dt) and args.dt >= 0:
        check_steps(t_final, args.dt, "--dt", args.dt)
    if args.courant is not None and math.isfinite(args.courant) and args.courant > 0:
        check_steps(t_final, problem.dt_for_number(args.courant), "--courant", args.courant)


def _operators(args: argparse.Namespace, notes: list[str]) -> Any:
    from learned_ops.cli.common import equation_operator

    return equation_operator(args.equation, args.operator, notes)


def _problem(args: argparse.Namespace, operator: Any, ic: Any) -> Any:
    import solvers

    kind = args.boundary
    grid = solvers.Grid(args.n, -2.0, 2.0, kind)
    ends = solvers.initial_values(ic, grid)[[0, -1]] if kind == "bounded" else (0.0, 0.0)
    if args.equation == "advection":
        inflow = float(ends[0] if args.velocity > 0 else ends[1])
        return solvers.Advection(args.velocity, operator, grid, inflow=inflow)
    return solvers.Heat(args.diffusivity, operator, grid, dirichlet=(float(ends[0]),
                                                                      float(ends[1])))


def _reference(problem: Any, ic: Any, times: Any, notes: list[str], *,
               quiet: bool = False) -> Any:
    import solvers

    def say(t: float, t_final: float) -> None:
        print(f"scipy reference: t = {t:.6g} / {t_final:.6g} ({100 * t / t_final:.0f}%)",
              file=sys.stderr, flush=True)

    try:
        return solvers.reference_solution(problem, ic, times,
                                          progress=None if quiet else say)[-1]
    except solvers.ReferenceSolverError as exc:
        notes.append(f"no scipy reference: {exc}")
        return None


def _plot(
    path: str, solution: Any, exact: Any, reference: Any, title: str, *, overwrite: bool
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from learned_ops.atomic import atomic_path

    fig, ax = plt.subplots(figsize=(7, 4))
    try:
        ax.plot(solution.x, solution.snapshots[0], color="0.7", lw=1, label="initial")
        if exact is not None:
            ax.plot(solution.x, exact, "k-", lw=1.5, label="exact")
        if reference is not None:
            ax.plot(solution.x, reference, "C1--", lw=1, label="scipy reference")
        ax.plot(solution.x, solution.final, "C0.", ms=3, label="ours")
        ax.set_xlabel("x")
        ax.set_ylabel(f"u(x, {solution.t_final:g})")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        with atomic_path(path, overwrite=overwrite) as tmp:
            fig.savefig(tmp)
    finally:
        plt.close(fig)


def _coefficient(args: argparse.Namespace) -> float:
    """The velocity (advection) or the diffusivity (heat)."""
    return args.velocity if args.equation == "advection" else args.diffusivity


def _solve(args: argparse.Namespace, problem: Any, ic: Any, dt: float | None,
           notes: list[str]) -> Any:
    """One :func:`solvers.solve` run; its warnings are added to ``notes`` once each."""
    import solvers

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = solvers.solve(
            problem, ic, args.t_final, stepper=args.stepper, dt=dt,
            courant=args.courant if dt is None else None,
            allow_unstable=args.allow_unstable, progress=not args.quiet,
            allow_long=args.allow_long,
        )
    for warning in caught:
        message = str(warning.message)
        if issubclass(warning.category, UserWarning) and message not in notes:
            notes.append(message)
    return solution


def _semidiscrete(problem: Any, ic: Any, t_final: float, notes: list[str]) -> Any:
    """The exact solution of the semi-discrete system (no time error), or None if too big."""
    import solvers

    kind = "periodic" if problem.grid.is_periodic else "bounded"
    limit = _SEMIDISCRETE_MAX_N[kind]
    if problem.grid.n > limit:
        notes.append(f"time error not estimated: the exact semi-discrete solution is computed "
                     f"only up to n = {limit:,} on a {kind} grid")
        return None
    try:
        return solvers.semidiscrete_solution(problem, ic, t_final)
    except solvers.SolverError as exc:
        notes.append(f"time error not estimated: {exc}")
        return None


def _time_error(problem: Any, final: Any, exact: Any, semi: Any) -> dict[str, Any] | None:
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


def _percent(share: float) -> str:
    """A share as a percentage: two significant digits, no exponent."""
    value = 100.0 * share
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def _small_enough(error: dict[str, Any]) -> bool:
    return (error["l2"] <= TIME_ERROR_SHARE * error["space_l2"]
            or (error["share"] is not None and error["share"] <= TIME_ERROR_SHARE))


def _default_dt(args: argparse.Namespace, problem: Any, ic: Any, solution: Any, exact: Any,
                semi: Any, notes: list[str]) -> tuple[Any, dict[str, Any] | None]:
    """Without --dt / --courant: shrink dt until the time error is <= 1% of the error.

    The first run uses 0.9 x the stability limit. Its time error (against the exact
    semi-discrete solution) is compared with the spatial error (the semi-discrete solution
    against the exact one); while it is above ``TIME_ERROR_SHARE`` of it, dt is cut by the
    factor the stepper's order predicts (at least 2x) and the run repeated, at most 64x
    smaller than the first dt and within ``_REFINE_WORK`` point updates.
    """
    import solvers

    error = _time_error(problem, solution.final, exact, semi)
    given = args.dt is not None or args.courant is not None
    if error is None or given or error["space_l2"] is None:
        if error is not None:
            error["dt_choice"] = "given" if given else "default"
        return solution, error
    first, first_share = solution.info.dt, error["share"]
    order = solvers.get_tableau(args.stepper).order
    budget = max(_REFINE_WORK, 4.0 * problem.grid.n * solution.info.steps)
    dt = first
    while not _small_enough(error) and dt > first / _MAX_REFINE * (1 + 1e-9):
        wanted = 0.5 * TIME_ERROR_SHARE * error["space_l2"] / error["l2"]
        dt = max(dt * min(0.5, wanted ** (1.0 / order)), first / _MAX_REFINE)
        if problem.grid.n * args.t_final / dt > budget:
            notes.append(f"the default dt leaves the time error at {_percent(error['share'])}% "
                         "of the error; a smaller one would make the run long: give --courant "
                         "or --dt to choose")
            break
        if not args.quiet:
            print(f"time error {_percent(error['share'])}% of the error: rerunning with "
                  f"dt = {dt:.4g}", file=sys.stderr, flush=True)
        solution = _solve(args, problem, ic, dt, notes)
        error = _time_error(problem, solution.final, exact, semi)
    error["dt_choice"] = "default" if dt == first else "reduced"
    error["first_dt"], error["first_share"] = first, first_share
    return solution, error


def _time_line(result: dict[str, Any]) -> list[str]:
    """The time-error lines of the table."""
    error = result["time_error"]
    if error is None:
        return []
    if error["share"] is None:
        return [f"time error: L2 {error['l2']:.3e} against the exact semi-discrete solution "
                "(no exact solution, so no share)"]
    lines = [f"time error: {_percent(error['share'])}% of the error (L2 {error['l2']:.3e} of "
             f"{error['total_l2']:.3e}; ours against the exact semi-discrete solution)"]
    if error["dt_choice"] == "reduced":
        lines.append(f"default dt: 0.9 x the stability limit (dt = {error['first_dt']:.4g}) "
                     f"gave {_percent(error['first_share'])}% time error; dt reduced so the "
                     f"time error is <= {100 * TIME_ERROR_SHARE:g}% of the error")
    return lines


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3e}"


def _table(result: dict[str, Any]) -> str:
    rows = [
        ("ours vs exact", result["errors"]["analytic"]),
        ("reference vs exact", result["reference_errors"]),
        ("ours vs reference", result["errors"]["reference"]),
    ]
    diff = None
    if result["errors"]["analytic"] and result["reference_errors"]:
        diff = {k: result["errors"]["analytic"][k] - result["reference_errors"][k]
                for k in ("l2", "linf", "rel_l2")}
    rows.append(("difference (ours - ref)", diff))
    lines = [
        f"{result['equation']} with {result['operator']}: n = {result['n']}, "
        f"t_final = {result['t_final']:g}, {result['stepper']}, dt = {result['dt']:.4g} "
        f"({result['number_name']} {result['number']:.4g}; limit {result['number_limit']:.4g}), "
        f"{result['steps']} steps, {result['seconds']:.2f} s",
        f"problem: {result['problem']}; u0 = {result['ic']}"
        + (f" (seed {result['seed']})" if result["ic"].strip().lower() == "sinusoid" else ""),
        f"{'errors at t_final':<26}{'L2':>12}{'max':>12}{'rel L2':>12}",
    ]
    for label, err in rows:
        vals = [None] * 3 if err is None else [err["l2"], err["linf"], err["rel_l2"]]
        lines.append(f"{label:<26}" + "".join(f"{_fmt(v):>12}" for v in vals))
    return "\n".join(lines + _time_line(result))


def _finite(obj: Any) -> Any:
    """JSON-safe: inf and nan become None."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


def run(args: argparse.Namespace) -> int:
    """Handle ``learned-ops simulate``."""
    import solvers

    started = time.perf_counter()
    if args.plot and Path(args.plot).suffix.lower() not in _PLOT_SUFFIXES:
        raise solvers.SolverError(
            f"--plot {args.plot}: use a file name ending in {', '.join(_PLOT_SUFFIXES)}"
        )
    if args.plot:
        from learned_ops.atomic import check_target

        check_target(args.plot, overwrite=args.force, probe=True)  # before the run
    _check_options(args)
    notes: list[str] = []
    operator = _operators(args, notes)
    grid_probe = solvers.Grid(args.n, -2.0, 2.0, args.boundary)
    ic = solvers.initial_condition(args.ic, seed=args.seed, grid=grid_probe)
    problem = _problem(args, operator, ic)
    _check_dt(args, problem)
    solution = _solve(args, problem, ic, args.dt, notes)
    if solution.info.steps == 0:
        refuse(f"--t-final {args.t_final:g} is too short for a single time step (the solver "
               "treats times within 1e-12 of each other as equal); give a longer --t-final")
    try:
        exact = solvers.exact_solution(problem, ic, solution.times[-1:])[-1]
    except solvers.ProblemError as exc:
        notes.append(f"no exact solution: {exc}")
        exact = None
    semi = _semidiscrete(problem, ic, solution.t_final, notes)
    solution, time_error = _default_dt(args, problem, ic, solution, exact, semi, notes)
    reference = _reference(problem, ic, [0.0, solution.t_final], notes, quiet=args.quiet)
    h = problem.grid.h

    def err(a: Any, b: Any) -> dict[str, float] | None:
        if a is None or b is None:
            return None
        e = solvers.error_norms(a, b, h)
        return {"l2": e.l2, "linf": e.linf, "rel_l2": e.rel_l2}

    info = solution.info
    names = [getattr(o, "name", "") for o in (operator if isinstance(operator, tuple)
                                               else (operator,))]
    result = {
        "equation": args.equation,
        "operator": " o ".join(names),
        "boundary": args.boundary,
        "ic": args.ic,
        "seed": args.seed,
        "n": args.n,
        "t_final": solution.t_final,
        "dt": info.dt,
        "steps": info.steps,
        "stepper": info.stepper,
        "number_name": info.number_name,
        "number": info.number,
        "number_limit": info.stability.number,
        "dt_limit": info.dt_limit,
        "stability_reason": info.stability.reason,
        "reference_accuracy": solvers.reference_accuracy(problem.operator),
        "errors": {"analytic": err(solution.final, exact),
                   "reference": err(solution.final, reference)},
        "reference_errors": err(reference, exact),
        "problem": describe_problem(args.equation, _coefficient(args), solution.t_final,
                                    args.boundary),
        "time_error": time_error,
        "warnings": notes,
        "seconds": time.perf_counter() - started,
    }
    if args.plot:
        _plot(args.plot, solution, exact, reference, f"{result['problem']}; {result['operator']}",
              overwrite=args.force)
        result["plot"] = args.plot
    if not args.quiet:
        for note in notes:
            print(f"warning: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(_finite(result)))
    else:
        print(_table(result))
    return 0
