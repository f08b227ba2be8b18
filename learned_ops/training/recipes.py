"""Training recipes: the settings a training run uses, as plain data.

* ``default`` -- full-batch gradient descent (Keras ``SGD``) on a *whitened* parameterisation:
  theta is expressed in a basis in which the inputs' second-moment matrix (estimated from a
  subsample of training inputs only, never from the targets) is the identity, so the quadratic
  loss is nearly isotropic and gradient descent converges geometrically to the least-squares
  optimum (to ~1e-12 in a few dozen epochs) instead of wandering 1e-3 away from it as the seed's
  minibatch Adam does. Stops once an epoch moves no coefficient by more than 1e-10
  (the iteration contracts by ~10x per epoch, so the remaining error is ~1e-11). Starts at
  theta = 0 (zero kernel when free, the textbook stencil when constrained). The validation
  error is measured once, at the end (it cannot change a least-squares fit's course).
* ``seed`` -- the notebook's settings: Adam(lr 0.1, clipnorm 1), batch 512, 30 epochs,
  validation split 0.2, target at the node, the raw kernel as the trainable variable with Keras'
  Glorot-uniform initialisation, validation error after every epoch (as Keras printed it); in
  float64 (the notebook silently ran in float32).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from learned_ops.errors import TrainingError

__all__ = ["DIVERGENCE_FACTOR", "RECIPES", "TrainSettings", "recipe_settings"]

#: A run that is not plain full-batch gradient descent (Adam, minibatches, clipping) is taken
#: as diverging once an epoch's training loss exceeds its first epoch's by this factor: such
#: loss need not fall every epoch, but a hundredfold rise above the cost of the initial guess
#: is not a transient. (Plain gradient descent on the quadratic loss is held to more: its loss
#: never rises when it converges.)
DIVERGENCE_FACTOR = 100.0


@dataclass(frozen=True)
class TrainSettings:
    """How a stencil is trained.

    Attributes:
        optimizer: "sgd" or "adam" (Keras optimizers).
        learning_rate: Step size.
        clipnorm: Keras gradient clipping by norm (None: none).
        batch_size: Samples per optimizer step; None means one full-batch step per epoch
            (gradients accumulated over the whole training split).
        epochs: Most epochs to run.
        parameterisation: "whitened" (see module docstring) or "raw" (theta is the kernel).
        init: "zeros" or "glorot" (Keras Glorot-uniform, as Conv1D).
        tolerance: Stop early once an epoch changes the coefficients by less than this
            (max abs, dimensionless); 0 disables early stopping.
        whitening_samples: Most training samples whose inputs estimate the whitening basis
            (never more than a quarter of the training split).
        shuffle: Reshuffle the training samples each epoch (minibatch mode).
        chunk_samples: Samples per data block in full-batch mode (bounds memory).
        validate_each_epoch: Record the validation MSE after every epoch (a pass over the
            validation split each time); otherwise only once, at the end.
    """

    optimizer: Literal["sgd", "adam"] = "sgd"
    learning_rate: float = 0.5
    clipnorm: float | None = None
    batch_size: int | None = None
    epochs: int = 60
    parameterisation: Literal["whitened", "raw"] = "whitened"
    init: Literal["zeros", "glorot"] = "zeros"
    tolerance: float = 1e-10
    whitening_samples: int = 8192
    shuffle: bool = False
    chunk_samples: int = 1024
    validate_each_epoch: bool = False

    def __post_init__(self) -> None:
        if self.optimizer not in ("sgd", "adam"):
            raise TrainingError(f"unknown optimizer {self.optimizer!r}; choose sgd or adam")
        if self.parameterisation not in ("whitened", "raw"):
            raise TrainingError(f"unknown parameterisation {self.parameterisation!r}; "
                                "choose whitened or raw")
        if self.init not in ("zeros", "glorot"):
            raise TrainingError(f"unknown init {self.init!r}; choose zeros or glorot")
        for name in ("learning_rate", "tolerance") + (("clipnorm",) if self.clipnorm else ()):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                math.isfinite(value)
            ):
                raise TrainingError(f"{name} must be a finite number, got {value!r}")
        if not (self.learning_rate > 0):
            raise TrainingError(f"learning rate must be > 0, got {self.learning_rate!r}")
        for name in ("whitening_samples", "chunk_samples"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TrainingError(f"{name} must be an integer >= 1, got {value!r}")
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1:
            raise TrainingError(f"epochs must be an integer >= 1, got {self.epochs!r}")
        if self.batch_size is not None and (
            isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int)
            or self.batch_size < 1
        ):
            raise TrainingError(f"batch size must be an integer >= 1 or None, got "
                                f"{self.batch_size!r}")
        if self.clipnorm is not None and not self.clipnorm > 0:
            raise TrainingError(f"clipnorm must be > 0 or None, got {self.clipnorm!r}")
        for name in ("shuffle", "validate_each_epoch"):
            if not isinstance(getattr(self, name), bool):
                raise TrainingError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.tolerance < 0:
            raise TrainingError(f"tolerance must be >= 0, got {self.tolerance!r}")

    @property
    def plain_gradient_descent(self) -> bool:
        """Full-batch SGD without clipping: a linear iteration on the quadratic loss, whose
        stability (lr < 2 / largest curvature) and monotone loss are exact."""
        return self.optimizer == "sgd" and self.batch_size is None and self.clipnorm is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings for provenance."""
        return asdict(self)


RECIPES: dict[str, TrainSettings] = {
    "default": TrainSettings(),
    "seed": TrainSettings(
        optimizer="adam", learning_rate=0.1, clipnorm=1.0, batch_size=512, epochs=30,
        parameterisation="raw", init="glorot", tolerance=0.0, shuffle=True,
        validate_each_epoch=True,
    ),
}


def recipe_settings(name: str, **overrides: Any) -> TrainSettings:
    """The named recipe's settings with ``overrides`` applied (None values ignored)."""
    if name not in RECIPES:
        raise TrainingError(f"unknown recipe {name!r}; choose one of {', '.join(RECIPES)}")
    changes = {k: v for k, v in overrides.items() if v is not None}
    try:
        return replace(RECIPES[name], **changes)
    except TypeError as exc:
        raise TrainingError(f"bad training setting: {exc}") from None
