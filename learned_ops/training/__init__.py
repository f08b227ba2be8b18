"""Training learned stencils with TensorFlow/Keras (imported lazily, only when training runs).

One concept per module:

- :mod:`~learned_ops.training.api`: the entry points :func:`train_stencil`,
  :func:`train_stencils` and the least-squares oracle :func:`fit_least_squares`.
- :mod:`~learned_ops.training.objective`: the MSE objective on a seeded dataset.
- :mod:`~learned_ops.training.constraints`: the affine space of stencils meeting the constraints.
- :mod:`~learned_ops.training.lstsq`: the closed-form least-squares solution.
- :mod:`~learned_ops.training.preconditioning`: the whitening preconditioner.
- :mod:`~learned_ops.training.divergence`: refusals of runs that cannot converge.
- :mod:`~learned_ops.training.data`: the training data, in memory or streamed.
- :mod:`~learned_ops.training.recipes`: named training settings.
- :mod:`~learned_ops.training.environment`: TensorFlow's start-up settings, the data thread.
- :mod:`~learned_ops.training.layer`, :mod:`~learned_ops.training.loop`: the Keras layer and
  the training loop (these two import TensorFlow).
- :mod:`~learned_ops.training.bridge`: Keras layers to and from stencils.
- :mod:`~learned_ops.training.checkpoints`: checkpoints for Ctrl-C and resume.
- :mod:`~learned_ops.training.provenance`: the provenance record and the result.
"""

from __future__ import annotations

from learned_ops.training.api import (
    ProgressFn,
    StencilRequest,
    default_splits,
    fit_least_squares,
    train_stencil,
    train_stencils,
)
from learned_ops.training.provenance import TrainingResult

__all__ = [
    "ProgressFn",
    "StencilRequest",
    "TrainingResult",
    "default_splits",
    "fit_least_squares",
    "train_stencil",
    "train_stencils",
]
