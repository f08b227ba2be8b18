"""``learned-ops train``: train a derivative stencil (or fit it in closed form) and save it."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from learned_ops.cli.cmd_train_trajectory import add_trajectory_options, run_trajectory
from learned_ops.errors import TrainingError

__all__ = ["parse_offsets", "register"]

EPILOG = """examples:
  learned-ops train --offsets=-1,0,1 --json
  learned-ops train --offsets=-2,-1,0,1,2 --order 2 --out d1_c5_o2.json
  learned-ops train --offsets=0,1 --recipe seed          # the notebook's Adam settings
  learned-ops train --offsets=-3,-2,-1,0,1,2,3 --order 4 --family band --theta-max 1.5
  learned-ops train --offsets=-2,-1,0,1,2 --method lstsq  # closed form, NOT learned
  learned-ops train --objective trajectory --equation burgers --offsets=-3,-2,-1,0,1,2,3 \
      --n 128 --unroll 100,300,1000 --out burgers128.json   # through the solver
  learned-ops train --objective trajectory --equation heat --offsets=-2,-1,0,1,2 --order 2

Negative offsets need the '=' form (--offsets=-1,0,1). Ctrl-C or SIGTERM saves a checkpoint
(default OUT.ckpt.json); rerun the same command with --resume to continue."""


_ASCII_INT = re.compile(r"[+-]?[0-9]+")


def parse_offsets(text: str) -> tuple[int, ...]:
    """'-1,0,1' -> (-1, 0, 1); non-integers and non-ASCII digits are refused, not rounded."""
    try:
        if not all(_ASCII_INT.fullmatch(part.strip()) for part in text.split(",")):
            raise ValueError(text)  # int() would also take fullwidth and other digits
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"offsets must be comma-separated integers like -1,0,1, got {text!r}"
        ) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` subcommand."""
    p = subparsers.add_parser(
        "train", help="train a derivative stencil with TensorFlow (float64)",
        description="Train a finite-difference stencil on random sums of sines with exact "
                    "derivatives,\nfree (as the seed notebook) or constrained to an accuracy "
                    "order, and save it as JSON.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
    )
    p.add_argument("--offsets", type=parse_offsets, required=True, help="e.g. --offsets=-1,0,1")
    p.add_argument("--derivative", type=int, default=1, help="derivative order m (default 1)")
    p.add_argument("--order", type=int, default=None,
                   help="constrain to this accuracy order (omitted: free, as the seed)")
    p.add_argument("--family", choices=("seed", "band"), default="seed", help="data family")
    p.add_argument("--theta-max", type=float, default=None,
                   help="band family: largest k*dx (<= pi; default pi/2)")
    p.add_argument("--samples", type=int, default=50_000,
                   help="samples in all splits (64/16/20 train/val/test; default 50000)")
    p.add_argument("--seed", type=int, default=0, help="data and initialisation seed")
    p.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    p.add_argument("--learning-rate", type=float, default=None, help="override the step size")
    p.add_argument("--recipe", choices=("default", "seed"), default="default",
                   help="default: converges to the optimum; seed: the notebook's settings")
    p.add_argument("--method", choices=("keras", "lstsq"), default="keras",
                   help="keras: gradient training; lstsq: closed-form fit (not learned)")
    p.add_argument("--target", choices=("node", "centre"), default="node",
                   help="where the target derivative sits (node, as the seed, or centre)")
    p.add_argument("--symmetric", action="store_true",
                   help="impose the derivative's (skew-)symmetry (central offsets only)")
    p.add_argument("--stream", action="store_true", help="stream training data via tf.data")
    p.add_argument("--name", default="", help="operator name stored in the file")
    p.add_argument("--description", default="", help="operator description")
    p.add_argument("--out", type=Path, default=None, help="write the operator here (JSON)")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    p.add_argument("--checkpoint", type=Path, default=None,
                   help="checkpoint path (default OUT.ckpt.json or ./learned-ops-train.ckpt.json)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_trajectory_options(p)
    p.set_defaults(handler=run)


def _splits(args: argparse.Namespace) -> Any:
    from learned_ops.data import BandFamily, SeedFamily, make_splits

    if args.family == "band":
        family = BandFamily() if args.theta_max is None else BandFamily(theta_max=args.theta_max)
    else:
        if args.theta_max is not None:
            raise TrainingError("--theta-max applies to --family band only")
        family = SeedFamily()
    return make_splits(family, args.samples, args.seed)


def _check_checkpoint(checkpoint: Path, resume: bool) -> None:
    """Refuse a checkpoint path that is not a regular file, or one left over (without --resume).

    Raises:
        OperatorFileError: If the path is a folder, a device, a FIFO... or its folder is not
            writable.
        TrainingError: If a regular checkpoint exists and ``resume`` is False.
    """
    from learned_ops.atomic import check_target

    check_target(checkpoint, overwrite=True, probe=True)
    if checkpoint.exists() and not resume:
        raise TrainingError(
            f"checkpoint {checkpoint} exists (an interrupted run?): pass --resume to continue "
            "it, or delete it to start afresh"
        )


def _keep_in_temp(stencil: Any) -> Path | None:
    """Write ``stencil`` to a new file in the temporary folder; None if even that fails."""
    import os
    import tempfile

    from learned_ops.errors import OperatorFileError
    from learned_ops.operator_file import stencil_to_json

    try:
        text = stencil_to_json(stencil)
        fd, name = tempfile.mkstemp(prefix="learned-ops-train-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except (OSError, OperatorFileError):  # best effort: the original error is reported
        return None
    return Path(name)


def _save_or_keep(stencil: Any, out: Path, *, overwrite: bool) -> None:
    """Save ``stencil`` to ``out``; if that fails, keep it in the temporary folder and say where.

    The final write is atomic and, without ``overwrite``, fails if ``out`` appeared meanwhile
    (another run wrote it), so of concurrent runs exactly one succeeds.

    Raises:
        OperatorFileError: If the save failed; the message names where the result was kept.
    """
    from learned_ops.errors import OperatorFileError
    from learned_ops.operator_file import save_stencil

    try:
        save_stencil(stencil, out, overwrite=overwrite)
    except OperatorFileError as exc:
        kept = _keep_in_temp(stencil)
        if kept is None:
            raise
        raise type(exc)(f"{exc}; the result was kept in {kept}") from exc


def run(args: argparse.Namespace) -> int:
    """Handle ``learned-ops train``."""
    from learned_ops.atomic import check_target

    if args.objective == "trajectory":
        return run_trajectory(args)
    trajectory_only = [flag for flag, used in (
        ("--equation", args.equation is not None), ("--n", args.n is not None),
        ("--unroll", args.unroll is not None), ("--dt", args.dt is not None),
        ("--courant", args.courant is not None), ("--truth", args.truth is not None),
    ) if used]
    if trajectory_only:
        raise TrainingError(f"{', '.join(trajectory_only)} apply to --objective trajectory")

    if args.out is not None:  # before any import or work: a refusal costs nothing
        check_target(args.out, overwrite=args.force, probe=True)
    if args.method == "lstsq":
        ignored = [flag for flag, used in (
            ("--resume", args.resume), ("--stream", args.stream),
            ("--epochs", args.epochs is not None), ("--learning-rate", args.learning_rate),
            ("--recipe seed", args.recipe != "default"), ("--checkpoint", args.checkpoint),
        ) if used]
        if ignored:
            raise TrainingError(f"--method lstsq is a closed-form fit: {', '.join(ignored)} "
                                "apply to --method keras only")
    checkpoint = args.checkpoint or (
        Path(f"{args.out}.ckpt.json") if args.out else Path("learned-ops-train.ckpt.json")
    )
    if args.method == "keras":
        _check_checkpoint(checkpoint, args.resume)
    from learned_ops.training import fit_least_squares, train_stencil
    from learned_ops.training.recipes import recipe_settings

    splits = _splits(args)
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    started = time.perf_counter()
    oracle = fit_least_squares(args.offsets, args.derivative, accuracy_order=args.order,
                               splits=splits, target=args.target, symmetric=args.symmetric,
                               name=args.name)
    oracle_seconds = time.perf_counter() - started
    if args.method == "lstsq":
        result = oracle
    else:
        settings = recipe_settings(args.recipe, epochs=args.epochs,
                                   learning_rate=args.learning_rate)
        result = train_stencil(
            args.offsets, args.derivative, accuracy_order=args.order, splits=splits,
            target=args.target, symmetric=args.symmetric, settings=settings, seed=args.seed,
            stream=args.stream, recipe=args.recipe,
            checkpoint=checkpoint, resume=args.resume, progress=progress,
            name=args.name or "learned",
        )
        if args.resume:  # the run finished what the checkpoint started: it is spent
            checkpoint.unlink(missing_ok=True)
    stencil = result.stencil.with_metadata(description=args.description or None)
    if args.out is not None:
        _save_or_keep(stencil, args.out, overwrite=args.force)
    diff = float(np.max(np.abs(stencil.coefficients - oracle.stencil.coefficients)))
    report = {
        "name": stencil.name, "method": args.method, "recipe": args.recipe,
        "offsets": list(stencil.offsets), "coefficients": stencil.coefficients.tolist(),
        "derivative_order": stencil.derivative_order, "accuracy_order": stencil.accuracy_order,
        "consistent": stencil.is_consistent,
        "least_squares": oracle.stencil.coefficients.tolist(),
        "max_abs_diff_from_least_squares": diff,
        "train_mse": result.train_mse, "val_mse": result.val_mse, "test_mse": result.test_mse,
        "epochs_run": result.epochs_run,
        "seconds": {"data": result.seconds.get("data", 0.0),
                    "training": result.seconds.get("training", 0.0),
                    "least_squares": oracle_seconds},
        "out": None if args.out is None else str(args.out),
    }
    if args.json:
        print(json.dumps(report))
    else:
        _print_report(report)
    return 0


def _print_report(report: dict[str, Any]) -> None:
    print(f"offsets          {report['offsets']}  (derivative order {report['derivative_order']})")
    print("coefficients     " + "  ".join(f"{c:+.10f}" for c in report["coefficients"]))
    print("least squares    " + "  ".join(f"{c:+.10f}" for c in report["least_squares"]))
    print(f"max |c - c_ls|   {report['max_abs_diff_from_least_squares']:.3e}")
    consistent = "consistent" if report["consistent"] else "INCONSISTENT (does not converge)"
    print(f"accuracy order   {report['accuracy_order']} ({consistent})")
    print(f"mse train/val/test  {report['train_mse']:.6g} / {report['val_mse']:.6g} / "
          f"{report['test_mse']:.6g}")
    if report["out"]:
        print(f"written to       {report['out']}")
