"""``learned-ops simulate``: run advection, heat or Burgers with an operator and check it.

The run uses :func:`solvers.solve`; the final state is compared with the exact solution and
with the independent scipy reference (classical finite differences + ``solve_ivp``), and the
reference itself with the exact solution, so a reader sees how much of the error is the
operator's. Glue only: the numerics live in ``solvers``, the runs in
:mod:`learned_ops.cli.simulate_runs`, the default time step in
:mod:`learned_ops.cli.simulate_dt`, the table and plot in :mod:`learned_ops.cli.simulate_report`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any

from learned_ops.cli.equations import (
    DOMAIN,
    EQUATIONS,
    add_equation_argument,
    add_equation_options,
    equation_values,
)
from learned_ops.cli.options import check_initial_condition, check_steps, refuse
from learned_ops.cli.shared_options import add_shared, check_plot_target
from learned_ops.cli.simulate_dt import default_dt
from learned_ops.cli.simulate_report import finite, plot_final_state, table
from learned_ops.cli.simulate_runs import exact_final, reference_final, semidiscrete, solve_once
from learned_ops.cli.simulate_save import add_save_options, check_save_targets, write_outputs
from learned_ops.cli.two_d import add_dims_options, simulate_2d

__all__ = ["register", "run"]

_COMMAND = "simulate"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` subcommand."""
    p = subparsers.add_parser(
        "simulate",
        help="run advection, heat or burgers with an operator; compare with exact and scipy "
             "solutions",
        description=(
            "Solve u_t + a u_x = 0 (advection), u_t = nu u_xx (heat) or u_t + (u^2/2)_x =\n"
            "nu u_xx (burgers) on [-2, 2) with given derivative operators and an explicit\n"
            "Runge-Kutta stepper, then print the errors of the result against the exact\n"
            "solution and against an independent scipy reference (classical finite\n"
            "differences + solve_ivp), and the reference's own error.\n"
            "OPERATOR is a pretrained name, an operator file (*.json) or fd:M:OFFSETS. For heat\n"
            "give a second-derivative operator, or two first-derivative ones (composed). For\n"
            "burgers --operator is the flux's first-derivative operator and\n"
            "--diffusion-operator the viscous term's (default: --operator composed with itself).\n"
            "--courant C means dt = C h / |a| (advection), dt = C h**2 / nu (heat) or\n"
            "dt = C h / max|u0| (burgers). Without\n"
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
    add_equation_argument(p)
    add_shared(p, _COMMAND, "--operator")
    p.add_argument("--n", type=int, default=200, help="grid nodes (default 200)")
    add_shared(p, _COMMAND, "--t-final", "--stepper")
    step = p.add_mutually_exclusive_group()
    step.add_argument("--dt", type=float, help="time step")
    step.add_argument("--courant", type=float, metavar="C",
                      help="Courant number (advection) or diffusion number (heat)")
    add_shared(p, _COMMAND, "--ic")
    p.add_argument("--seed", type=int, help="seed of the sinusoid (default 0)")
    add_equation_options(p, _COMMAND)
    add_shared(p, _COMMAND, "--boundary", "--allow-unstable", "--allow-long", "--plot", "--force",
               "--json", "--quiet")
    add_save_options(p)
    add_dims_options(p, ny=True)
    p.set_defaults(handler=run)


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options the run would ignore; fill in the seed's default."""
    if args.ic is None:
        args.ic = EQUATIONS[args.equation].default_ic
    check_initial_condition(args.ic)
    is_sinusoid = args.ic.strip().lower() == "sinusoid"
    if args.seed is not None and not is_sinusoid:
        refuse(f"--seed only applies to --ic sinusoid, not to --ic {args.ic}")
    if args.allow_unstable and args.dt is None and args.courant is None:
        refuse("--allow-unstable needs --dt or --courant: the default dt is already stable")
    args.seed = 0 if args.seed is None else args.seed
    args.t_final = EQUATIONS[args.equation].t_final if args.t_final is None else args.t_final


def _check_dt(args: argparse.Namespace, problem: Any) -> None:
    """Refuse a --dt / --courant that rounds to zero or overflows the step count."""
    t_final = args.t_final
    if not (t_final > 0 and math.isfinite(t_final)):
        return  # the solver's own message names t_final
    if args.dt is not None and math.isfinite(args.dt) and args.dt >= 0:
        check_steps(t_final, args.dt, "--dt", args.dt)
    if args.courant is not None and math.isfinite(args.courant) and args.courant > 0:
        check_steps(t_final, problem.dt_for_number(args.courant), "--courant", args.courant)


def _error_norms(a: Any, b: Any, h: float) -> dict[str, float] | None:
    """L2, max and relative L2 distance of two states, or None when one is missing."""
    import solvers

    if a is None or b is None:
        return None
    e = solvers.error_norms(a, b, h)
    return {"l2": e.l2, "linf": e.linf, "rel_l2": e.rel_l2}


def run(args: argparse.Namespace) -> int:
    """Handle ``learned-ops simulate``."""
    import solvers
    from solvers.reference import problem_reference_accuracy

    started = time.perf_counter()
    check_plot_target(args.plot, overwrite=args.force)  # before the run
    check_save_targets(args)
    if args.dims == 2:
        return simulate_2d(args)
    _check_options(args)
    equation = EQUATIONS[args.equation]
    values = equation_values(args)
    operator, notes = equation.operator(args.operator, values)
    grid = solvers.Grid(args.n, *DOMAIN, args.boundary)
    ic = equation.initial_condition(args.ic, values, seed=args.seed, grid=grid)
    problem = equation.problem(values, operator, grid, ic)
    # A nonlinear problem's velocity scale (what --courant means) comes from the data.
    problem = problem.for_state(solvers.initial_values(ic, grid), args.t_final)
    _check_dt(args, problem)
    solution, warned = solve_once(args, problem, ic, args.dt)
    notes += warned
    if solution.info.steps == 0:
        refuse(f"--t-final {args.t_final:g} is too short for a single time step (the solver "
               "treats times within 1e-12 of each other as equal); give a longer --t-final")
    exact, missing = exact_final(problem, ic, solution.times[-1:])
    semi, unestimated = semidiscrete(problem, ic, solution.t_final)
    solution, time_error, rerun_notes = default_dt(args, problem, ic, solution, exact, semi)
    reference, no_reference = reference_final(problem, ic, solution.t_final, quiet=args.quiet)
    notes = list(dict.fromkeys((*notes, *missing, *unestimated, *rerun_notes, *no_reference)))
    h = problem.grid.h
    info = solution.info
    result = {
        "equation": args.equation,
        "operator": equation.label(operator),
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
        "reference_accuracy": problem_reference_accuracy(problem),
        "errors": {"analytic": _error_norms(solution.final, exact, h),
                   "reference": _error_norms(solution.final, reference, h)},
        "reference_errors": _error_norms(reference, exact, h),
        "problem": equation.describe(values, solution.t_final, args.boundary),
        "time_error": time_error,
        "warnings": notes,
        "seconds": time.perf_counter() - started,
    }
    if args.plot:
        plot_final_state(args.plot, solution, exact, reference,
                         f"{result['problem']}; {result['operator']}", overwrite=args.force)
        result["plot"] = args.plot
    result.update(write_outputs(args, solution, problem, ic, result))
    if not args.quiet:
        for note in notes:
            print(f"warning: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(finite(result)))
    else:
        print(table(result))
    return 0
