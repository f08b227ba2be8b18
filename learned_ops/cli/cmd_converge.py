"""``learned-ops converge``: measure the convergence order of an operator and a stepper.

Glue only: the study lives in :mod:`solvers.convergence`, the plot in
:mod:`solvers.convergence_plot`, the equations in :mod:`learned_ops.cli.equations`. The table
(or one JSON object) goes to stdout; progress and notes go to stderr unless ``--quiet``. A
study that does not converge is a result (exit 0), unless ``--strict`` asks for exit 1 when the
verdict is not "met" (above or below the expected order, inconclusive, or not converging).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
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
from learned_ops.cli.two_d import add_dims_options, converge_2d

__all__ = ["register", "run"]

_COMMAND = "converge"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``converge`` subcommand."""
    p = subparsers.add_parser(
        "converge",
        help="measure the convergence order of an operator / stepper under refinement",
        description=(
            "Run a convergence study of u_t + a u_x = 0 (advection) or u_t = nu u_xx (heat) on\n"
            "[-2, 2) with a derivative operator and an explicit Runge-Kutta stepper, and print\n"
            "the table n | h | dt | error | order (L2 and max norms) with fitted and mean\n"
            "orders over the asymptotic range, the expected order and a verdict. The range is\n"
            "the longest run of consecutive pairwise orders that agree within --agreement (or\n"
            "3% of the order) in both norms, the finest on ties. Verdict: met (both fitted\n"
            "orders within --tolerance of the expected order), above expected (pre-asymptotic,\n"
            "or an operator better than claimed; not met), not met, inconclusive: refine (fewer\n"
            "than 3 grids in the run), or does not converge.\n"
            "Kinds: space (grids refined, time error <= 1% of the spatial error), time (fixed\n"
            "grid --n, dt halved --levels times, errors against the exact semi-discrete\n"
            "solution), coupled (grids refined at a fixed Courant / diffusion number\n"
            "--number).\n"
            "OPERATOR is a pretrained name, an operator file (*.json) or fd:M:OFFSETS; for heat a\n"
            "second-derivative operator or one / two first-derivative ones (composed).\n"
            "An inconsistent operator or a run that blows up is reported as not converging,\n"
            "with the reason (exit 0; --strict exits 1 unless the verdict is met)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  learned-ops converge advection --operator fd:1:-2,-1,0,1,2\n"
            "  learned-ops converge heat --operator fd:2:-1,0,1 --grids 50,100,200,400\n"
            "  learned-ops converge advection --operator fd:1:-1,0 --kind coupled "
            "--stepper euler --ic mode:1\n"
            "  learned-ops converge advection --operator fd:1:-1,0 --kind time --stepper ssprk3\n"
            "  learned-ops converge heat --operator fd:2:-2,-1,0,1,2 --boundary bounded "
            "--plot heat.png --json"
        ),
    )
    add_equation_argument(p)
    add_shared(p, _COMMAND, "--operator")
    p.add_argument("--grids", metavar="N,N,...",
                   help="nodes per level for space / coupled studies (default "
                        "50,100,200,400,800)")
    p.add_argument("--kind", choices=("space", "time", "coupled"), default="space",
                   help="space (default), time or coupled")
    add_shared(p, _COMMAND, "--stepper")
    p.add_argument("--number", type=float, metavar="C",
                   help="Courant number (advection) or diffusion number (heat): of every level "
                        "(coupled), the coarsest (space) or the first (time); default a "
                        "fraction of the stability limit")
    p.add_argument("--n", type=int, help="grid of a time study (default 200)")
    p.add_argument("--levels", type=int, help="dt levels of a time study (default 5)")
    add_shared(p, _COMMAND, "--t-final")
    add_equation_options(p, _COMMAND)
    add_shared(p, _COMMAND, "--boundary", "--ic")
    p.add_argument("--expected", type=int, metavar="P",
                   help="expected order (default: from the operator's verified accuracy "
                        "order and the stepper's order)")
    p.add_argument("--tolerance", type=float, default=0.1,
                   help="how far from the expected order, either way, the fitted one may be "
                        "for 'met' (default 0.1)")
    p.add_argument("--agreement", type=float, default=0.1,
                   help="pairwise orders agree when their spread is at most this (or 3%% of "
                        "the order); the fit uses the longest agreeing run (default 0.1)")
    add_shared(p, _COMMAND, "--allow-unstable", "--allow-long")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 unless the verdict is 'met'")
    add_shared(p, _COMMAND, "--plot", "--force", "--json", "--quiet")
    add_dims_options(p, ny=False)
    p.set_defaults(handler=run)


def _grids(text: str | None, kind: str) -> tuple[int, ...] | None:
    from solvers import ScheduleError

    if text is None:
        return None
    if kind == "time":
        raise ScheduleError("--grids is for space and coupled studies; a time study uses --n "
                            "and --levels")
    try:
        return tuple(int(t) for t in text.split(","))
    except ValueError:
        raise ScheduleError(
            f"--grids {text}: expected comma-separated integers, e.g. 50,100,200,400"
        ) from None


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options the study would ignore; fill in the time study's defaults."""
    if args.kind != "time":
        for option, value in (("--n", args.n), ("--levels", args.levels)):
            if value is not None:
                refuse(f"{option} is for a time study (--kind time); a {args.kind} study "
                       "refines the grids of --grids")
    if args.allow_unstable and args.number is None:
        refuse("--allow-unstable needs --number: without it every level runs at a stable "
               "fraction of the limit")
    check_initial_condition(args.ic)
    args.n = 200 if args.n is None else args.n
    args.levels = 5 if args.levels is None else args.levels


def _plot(path: str, study: Any, *, overwrite: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from learned_ops.atomic import atomic_path
    from solvers import plot_convergence

    fig = plot_convergence(study)
    try:
        with atomic_path(path, overwrite=overwrite) as tmp:
            fig.savefig(tmp, dpi=120)
    finally:
        plt.close(fig)


def run(args: argparse.Namespace) -> int:
    """Handle ``learned-ops converge``."""
    import solvers

    check_plot_target(args.plot, overwrite=args.force)  # before the study
    if args.dims == 2:
        return converge_2d(args)
    _check_options(args)
    equation = EQUATIONS[args.equation]
    values = equation_values(args)
    grids = _grids(args.grids, args.kind)
    operator, _ = equation.operator(args.operator, values)  # notes: the study says its own
    probe = solvers.Grid(max(args.n, 3), *DOMAIN, args.boundary)
    ic = None if args.ic is None else equation.initial_condition(args.ic, values, grid=probe)
    grid = solvers.Grid(args.n if args.kind == "time" else 50, *DOMAIN, args.boundary)
    problem = equation.problem(values, operator, grid, ic)
    t_final = equation.t_final if args.t_final is None else args.t_final
    if args.number is not None and args.number > 0 and math.isfinite(args.number):
        start = ic if ic is not None else solvers.default_initial_condition(problem)
        scaled = problem.for_state(solvers.initial_values(start, grid), t_final)
        check_steps(t_final, scaled.dt_for_number(args.number), "--number", args.number)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    study = solvers.convergence_study(
        problem, t_final, ic, kind=args.kind, grids=grids, levels=args.levels,
        stepper=args.stepper, number=args.number, expected=args.expected,
        tolerance=args.tolerance, allow_unstable=args.allow_unstable,
        progress=None if args.quiet else say, agreement=args.agreement,
        allow_long=args.allow_long,
    )
    result = study.to_dict()
    result["problem"] = equation.describe(values, t_final, args.boundary)
    if args.plot:
        _plot(args.plot, study, overwrite=args.force)
        result["plot"] = args.plot
    if not args.quiet:
        for note in study.notes:
            say(f"note: {note}")
    if args.json:
        print(json.dumps(result))
    else:
        print(f"problem: {result['problem']}")
        print(study.table())
    return 1 if args.strict and not study.meets_expected else 0
