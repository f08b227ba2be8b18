"""``learned-ops train --objective trajectory``: stencils trained through the solver.

- ``--equation burgers``: the flux's u_x and the u_xx stencil trained jointly on windows of
  forced-Burgers truths (``--truth fine:F``: a pseudo-spectral solve on ``F * n`` nodes, cached),
  evaluated on held-out seeds and certified; ``--out STEM.json`` writes ``STEM-flux.json`` and
  ``STEM-diffusion.json`` (nothing is written for a pair that fails its certificate).
- ``--equation advection|heat``: one stencil trained on K-step trajectories of seeded sine sums
  against the exact solution (``--truth exact``), with the Fourier-space oracle's stencil and
  the stability limit with the trained stencil reported.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from learned_ops.cli.options import refuse

__all__ = ["add_trajectory_options", "run_trajectory"]


def _unroll(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--unroll takes step counts like 100 or a curriculum 100,300,1000, got {text!r}"
        ) from None
    if not values or min(values) < 1 or list(values) != sorted(values):
        raise argparse.ArgumentTypeError(f"--unroll needs increasing counts >= 1, got {text!r}")
    return values


def add_trajectory_options(p: argparse.ArgumentParser) -> None:
    """The options of ``--objective trajectory``."""
    from learned_ops.cli.cmd_evaluate import parse_seeds

    g = p.add_argument_group("trajectory objective (--objective trajectory)")
    g.add_argument("--objective", choices=("derivative", "trajectory"), default="derivative",
                   help="derivative: fit snapshots' derivatives (default); trajectory: train "
                        "through the solver on unrolled trajectories")
    g.add_argument("--equation", choices=("advection", "heat", "burgers"), default=None)
    g.add_argument("--n", type=int, default=None, help="grid nodes (burgers default 128)")
    g.add_argument("--unroll", type=_unroll, default=None,
                   help="K steps, or a curriculum K1,K2,... (burgers default 100,300,1000)")
    g.add_argument("--stepper", default="rk4", help="Runge-Kutta method (default rk4)")
    g.add_argument("--dt", type=float, default=None, help="time step (burgers default 1e-3)")
    g.add_argument("--courant", type=float, default=None,
                   help="advection/heat: the step as a fraction of the stability limit "
                        "(default 0.9)")
    g.add_argument("--viscosity", type=float, default=0.04, help="burgers: nu (default 0.04)")
    g.add_argument("--truth", default=None,
                   help="exact (advection, heat) or fine:F (burgers, default fine:8)")
    g.add_argument("--train-seeds", type=parse_seeds, default=tuple(range(8)),
                   help="burgers: training forcing seeds (default 0-7)")
    g.add_argument("--test-seeds", type=parse_seeds, default=tuple(range(1000, 1008)),
                   help="burgers: held-out forcing seeds (default 1000-1007)")
    g.add_argument("--windows", type=int, default=4,
                   help="burgers: training windows per trajectory and stage (default 4)")
    g.add_argument("--diffusion-order", type=int, default=2,
                   help="burgers: accuracy order of the u_xx stencil (default 2; --order is "
                        "the flux's, default 4)")
    g.add_argument("--iterations", type=int, default=30,
                   help="L-BFGS iterations per curriculum stage (default 30)")


def _outputs(out: Path | None, force: bool) -> tuple[Path, Path] | None:
    from learned_ops.atomic import check_target

    if out is None:
        return None
    if out.suffix != ".json":
        refuse(f"--out {out}: give STEM.json; the pair is written to STEM-flux.json and "
               "STEM-diffusion.json")
    paths = (out.with_name(f"{out.stem}-flux.json"), out.with_name(f"{out.stem}-diffusion.json"))
    for path in paths:
        check_target(path, overwrite=force, probe=True)
    return paths


def _fine_factor(truth: str | None) -> int:
    text = truth or "fine:8"
    head, _, factor = text.partition(":")
    if head != "fine" or not factor.isdigit() or int(factor) < 2:
        refuse(f"--truth {text!r}: burgers takes fine:F (F >= 2: the truth on F * n nodes)")
    return int(factor)


def _run_burgers(args: argparse.Namespace, progress: Any) -> dict[str, Any]:
    from learned_ops.operator_file import save_stencil
    from learned_ops.trajectory.burgers_run import BurgersSetup, train_pair
    from learned_ops.trajectory.certificate import require_certified

    if args.courant is not None:
        refuse("--courant applies to advection and heat; burgers takes --dt")
    paths = _outputs(args.out, args.force)
    try:
        setup = BurgersSetup(
            n=args.n or 128, viscosity=args.viscosity, dt=args.dt or 1e-3, stepper=args.stepper,
            fine_factor=_fine_factor(args.truth), train_seeds=args.train_seeds,
            test_seeds=args.test_seeds, curriculum=args.unroll or (100, 300, 1000),
            windows_per_trajectory=args.windows, offsets=args.offsets,
            flux_order=4 if args.order is None else args.order,
            diffusion_order=args.diffusion_order, max_iterations=args.iterations, seed=args.seed)
    except ValueError as exc:
        refuse(str(exc))
    trained = train_pair(setup, progress=progress)
    result, certificate = trained.result, trained.certificate
    if paths is not None:
        require_certified(certificate)
        for stencil, path in zip((result.flux, result.diffusion), paths, strict=True):
            name = path.stem
            save_stencil(stencil.with_metadata(
                name=name, provenance={**stencil.provenance,
                                       "certificate": certificate.as_dict()}),
                path, overwrite=args.force)
    return {"objective": "trajectory", "equation": "burgers",
            "flux": result.flux.coefficients.tolist(),
            "diffusion": result.diffusion.coefficients.tolist(),
            "losses": list(result.losses), "initial_losses": list(result.initial_losses),
            "training_blowups": result.blowups, "evaluations": result.evaluations,
            "seconds": {"truth": trained.truth_seconds, "training": result.seconds},
            "heldout": trained.score.as_dict(), "certificate": certificate.as_dict(),
            "out": None if paths is None else [str(p) for p in paths]}


def _run_linear(args: argparse.Namespace, progress: Any) -> dict[str, Any]:
    if args.truth not in (None, "exact"):
        refuse(f"--truth {args.truth!r}: advection and heat train against the exact solution "
               "(--truth exact)")
    if args.dt is not None and args.courant is not None:
        refuse("give --dt or --courant, not both")
    import solvers
    from learned_ops.operator_file import save_stencil
    from learned_ops.textbook import textbook_stencil
    from learned_ops.training.constraints import stencil_space
    from learned_ops.trajectory import fourier_loss_for, minimise_fourier_loss, sine_sums
    from learned_ops.trajectory.train import train_trajectory

    m = 1 if args.equation == "advection" else 2
    n = args.n or 32
    grid = solvers.Grid.periodic(n)
    start = textbook_stencil(m, args.offsets)  # theta = 0 of the space; dt is set from it
    problem = (solvers.Advection(1.0, start, grid) if m == 1 else solvers.Heat(0.5, start, grid))
    limit = solvers.stability_limit(problem, args.stepper)
    dt = args.dt if args.dt is not None else (args.courant or 0.9) * limit.dt
    steps = (args.unroll or (16,))[-1]
    space = stencil_space(args.offsets, m, args.order, symmetric=args.symmetric)
    u0 = sine_sums(grid.x, 4, args.seed, k_max=n // 2)
    result = train_trajectory(problem, u0, space, dt=dt, steps=steps, stepper=args.stepper,
                              progress=progress)
    oracle = minimise_fourier_loss(fourier_loss_for(problem, space, dt=dt, steps=steps, u0=u0,
                                                    stepper=args.stepper), space)
    trained = (solvers.Advection(1.0, result.stencil, grid) if m == 1
               else solvers.Heat(0.5, result.stencil, grid))
    trained_limit = solvers.stability_limit(trained, args.stepper)
    stable = dt <= trained_limit.dt
    if args.out is not None:
        if not stable:
            refuse(f"the trained stencil is unstable at dt = {dt:g} (limit "
                   f"{trained_limit.dt:.4g}); nothing was saved")
        save_stencil(result.stencil.with_metadata(name=args.name or "trajectory-trained"),
                     args.out, overwrite=args.force)
    return {"objective": "trajectory", "equation": args.equation, "n": n, "dt": dt,
            "steps": steps, "coefficients": result.stencil.coefficients.tolist(),
            "oracle": np.asarray(oracle.coefficients).tolist(),
            "max_abs_diff_from_oracle": float(np.max(np.abs(
                result.stencil.coefficients - oracle.coefficients))),
            "loss": result.loss, "initial_loss": result.initial_loss,
            "accuracy_order": result.stencil.accuracy_order,
            "stable_dt": trained_limit.dt, "stable": stable, "seconds": result.seconds,
            "out": None if args.out is None else str(args.out)}


def run_trajectory(args: argparse.Namespace) -> int:
    """Handle ``learned-ops train --objective trajectory``."""
    if args.equation is None:
        refuse("--objective trajectory needs --equation advection, heat or burgers")
    if args.method != "keras" or args.resume or args.stream or args.recipe != "default":
        refuse("--method, --resume, --stream and --recipe apply to --objective derivative")
    if args.derivative != 1 and args.equation != "heat":
        refuse("--derivative is set by --equation for the trajectory objective")
    from learned_ops.optional import require_tensorflow

    require_tensorflow("training through the solver")  # before any work: say what to install
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    report = (_run_burgers(args, progress) if args.equation == "burgers"
              else _run_linear(args, progress))
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:18s} {value}")
    return 0
