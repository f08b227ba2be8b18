"""``simulate`` and ``converge`` with ``--dims 2``: advection and heat on a periodic 2-D grid.

Glue only: the numerics live in ``solvers`` (:mod:`solvers.problems2d`,
:mod:`solvers.stepping2d`, :mod:`solvers.analytic2d`, :mod:`solvers.reference2d`,
:mod:`solvers.convergence2d`). The same operator is applied along x and along y. The output has
the JSON keys of the 1-D commands (``n`` is nx; ``ny`` and ``dims`` are added), and ``--plot``
draws the field at t_final and its error against the exact solution as images.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from learned_ops.cli.equations import DOMAIN, EQUATIONS, equation_values
from learned_ops.cli.options import refuse

__all__ = ["add_dims_options", "converge_2d", "simulate_2d"]

DEFAULT_VELOCITY_2D = (1.0, 0.5)
DEFAULT_GRIDS_2D = (24, 32, 48, 64)
REFERENCE_MAX_NODES = 128 * 128
"""Largest grid the scipy reference runs on by default (DOP853 on nx * ny unknowns)."""
DEFAULT_FRACTION = 0.25
"""Without --dt / --courant, dt is this fraction of the stability limit."""


def add_dims_options(parser: argparse.ArgumentParser, *, ny: bool) -> None:
    """Add ``--dims`` (and ``--ny``) to a command."""
    parser.add_argument("--dims", type=int, choices=(1, 2), default=1,
                        help="1 (default) or 2: a periodic 2-D grid (advection and heat), the "
                             "operator applied along x and along y")
    if ny:
        parser.add_argument("--ny", type=int,
                            help="with --dims 2: nodes along y (default: --n)")


def _check_2d(args: argparse.Namespace, command: str) -> None:
    if args.equation not in ("advection", "heat"):
        refuse(f"--dims 2 is for advection and heat, not {args.equation}")
    if args.boundary != "periodic":
        refuse("--dims 2 grids are periodic; drop --boundary bounded")
    for flag, dest in (("--seed", "seed"), ("--save", "save"), ("--animate", "animate")):
        if getattr(args, dest, None) is not None:
            refuse(f"{flag} is not available with --dims 2 (yet)")
    if command == "converge" and args.kind != "space":
        refuse("--dims 2 studies refine both axes at a fixed --number (like --kind coupled); "
               "drop --kind")


def _problem(args: argparse.Namespace, nx: int, ny: int) -> tuple[Any, tuple[str, ...]]:
    from solvers.grid2d import Grid2D
    from solvers.problems2d import Advection2D, Heat2D

    equation = EQUATIONS[args.equation]
    values = equation_values(args)
    grid = Grid2D.periodic(nx, ny, *DOMAIN)
    if args.equation == "advection":
        velocity = DEFAULT_VELOCITY_2D if args.velocity is None else args.velocity
        if not isinstance(velocity, tuple):
            refuse("--dims 2 needs --velocity ax,ay (two numbers), e.g. --velocity 1,0.5")
        operator, notes = equation.operator(args.operator, {**values, "velocity": 1.0})
        return Advection2D(velocity, operator, grid), notes
    operator, notes = equation.operator(args.operator, values)
    return Heat2D(values["diffusivity"], operator, grid), notes


def _ic(args: argparse.Namespace) -> tuple[str, Any]:
    from solvers.initial_conditions2d import IC_NAMES_2D, initial_condition_2d

    name = "wave" if args.ic is None else args.ic
    if name.strip().lower() not in IC_NAMES_2D:
        refuse(f"--ic {name} is not available with --dims 2; choose one of "
               f"{', '.join(IC_NAMES_2D)}")
    return name, initial_condition_2d(name)


def _norms(a: Any, b: Any, grid: Any) -> dict[str, float] | None:
    import numpy as np

    if a is None or b is None:
        return None
    l2 = grid.norm(a - b)
    scale = grid.norm(b)
    return {"l2": l2, "linf": float(np.max(np.abs(a - b))),
            "rel_l2": l2 / scale if scale > 0 else None}


def _plot(path: str, grid: Any, final: Any, error: Any, title: str, *, overwrite: bool) -> None:
    """The field at t_final and its error as images with colour bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from learned_ops.atomic import atomic_path

    extent = (grid.x_axis.lower, grid.x_axis.upper, grid.y_axis.lower, grid.y_axis.upper)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    try:
        for ax, data, label, cmap in ((axes[0], final, "u at t_final", "viridis"),
                                      (axes[1], error, "error (ours - exact)", "RdBu_r")):
            limit = float(abs(data).max()) or 1.0
            image = ax.imshow(data, origin="lower", extent=extent, cmap=cmap,
                              vmin=-limit if cmap == "RdBu_r" else None,
                              vmax=limit if cmap == "RdBu_r" else None)
            ax.set(xlabel="x", ylabel="y", title=label)
            fig.colorbar(image, ax=ax, shrink=0.85)
        fig.suptitle(title, fontsize=9)
        fig.tight_layout()
        with atomic_path(path, overwrite=overwrite) as tmp:
            fig.savefig(tmp, dpi=110)
    finally:
        plt.close(fig)


def _step(args: argparse.Namespace, problem: Any) -> tuple[dict[str, float], str]:
    from solvers.stability2d import stability_limit_2d

    if args.dt is not None:
        return {"dt": args.dt}, "given"
    if args.courant is not None:
        return {"number": args.courant}, "given"
    limit = stability_limit_2d(problem, args.stepper)
    if limit.dt == 0.0:
        refuse(f"no stable time step: {limit.explain()}")
    return {"number": DEFAULT_FRACTION * limit.number}, "default"


def simulate_2d(args: argparse.Namespace) -> int:
    """``learned-ops simulate ... --dims 2``."""
    from learned_ops.cli.simulate_report import finite, table
    from solvers.analytic2d import exact_solution_2d, semidiscrete_2d
    from solvers.reference import reference_accuracy
    from solvers.reference2d import reference_solution_2d
    from solvers.stepping2d import solve_2d

    started = time.perf_counter()
    _check_2d(args, "simulate")
    ny = args.n if args.ny is None else args.ny
    problem, notes = _problem(args, args.n, ny)
    ic_name, ic = _ic(args)
    t_final = EQUATIONS[args.equation].t_final if args.t_final is None else args.t_final
    step, choice = _step(args, problem)
    solution = solve_2d(problem, ic, t_final, stepper=args.stepper,
                        allow_unstable=args.allow_unstable, **step)
    grid = problem.grid
    exact = exact_solution_2d(problem, ic, t_final)
    semi = semidiscrete_2d(problem, ic, t_final)
    notes = list(notes)
    reference = None
    if grid.nx * grid.ny <= REFERENCE_MAX_NODES:
        reference = reference_solution_2d(problem, ic, t_final)
    else:
        notes.append(f"no scipy reference: it runs up to {REFERENCE_MAX_NODES:,} nodes "
                     f"(this grid has {grid.nx * grid.ny:,})")
    analytic = _norms(solution.values, exact, grid)
    time_l2 = grid.norm(solution.values - semi)
    description = (f"{EQUATIONS[args.equation].pde(_values_2d(problem))} on [-2, 2)^2, "
                   f"periodic {grid.ny} x {grid.nx}, t = {t_final:g}")
    operator = problem.right_hand_side().linear[0].operator
    result = {
        "equation": args.equation, "operator": EQUATIONS[args.equation].label(
            problem.operator), "boundary": "periodic", "ic": ic_name, "seed": None,
        "n": grid.nx, "ny": grid.ny, "dims": 2, "t_final": t_final, "dt": solution.dt,
        "steps": solution.steps, "stepper": solution.stepper,
        "number_name": problem.number_name, "number": solution.number,
        "number_limit": solution.stability.number, "dt_limit": solution.stability.dt,
        "stability_reason": solution.stability.explain(),
        "reference_accuracy": reference_accuracy(operator),
        "errors": {"analytic": analytic, "reference": _norms(solution.values, reference, grid)},
        "reference_errors": _norms(reference, exact, grid),
        "problem": description,
        "time_error": {"l2": time_l2, "total_l2": analytic["l2"], "dt_choice": choice,
                       "share": time_l2 / analytic["l2"] if analytic["l2"] > 0 else None},
        "warnings": notes, "seconds": time.perf_counter() - started,
    }
    if args.plot:
        _plot(args.plot, grid, solution.values, solution.values - exact,
              f"{description}; {result['operator']}", overwrite=args.force)
        result["plot"] = args.plot
    _finish(args, notes, json.dumps(finite(result)) if args.json else table(result))
    return 0


def _values_2d(problem: Any) -> dict[str, Any]:
    if problem.equation == "advection":
        return {"velocity": problem.velocity}
    return {"diffusivity": problem.diffusivity}


def _finish(args: argparse.Namespace, notes: list[str], text: str) -> None:
    import sys

    if not args.quiet:
        for note in notes:
            print(f"warning: {note}", file=sys.stderr)
    print(text)


def converge_2d(args: argparse.Namespace) -> int:
    """``learned-ops converge ... --dims 2``: both axes refined at a fixed --number."""
    from solvers.convergence2d import convergence_study_2d
    from solvers.stability2d import stability_limit_2d

    _check_2d(args, "converge")
    for flag, value in (("--expected", args.expected), ("--n", args.n)):
        if value is not None:
            refuse(f"{flag} is not available with --dims 2")
    sizes = DEFAULT_GRIDS_2D if args.grids is None else _sizes(args.grids)
    problem, _ = _problem(args, sizes[0], sizes[0])
    ic_name, ic = _ic(args)
    t_final = EQUATIONS[args.equation].t_final if args.t_final is None else args.t_final
    number = args.number
    if number is None:
        limit = stability_limit_2d(problem, args.stepper)
        if limit.dt == 0.0:
            refuse(f"no stable time step: {limit.explain()}")
        number = min(0.1, DEFAULT_FRACTION * limit.number)
    study = convergence_study_2d(problem, ic, t_final, sizes, stepper=args.stepper,
                                 number=number)
    result = study.to_dict()
    result["problem"] = f"{study.description}; u0 = {ic_name}"
    result["dims"] = 2
    if args.plot:
        _plot_study(args.plot, study, overwrite=args.force)
        result["plot"] = args.plot
    text = json.dumps(result) if args.json else f"problem: {result['problem']}\n{study.table()}"
    _finish(args, [], text)
    return 1 if args.strict and study.verdict != "met" else 0


def _sizes(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(t) for t in text.split(","))
    except ValueError:
        refuse(f"--grids {text}: expected comma-separated integers, e.g. 24,32,48,64")
        raise  # pragma: no cover - refuse raises


def _plot_study(path: str, study: Any, *, overwrite: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from learned_ops.atomic import atomic_path

    h = [hx for hx, _ in study.spacings]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    try:
        ax.loglog(h, study.errors, "o-", label=f"rel. L2 (order {study.fitted:.2f})")
        ax.loglog(h, study.max_errors, "s--", label=f"max (order {study.fitted_max:.2f})")
        ref = [study.errors[-1] * (x / h[-1]) ** study.expected for x in h]
        ax.loglog(h, ref, "k:", label=f"h^{study.expected}")
        ax.set(xlabel="hx (= hy scaled)", ylabel="error at t_final")
        ax.set_title(study.description, fontsize=8)
        ax.legend(fontsize=8)
        fig.tight_layout()
        with atomic_path(path, overwrite=overwrite) as tmp:
            fig.savefig(tmp, dpi=110)
    finally:
        plt.close(fig)
