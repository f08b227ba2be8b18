"""Produce the pretrained trajectory-trained Burgers pairs (``make pretrained``).

For each grid in :data:`GRIDS`, the pair (flux u_x, u_xx; 7 points, skew-symmetric and
symmetric, both constrained to order 2) is trained through the RK4 solver on forced-Burgers
truths (:func:`learned_ops.trajectory.burgers_run.train_pair`, recorded seeds), evaluated on
the held-out seeds, certified, and saved as ``trajectory-burgers-n{N}-flux.json`` and
``-diffusion.json`` with the setup, the certificate and the held-out score in the provenance.
An uncertified pair is not written. ``--table FILE`` also writes the evaluation table (the
trained pair against derivative-trained and textbook pairs) as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from learned_ops.atomic import atomic_write_text
from learned_ops.operator_file import save_stencil

__all__ = ["GRIDS", "main", "setup_for"]

FOLDER = Path(__file__).resolve().parent
GRIDS = (128, 256)


def setup_for(n: int):  # -> BurgersSetup
    """The recorded setup of the pair for ``n`` nodes."""
    from learned_ops.trajectory.burgers_run import BurgersSetup

    return BurgersSetup(n=n, flux_order=2, diffusion_order=2)


def main(argv: list[str] | None = None) -> int:
    """Train, certify and write the pairs (and optionally their evaluation tables)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", type=int, nargs="*", help="grids to build (default all)")
    parser.add_argument("--out", type=Path, default=FOLDER, help="output folder")
    parser.add_argument("--table", type=Path, default=None,
                        help="also write the evaluation tables here (JSON)")
    args = parser.parse_args(argv)
    from learned_ops.resolve import resolve_operator
    from learned_ops.trajectory.burgers_run import Pair, evaluate_pairs, textbook_pair, train_pair
    from learned_ops.trajectory.certificate import require_certified

    tables = {}
    for n in args.only or GRIDS:
        setup = setup_for(n)
        say = lambda msg, n=n: print(f"[n = {n}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
        trained = train_pair(setup, progress=say)
        require_certified(trained.certificate)
        stem = f"trajectory-burgers-n{n}"
        say(f"held-out: {trained.score.as_dict()}; certificate {trained.certificate.as_dict()}")
        derivative = Pair("derivative-trained (learned-d1-c7-o4-band + learned-d2-c5-o2)",
                          resolve_operator("learned-d1-c7-o4-band"),
                          resolve_operator("learned-d2-c5-o2"))
        rows = [Pair(stem, trained.result.flux, trained.result.diffusion), derivative,
                textbook_pair(3), textbook_pair(5), textbook_pair(7), textbook_pair(9)]
        evaluation = evaluate_pairs(setup, rows, progress=say)
        tables[str(n)] = {**evaluation, "training_seconds": trained.result.seconds,
                          "certificate": trained.certificate.as_dict()}
        for part, stencil in (("flux", trained.result.flux),
                              ("diffusion", trained.result.diffusion)):
            provenance = {**stencil.provenance, "certificate": trained.certificate.as_dict(),
                          "heldout": trained.score.as_dict(),
                          "evaluation": {"rows": evaluation["rows"],
                                         "reference": evaluation["reference"]},
                          "training_seconds": trained.result.seconds,
                          "built_by": "learned_ops.pretrained.build_trajectory"}
            description = (f"Forced viscous Burgers (nu = {setup.viscosity:g}) on {n} nodes, "
                           f"RK4 dt = {setup.dt:g}: the {part} stencil of a pair trained "
                           "through the solver on fine-grid trajectories (use both together).")
            save_stencil(stencil.with_metadata(name=f"{stem}-{part}", description=description,
                                               provenance=provenance),
                         args.out / f"{stem}-{part}.json", overwrite=True)
        if args.table is not None:
            atomic_write_text(args.table, json.dumps(tables, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
