"""``learned-ops evaluate``: Burgers operator pairs on held-out forced trajectories.

Each PAIR is ``FLUX+DIFFUSION`` (each an operator spec: a pretrained name, a file or
``fd:M:OFFSETS``), or the name of a pretrained trajectory-trained pair (``NAME`` standing for
``NAME-flux+NAME-diffusion``). The table: rollout error (mean |u - truth| over the window),
survival time, blow-ups and the equal-accuracy coarsening factor against the textbook 7-point
pair, always shown next to the textbook pairs of orders 2, 4, 6 (7 points) and 8 (9 points).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from learned_ops.cli.options import refuse

__all__ = ["parse_pair", "register"]

EPILOG = """examples:
  learned-ops evaluate trajectory-burgers-n128 --n 128
  learned-ops evaluate learned-d1-c7-o4-band+learned-d2-c5-o2 --n 128 --json
  learned-ops evaluate fd:1:-1,0,1+fd:2:-1,0,1 --n 256 --seeds 1000-1003"""


def parse_pair(spec: str) -> Any:
    """A :class:`~learned_ops.trajectory.burgers_run.Pair` from ``FLUX+DIFFUSION`` or a
    pretrained pair name.

    Raises:
        UsageError: If either part names no operator, or the parts have the wrong orders.
    """
    from learned_ops.cli.options import resolve_checked
    from learned_ops.errors import LearnedOpsError
    from learned_ops.resolve import list_pretrained
    from learned_ops.trajectory.burgers_run import Pair

    if "+" in spec:
        flux_spec, _, diffusion_spec = spec.partition("+")
    elif f"{spec}-flux" in list_pretrained():
        flux_spec, diffusion_spec = f"{spec}-flux", f"{spec}-diffusion"
    else:
        refuse(f"pair {spec!r}: give FLUX+DIFFUSION (two operator specs) or a pretrained pair "
               "name such as trajectory-burgers-n128")
    try:
        flux, diffusion = resolve_checked(flux_spec), resolve_checked(diffusion_spec)
    except LearnedOpsError as exc:
        refuse(f"pair {spec!r}: {exc}")
    if flux.derivative_order != 1 or diffusion.derivative_order != 2:
        refuse(f"pair {spec!r}: the flux operator must be a first derivative and the diffusion "
               f"operator a second one, got orders {flux.derivative_order} and "
               f"{diffusion.derivative_order}")
    return Pair(spec, flux, diffusion)


def parse_seeds(text: str) -> tuple[int, ...]:
    """'1000-1007' or '3,5,9' -> seeds."""
    try:
        if "-" in text and "," not in text:
            first, last = (int(part) for part in text.split("-"))
            seeds = tuple(range(first, last + 1))
        else:
            seeds = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"seeds must be A-B or a comma-separated list of integers, got {text!r}") from None
    if not seeds or min(seeds) < 0:
        raise argparse.ArgumentTypeError(f"seeds must be non-negative, got {text!r}")
    return seeds


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` subcommand."""
    p = subparsers.add_parser(
        "evaluate", help="score Burgers operator pairs on held-out forced trajectories",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG)
    p.add_argument("pairs", nargs="*", metavar="PAIR", help="FLUX+DIFFUSION or a pair name")
    p.add_argument("--equation", choices=("burgers",), default="burgers",
                   help="the equation (forced viscous Burgers)")
    p.add_argument("--n", type=int, default=128, help="coarse grid nodes (default 128)")
    p.add_argument("--viscosity", type=float, default=0.04, help="nu (default 0.04)")
    p.add_argument("--dt", type=float, default=1e-3, help="solver step (default 1e-3)")
    p.add_argument("--stepper", default="rk4", help="Runge-Kutta method (default rk4)")
    p.add_argument("--seeds", type=parse_seeds, default=tuple(range(1000, 1008)),
                   help="held-out forcing seeds (default 1000-1007)")
    p.add_argument("--window", default="10,40", help="evaluation window T0,T1 (default 10,40)")
    p.add_argument("--tolerance", type=float, default=0.1,
                   help="survival: |u - truth| tolerance (default 0.1)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(handler=run)


def _window(text: str) -> tuple[float, float]:
    try:
        start, end = (float(part) for part in text.split(","))
    except ValueError:
        refuse(f"--window {text!r}: expected T0,T1 like 10,40")
    if not 0.0 <= start < end:
        refuse(f"--window {text!r}: need 0 <= T0 < T1")
    return start, end


def run(args: argparse.Namespace) -> int:
    """Handle ``learned-ops evaluate``."""
    from learned_ops.trajectory.burgers_run import BurgersSetup, evaluate_pairs, textbook_pair

    window = _window(args.window)
    pairs = [parse_pair(spec) for spec in args.pairs]
    try:
        setup = BurgersSetup(n=args.n, viscosity=args.viscosity, dt=args.dt,
                             stepper=args.stepper, test_seeds=args.seeds, train_seeds=(),
                             window=window, tolerance=args.tolerance,
                             t_final=window[1])
    except ValueError as exc:
        refuse(str(exc))
    baselines = [textbook_pair(3), textbook_pair(5), textbook_pair(7), textbook_pair(9)]
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    table = evaluate_pairs(setup, [*pairs, *baselines], progress=progress)
    if args.json:
        print(json.dumps(table))
    else:
        _print_table(table)
    return 0


def _print_table(table: dict[str, Any]) -> None:
    setup = table["setup"]
    print(f"forced Burgers, nu = {setup['viscosity']:g}, n = {setup['n']}, dt = {setup['dt']:g} "
          f"({setup['stepper']}), window {setup['window']}, {len(setup['test_seeds'])} held-out "
          "trajectories")
    print(f"{'pair':44s} {'mean |err|':>11s} {'survival':>9s} {'min':>6s} {'blow-ups':>8s} "
          f"{'coarsening':>10s}")
    for row in table["rows"]:
        error = "blew up" if row["mean_abs_error"] is None else f"{row['mean_abs_error']:.3e}"
        factor = row["coarsening_factor"]
        factor = "-" if factor is None else f"{factor:.2f}x"
        print(f"{row['label'][:44]:44s} {error:>11s} {row['mean_survival']:9.2f} "
              f"{row['min_survival']:6.2f} {row['blowups']:8d} {factor:>10s}")
    errors = ", ".join(f"n = {n}: {e:.3e}" if e is not None else f"n = {n}: blew up"
                       for n, e in table["reference"]["errors"].items())
    print(f"coarsening factors against {table['reference']['label']}: {errors}")
