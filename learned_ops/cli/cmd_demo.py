"""``learned-ops demo``: the whole story in one command, with pictures.

Learned stencils (the seed notebook's and constrained ones) plugged into advection and heat
solvers, compared with the exact solution and the independent scipy reference at the seed's
training resolution, and measured under grid refinement; the constrained ones also as the flux
and diffusion operators of viscous Burgers on a coarse grid (exact Cole-Hopf solutions). Prints
one table (or one JSON object with ``--json``) and writes six figures into ``--out``. Uses the
pretrained operators (no TensorFlow) unless ``--train`` retrains them from scratch first.

Glue only: the numbers come from :mod:`learned_ops.cli.demo_report`, the pictures from
:mod:`learned_ops.cli.demo_figures`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_OUT", "register", "run", "train_operators"]

DEFAULT_OUT = "learned-ops-output"

EPILOG = """examples:
  learned-ops demo
  learned-ops demo --out docs/figures --quiet
  learned-ops demo --json > demo.json
  learned-ops demo --train          # retrain the operators first (TensorFlow, about a minute)"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand."""
    p = subparsers.add_parser(
        "demo",
        help="the whole story: learned vs textbook stencils in advection, heat and Burgers, "
             "with figures",
        description=(
            "Run advection and heat on [-2, 2) with a textbook stencil, the seed notebook's\n"
            "learned stencil, a constrained learned stencil and the textbook stencil of the\n"
            "same width; compare each with the exact solution and an independent scipy\n"
            "reference at the seed's training resolution (n = 400), run a convergence study\n"
            "(n = 50..800); run viscous Burgers with textbook and learned flux/diffusion pairs\n"
            "on a coarse grid (n = 50) against an exact Cole-Hopf wave, with a study on\n"
            "n = 50..400; print one table with a one-line conclusion per row, and write six\n"
            "figures (solutions, error against time, convergence, coefficients, modified\n"
            "wavenumber, a Burgers front steepening) into --out. Uses the pretrained\n"
            "operators: no training, no TensorFlow, a few seconds. --train retrains the\n"
            "operators it needs from scratch first."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help=f"folder for the figures (created if missing; default ./{DEFAULT_OUT})")
    p.add_argument("--train", action="store_true",
                   help="train the operators from scratch first (seed recipe for the seed's "
                        "three stencils, default recipe for the constrained ones)")
    p.add_argument("--no-figures", action="store_true", help="print the table only")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (per-row numbers, figure paths) on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress or messages on stderr")
    p.set_defaults(handler=run)


def _output_folder(out: str) -> Path:
    """Create (if needed) and check the output folder before any work is done."""
    from learned_ops.errors import OperatorFileError

    if not out.strip():  # Path("") is the current folder: never write there by accident
        raise OperatorFileError(f"--out {out!r}: empty folder name; give a folder "
                                f"(default {DEFAULT_OUT})")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise OperatorFileError(f"--out {out}: exists and is not a folder; give a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OperatorFileError(
            f"--out {out}: cannot create the folder ({exc.strerror or exc}); choose a writable "
            "location"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OperatorFileError(f"--out {out}: the folder is not writable; choose a writable "
                                "location")
    return folder


def train_operators(progress: Any = None) -> Any:
    """Train the demo's operators from scratch with the pretrained recipes (imports TensorFlow).

    The seed's three stencils use the notebook's recipe, the constrained ones the default
    recipe, each from the seed recorded in :data:`learned_ops.pretrained.build.PRETRAINED`.
    """
    from learned_ops.cli.demo_report import DemoOperators
    from learned_ops.pretrained.build import PRETRAINED, build_one

    specs = {spec.name: spec for spec in PRETRAINED}
    names = ("seed-forward", "seed-backward", "seed-central", "learned-d1-c5-o2",
             "learned-d2-c5-o2")
    trained = []
    for k, name in enumerate(names, 1):
        if progress:
            progress(f"training {name} ({k}/{len(names)}, {specs[name].recipe} recipe)")
        trained.append(build_one(specs[name], progress=progress is not None))
    return DemoOperators(*trained)


def _write_figures(folder: Path, images: dict[str, bytes]) -> list[str]:
    from learned_ops.atomic import atomic_write_bytes

    paths = []
    for name, data in images.items():
        path = folder / name
        atomic_write_bytes(path, data)
        paths.append(str(path))
    return paths


def run(args: argparse.Namespace) -> int:
    """Handle ``learned-ops demo``."""
    started = time.perf_counter()

    def say(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    folder = None if args.no_figures else _output_folder(args.out)
    if not args.no_figures:
        import matplotlib

        matplotlib.use("Agg")

    from learned_ops.cli.demo_report import format_table, run_demo

    operators = None
    if args.train:
        say("training the demo's operators from scratch (TensorFlow)")
        operators = train_operators(progress=say if not args.quiet else None)
    result = run_demo(operators, progress=say, trained=args.train)
    paths: list[str] = []
    if folder is not None:
        from learned_ops.cli.demo_figures import render_all

        say("rendering figures")
        images = render_all(result)  # everything rendered before anything is written
        paths = _write_figures(folder, images)
        for path in paths:
            say(f"wrote {path}")
    from learned_ops.cli.demo_trajectory import format_trajectory_section, trajectory_section

    forced = trajectory_section()
    seconds = time.perf_counter() - started
    if args.json:
        payload = result.to_dict()
        payload["forced_burgers"] = forced
        payload["figures"] = paths
        payload["seconds"] = seconds
        print(json.dumps(payload))
    else:
        print(format_table(result))
        text = format_trajectory_section(forced)
        if text:
            print(text)
        if paths:
            print(f"\nfigures in {folder}/: " + ", ".join(Path(p).name for p in paths))
    say(f"demo finished in {seconds:.1f} s")
    return 0
