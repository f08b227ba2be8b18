"""The whitening preconditioner: a parameter basis in which the training inputs' second
moments are the identity."""

from __future__ import annotations

import math

import numpy as np

from learned_ops.errors import TrainingError
from learned_ops.training.constraints import AffineStencilSpace
from learned_ops.training.lstsq import streamed_r_factor
from learned_ops.training.objective import Objective


def _whitened_basis(objective: Objective, space: AffineStencilSpace, samples: int,
                    train_u: np.ndarray | None = None) -> np.ndarray:
    """basis @ T with T making the inputs' (subsampled) second moments the identity.

    Uses training *inputs* only: the targets never enter, so this is a preconditioner. The
    subsample is at most a quarter of the training split, so the preconditioner is never the
    exact Hessian and training always iterates.
    """
    lo, hi = objective.splits.range("train")
    count = max(1, min(samples, (hi - lo) // 4))
    u = train_u[:count] if train_u is not None else objective.arrays("train", 0, count)[0]
    scale = objective.dx ** (-objective.derivative_order)
    design = objective.windows(u) * scale @ space.basis
    r = streamed_r_factor([design])
    sing = np.linalg.svd(r, compute_uv=False)
    if sing[-1] <= sing[0] * 1e-13:
        raise TrainingError(
            "the training inputs cannot distinguish the stencil's taps (singular design); use "
            "a richer data family or fewer offsets"
        )
    transform = np.linalg.inv(r) * math.sqrt(design.shape[0])
    return space.basis @ transform
