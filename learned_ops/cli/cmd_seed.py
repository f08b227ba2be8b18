"""``learned-ops reproduce-seed``: the seed notebook's three networks, reproduced and compared."""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["register"]

EPILOG = """examples:
  learned-ops reproduce-seed
  learned-ops reproduce-seed --no-seed-recipe --json"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``reproduce-seed`` subcommand."""
    p = subparsers.add_parser(
        "reproduce-seed", help="train the seed notebook's three stencils and compare",
        description="Train the notebook's forward, backward and central stencils with its own "
                    "recipe (in float64)\nand with ours, beside the notebook's printed weights "
                    "and the exact least-squares optimum.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
    )
    p.add_argument("--samples", type=int, default=50_000, help="dataset size (default 50000)")
    p.add_argument("--seed", type=int, default=0, help="data and initialisation seed")
    p.add_argument("--no-seed-recipe", action="store_true",
                   help="skip the notebook's (slow) Adam recipe")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handle ``learned-ops reproduce-seed``."""
    from learned_ops.seed_repro import format_table, reproduce_seed

    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    rows = reproduce_seed(samples=args.samples, seed=args.seed,
                          with_seed_recipe=not args.no_seed_recipe, progress=progress)
    if args.json:
        print(json.dumps({"stencils": [row.to_dict() for row in rows]}))
    else:
        print(format_table(rows))
    return 0
