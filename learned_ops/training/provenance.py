"""Provenance: what a trained stencil records about its data, constraints and libraries, and
the finished :class:`TrainingResult`."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from learned_ops.stencil import Stencil
from learned_ops.training.constraints import AffineStencilSpace
from learned_ops.training.objective import Objective


@dataclass
class TrainingResult:
    """What a training run produced.

    Attributes:
        stencil: The trained operator (dimensionless coefficients, provenance attached).
        history: Per-epoch records: ``epoch``, ``train_mse``, ``val_mse``, ``change`` (largest
            coefficient change) and ``steps`` (optimizer steps).
        train_mse: Final MSE on the training split.
        val_mse: Final MSE on the validation split (nan if empty).
        test_mse: Final MSE on the disjoint test split (nan if empty).
        seconds: Wall time of the run's phases (``import``, ``data``, ``training``,
            ``evaluation``; shared by the stencils of one run).
        epochs_run: Epochs completed (early stopping may end before the limit).
    """

    stencil: Stencil
    history: list[dict[str, float]]
    train_mse: float
    val_mse: float
    test_mse: float
    seconds: dict[str, float] = field(default_factory=dict)
    epochs_run: int = 0


def _library_versions(with_tf: bool) -> dict[str, str]:
    import scipy

    from learned_ops import __version__

    versions = {"learned_ops": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
                "python": sys.version.split()[0]}
    if with_tf:
        import keras
        import tensorflow as tf

        versions.update(tensorflow=tf.__version__, keras=keras.__version__)
    return versions


def _provenance(objective: Objective, space: AffineStencilSpace, method: str,
                extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "method": method,
        "data": objective.splits.to_dict(),
        "derivative_order": objective.derivative_order,
        "offsets": list(objective.offsets),
        "target": objective.target,
        "target_x0": objective.x0,
        "constraint_accuracy_order": space.accuracy_order,
        "constraint_symmetric": space.symmetric,
        **extra,
    }


def _finish(objective: Objective, space: AffineStencilSpace, coefficients: np.ndarray,
            name: str, provenance: dict[str, Any], known: dict[str, float] | None = None,
            ) -> tuple[Stencil, float, float, float]:
    if space.symmetric:  # remove round-off asymmetry (~1e-17) so the symmetry is exact
        sign = (-1.0) ** space.derivative_order
        coefficients = (coefficients + sign * coefficients[::-1]) / 2.0
        known = None
    mses = []
    for split in ("train", "val", "test"):
        lo, hi = objective.splits.range(split)
        if known and split in known:
            mses.append(known[split])
        else:
            mses.append(objective.mse(coefficients, split) if hi > lo else float("nan"))
    provenance = {**provenance, "train_mse": mses[0], "val_mse": mses[1], "test_mse": mses[2]}
    stencil = Stencil(objective.offsets, coefficients, objective.derivative_order, name=name,
                      provenance=provenance)
    provenance["flagged_inconsistent"] = not stencil.is_consistent
    return stencil.with_metadata(provenance=provenance), mses[0], mses[1], mses[2]
