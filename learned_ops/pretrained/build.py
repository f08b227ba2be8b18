"""Produce the pretrained operator files (``make pretrained``) by the project's own training.

Every file is trained here, from recorded seeds, with the recipes in
:mod:`learned_ops.training.recipes`: the seed notebook's three stencils as the notebook learned them
(free, its Adam recipe, flagged inconsistent), and constrained operators worth using. Run
``python -m learned_ops.pretrained.build --check`` to retrain and compare with the shipped
files without writing anything.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from learned_ops.data import BandFamily, SeedFamily, Splits, make_splits
from learned_ops.operator_file import load_stencil, save_stencil
from learned_ops.stencil import Stencil
from learned_ops.training import StencilRequest, train_stencils

__all__ = ["PRETRAINED", "PretrainedSpec", "build_many", "build_one", "main"]

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PretrainedSpec:
    """How one pretrained operator is trained.

    Attributes:
        name: File stem and operator name.
        offsets: Stencil offsets.
        derivative_order: m.
        accuracy_order: Constraint (None: free).
        recipe: "default" or "seed".
        family: "seed" or "band".
        theta_max: Band family's largest k*dx.
        samples: Dataset size (all splits).
        seed: Data and initialisation seed.
        description: Human description stored in the file.
        symmetric: Impose the derivative's exact (skew-)symmetry (central stencils: no
            spurious dissipation or growth for either sign of the velocity).
    """

    name: str
    offsets: tuple[int, ...]
    derivative_order: int
    accuracy_order: int | None
    recipe: str
    family: str
    description: str
    theta_max: float | None = None
    samples: int = 50_000
    seed: int = 0
    symmetric: bool = False


PRETRAINED: tuple[PretrainedSpec, ...] = (
    PretrainedSpec("seed-forward", (0, 1), 1, None, "seed", "seed",
                   "The seed notebook's forward stencil, learned with its Adam recipe (float64). "
                   "Inconsistent: mu_0 != 0, so it does not converge under refinement."),
    PretrainedSpec("seed-backward", (-1, 0), 1, None, "seed", "seed",
                   "The seed notebook's backward stencil, learned with its Adam recipe "
                   "(float64). Inconsistent: does not converge under refinement."),
    PretrainedSpec("seed-central", (-1, 0, 1), 1, None, "seed", "seed",
                   "The seed notebook's central stencil, learned with its Adam recipe "
                   "(float64). Inconsistent: mu_1 != 1, the error stalls under refinement."),
    PretrainedSpec("learned-d1-c5-o2", (-2, -1, 0, 1, 2), 1, 2, "default", "seed",
                   "First derivative, 5-point central, constrained to order 2, trained on the "
                   "seed family, skew-symmetric: better than the 3-point stencil at coarse "
                   "resolution.", symmetric=True),
    PretrainedSpec("learned-d1-c7-o4-band", (-3, -2, -1, 0, 1, 2, 3), 1, 4, "default", "band",
                   "First derivative, 7-point central, constrained to order 4, band-optimised "
                   "(k*dx uniform on [0, pi/2]), skew-symmetric: a wider resolving band than "
                   "textbook order 6.", theta_max=float(np.pi / 2), symmetric=True),
    PretrainedSpec("learned-d1-upwind4-o2", (-2, -1, 0, 1), 1, 2, "default", "seed",
                   "First derivative, upwind-biased for velocity > 0 (offsets -2..1), "
                   "constrained to order 2, trained on the seed family."),
    PretrainedSpec("learned-d2-c5-o2", (-2, -1, 0, 1, 2), 2, 2, "default", "seed",
                   "Second derivative, 5-point central, constrained to order 2, symmetric, "
                   "trained on the seed family.", symmetric=True),
)


def _splits(spec: PretrainedSpec) -> Splits:
    if spec.family == "band":
        family = BandFamily(theta_max=spec.theta_max) if spec.theta_max else BandFamily()
    else:
        family = SeedFamily()
    return make_splits(family, spec.samples, spec.seed)


def build_many(specs: Sequence[PretrainedSpec], progress: bool = False) -> list[Stencil]:
    """Train pretrained operators from their specs, in order.

    Specs on the same data with the same recipe and seed are trained together
    (:func:`~learned_ops.training.train_stencils`: one pass over the data per epoch, each
    result bit for bit the one it gets alone).
    """
    groups: dict[tuple, list[int]] = {}
    for index, spec in enumerate(specs):
        key = (spec.family, spec.theta_max, spec.samples, spec.seed, spec.recipe)
        groups.setdefault(key, []).append(index)
    built: dict[int, Stencil] = {}
    for indices in groups.values():
        group = [specs[i] for i in indices]
        label = ", ".join(spec.name for spec in group)
        say = (lambda msg, label=label: print(f"[{label}] {msg}", file=sys.stderr, flush=True)
               ) if progress else None
        requests = [StencilRequest(spec.offsets, spec.derivative_order, spec.accuracy_order,
                                   symmetric=spec.symmetric, name=spec.name) for spec in group]
        results = train_stencils(requests, splits=_splits(group[0]), recipe=group[0].recipe,
                                 seed=group[0].seed, progress=say)
        for index, spec, result in zip(indices, group, results, strict=True):
            provenance = {**result.stencil.provenance, "recipe": spec.recipe,
                          "built_by": "learned_ops.pretrained.build"}
            built[index] = result.stencil.with_metadata(
                name=spec.name, description=spec.description, provenance=provenance)
    return [built[i] for i in range(len(specs))]


def build_one(spec: PretrainedSpec, progress: bool = False) -> Stencil:
    """Train one pretrained operator from its spec."""
    return build_many([spec], progress)[0]


def main(argv: list[str] | None = None) -> int:
    """Build (or ``--check``) the pretrained files."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="retrain and compare with the shipped files; write nothing")
    parser.add_argument("--only", nargs="*", help="names to build (default: all)")
    parser.add_argument("--out", type=Path, default=FOLDER, help="output folder")
    parser.add_argument("--tolerance", type=float, default=1e-6, help="--check tolerance")
    args = parser.parse_args(argv)
    worst = 0.0
    specs = [spec for spec in PRETRAINED if not args.only or spec.name in args.only]
    for spec, stencil in zip(specs, build_many(specs, progress=True), strict=True):
        path = args.out / f"{spec.name}.json"
        if args.check:
            shipped = load_stencil(path)
            diff = float(np.max(np.abs(shipped.coefficients - stencil.coefficients)))
            worst = max(worst, diff)
            print(f"{spec.name}: max |retrained - shipped| = {diff:.2e}")
        else:
            save_stencil(stencil, path, overwrite=True)
            print(f"{spec.name}: order {stencil.accuracy_order}, "
                  f"coefficients {np.array2string(stencil.coefficients, precision=6)} -> {path}")
    if args.check and worst > args.tolerance:
        print(f"FAILED: retrained coefficients differ by {worst:.2e} > {args.tolerance:g}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
