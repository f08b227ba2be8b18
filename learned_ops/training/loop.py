"""The Keras training loop of a run (imports TensorFlow: load only when training runs).

One :class:`~learned_ops.training.layer.StencilLayer` per stencil, one Keras optimizer over all
their parameters. Keras optimizers update (and clip, ``clipnorm``) each variable on its own, and
the run's loss is the sum of the stencils' independent losses, so each stencil follows exactly
the steps it would follow if trained alone; a stencil that meets the tolerance is frozen (left
out of later updates) while the others go on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from learned_ops.errors import TrainingDiverged
from learned_ops.training.checkpoints import TrainingState
from learned_ops.training.constraints import AffineStencilSpace
from learned_ops.training.data import Stacked, TrainingData
from learned_ops.training.layer import StencilLayer
from learned_ops.training.objective import Objective
from learned_ops.training.recipes import DIVERGENCE_FACTOR, TrainSettings

__all__ = ["KerasRun"]


def _initial_theta(settings: TrainSettings, dim: int, seed: int) -> np.ndarray:
    if settings.init == "zeros":
        return np.zeros(dim)
    limit = np.sqrt(6.0 / (2 * dim))  # Conv1D (K, 1, 1) kernel: fan_in = fan_out = K
    return np.random.default_rng([seed, 1]).uniform(-limit, limit, dim)


def _loss_bound(settings: TrainSettings, past: Sequence[float]) -> float:
    """The largest epoch loss a converging run can show after the epochs ``past``.

    Plain full-batch gradient descent on a quadratic multiplies each eigen-component of the
    error by |1 - lr * lambda| every epoch, so while it converges its loss never rises: any rise
    beyond round-off (1e-6 relative, far above float64 summation error) proves a factor above
    1, i.e. divergence. Adam, minibatches and clipping carry no such guarantee; they are held
    to ``DIVERGENCE_FACTOR`` times the first epoch's loss.
    """
    if settings.plain_gradient_descent:
        return _loss_reference(settings, past) * (1.0 + 1e-6)
    return _loss_reference(settings, past) * DIVERGENCE_FACTOR


def _loss_reference(settings: TrainSettings, past: Sequence[float]) -> float:
    """The loss a rise is measured from: the lowest so far (plain gradient descent) or the
    first epoch's (otherwise)."""
    return min(past) if settings.plain_gradient_descent else past[0]


class KerasRun:
    """Layers, optimizer, history and the epoch loop of one run.

    Args:
        labels: One short name per stencil (progress messages).
        objectives: One objective per stencil.
        spaces: Each stencil's affine coefficient space.
        bases: Each stencil's parameter basis (whitened or raw).
        settings: The run's settings.
        data: The run's prepared data (NumPy side done).
        seed: Initialisation and shuffling seed.
        strategy: The ``tf.distribute`` strategy.
        progress: Called with one-line messages (None: silent).
    """

    def __init__(self, labels: Sequence[str], objectives: Sequence[Objective],
                 spaces: Sequence[AffineStencilSpace], bases: Sequence[np.ndarray],
                 settings: TrainSettings, data: TrainingData, seed: int, strategy: Any,
                 progress: Callable[[str], None] | None) -> None:
        self.labels, self.objectives, self.settings = list(labels), list(objectives), settings
        self.data, self.strategy = data, strategy
        self.say = progress or (lambda message: None)
        data.to_tensors(tf)
        with strategy.scope():
            self.layers = []
            for objective, space, basis in zip(objectives, spaces, bases, strict=True):
                layer = StencilLayer(list(objective.offsets), objective.derivative_order,
                                     objective.dx, space.base.tolist(), basis.tolist(),
                                     _initial_theta(settings, space.dim, seed).tolist())
                layer.build((None, objective.splits.family.n_points))
                self.layers.append(layer)
            self.thetas = [layer.theta for layer in self.layers]
            optimizer = keras.optimizers.SGD if settings.optimizer == "sgd" else (
                keras.optimizers.Adam)
            self.optimizer = optimizer(learning_rate=settings.learning_rate,
                                       clipnorm=settings.clipnorm)
            self.optimizer.build(self.thetas)
        self.epoch = 0
        self.histories: list[list[dict[str, float]]] = [[] for _ in self.layers]
        self.active = list(range(len(self.layers)))
        self.last_good = self.snapshot()
        self._fused: dict[tuple[int, ...], Any] = {}
        self.lengths = [objective.outputs for objective in objectives]
        points = objectives[0].splits.family.n_points
        stacked = (tf.TensorSpec((None, None, points), tf.float64),
                   tuple(tf.TensorSpec((None, None, points), tf.float64)
                         for _ in data.target_keys))
        self._gradient = tf.function(self._replica_gradient, reduce_retracing=True)
        self._full_batch = tf.function(self._stacked_gradient, input_signature=stacked,
                                       autograph=False)
        self._sse = tf.function(self._stacked_sse, input_signature=stacked, autograph=False)

    # ----------------------------------------------------------------- state
    def snapshot(self) -> TrainingState:
        """Parameters, optimizer variables and histories after the current epoch."""
        return TrainingState(
            self.epoch, [theta.numpy().copy() for theta in self.thetas],
            [np.asarray(v.numpy()).ravel().tolist() for v in self.optimizer.variables],
            [[dict(h) for h in history] for history in self.histories])

    def restore(self, state: TrainingState) -> None:
        """Continue from a snapshot (the stencils still moving then are the active ones)."""
        for theta, value in zip(self.thetas, state.thetas, strict=True):
            theta.assign(value)
        for variable, value in zip(self.optimizer.variables, state.optimizer, strict=True):
            variable.assign(np.asarray(value).reshape(variable.shape))
        self.epoch = state.epoch
        self.histories = [list(h) for h in state.histories]
        self.active = [i for i, h in enumerate(self.histories)
                       if len(h) == self.epoch and not (h and self._converged(h[-1]))]
        self.last_good = self.snapshot()

    def coefficients(self, index: int) -> np.ndarray:
        """Stencil ``index``'s dimensionless coefficients."""
        return self.layers[index].dimensionless_coefficients()

    def _converged(self, record: dict[str, float]) -> bool:
        return bool(self.settings.tolerance) and record["change"] < self.settings.tolerance

    # ----------------------------------------------------------------- TensorFlow functions
    def _sses(self, samples: tf.Tensor, targets: tuple) -> list[tf.Tensor]:
        """Each stencil's sum of squared errors on one batch (each against its L target
        columns)."""
        data = self.data
        return [
            tf.reduce_sum(tf.square(layer(samples) - targets[index][:, column : column + length]))
            for layer, index, column, length in zip(self.layers, data.target_index, data.columns,
                                                    self.lengths, strict=True)
        ]

    def _replica_gradient(self, samples: tf.Tensor, targets: tuple) -> tuple[list, tf.Tensor,
                                                                              tf.Tensor]:
        with tf.GradientTape() as tape:
            sses = self._sses(samples, targets)
            total = tf.add_n(sses)
        grads = tape.gradient(total, self.thetas)
        counts = tf.stack([tf.cast(tf.shape(samples)[0] * length, tf.float64)
                           for length in self.lengths])
        return grads, tf.stack(sses), counts

    @staticmethod
    def _chunk(targets: tuple, index: tf.Tensor) -> tuple:
        """Chunk ``index`` of each stacked target array."""
        return tuple(target[index] for target in targets)

    def _stacked_gradient(self, samples: tf.Tensor, targets: tuple) -> tuple[list, tf.Tensor]:
        """Sum of squared errors and its gradient over every chunk of a stacked split."""

        def body(index: tf.Tensor, grads: list, total: tf.Tensor) -> tuple:
            chunk_grads, sses, _ = self._replica_gradient(samples[index],
                                                          self._chunk(targets, index))
            return (index + 1, [a + b for a, b in zip(grads, chunk_grads, strict=True)],
                    total + sses)

        start = (tf.constant(0), [tf.zeros_like(theta) for theta in self.thetas],
                 tf.zeros(len(self.layers), tf.float64))
        _, grads, total = tf.while_loop(lambda index, *_: index < tf.shape(samples)[0], body,
                                        start)
        return grads, total

    def _stacked_sse(self, samples: tf.Tensor, targets: tuple) -> tf.Tensor:
        def body(index: tf.Tensor, total: tf.Tensor) -> tuple:
            sses = self._sses(samples[index], self._chunk(targets, index))
            return index + 1, total + tf.stack(sses)

        start = (tf.constant(0), tf.zeros(len(self.layers), tf.float64))
        return tf.while_loop(lambda index, _: index < tf.shape(samples)[0], body, start)[1]

    def _reduced(self, batch: Any) -> tuple[list, tf.Tensor, tf.Tensor]:
        per_replica = self.strategy.run(self._gradient, args=batch)
        return tf.nest.map_structure(
            lambda t: self.strategy.reduce(tf.distribute.ReduceOp.SUM, t, axis=None),
            per_replica)

    def _apply(self, grads: Sequence[tf.Tensor], counts: tf.Tensor,
               active: Sequence[int]) -> None:
        self.optimizer.apply_gradients([(grads[i] / counts[i], self.thetas[i]) for i in active])

    def _fused_epoch(self, active: tuple[int, ...]) -> Any:
        """One traced function per set of active stencils: a whole minibatch epoch."""
        if active not in self._fused:
            def epoch(dataset: Any) -> tuple[tf.Tensor, tf.Tensor]:
                size = len(self.layers)
                sse_sum = tf.zeros(size, tf.float64)
                count_sum = tf.zeros(size, tf.float64)
                for samples, targets in dataset:
                    grads, sses, counts = self._gradient(samples, targets)
                    self._apply(grads, counts, active)
                    sse_sum += sses
                    count_sum += counts
                return sse_sum, count_sum

            self._fused[active] = tf.function(epoch, reduce_retracing=True)
        return self._fused[active]

    # ----------------------------------------------------------------- the loop
    def train(self) -> None:
        """Run epochs until every stencil has converged or the epoch limit is reached."""
        settings, data = self.settings, self.data
        minibatch = settings.batch_size is not None
        fused = minibatch and self.strategy.num_replicas_in_sync == 1
        previous = [self.coefficients(i) for i in range(len(self.layers))]
        while self.active and self.epoch < settings.epochs:
            active = tuple(self.active)
            if data.train is not None:  # in memory, full batch: one call per epoch
                grads, sse = self._full_batch(data.train.samples, data.train.targets)
                count, steps = data.train.counts, 1
                self._apply(grads, count, active)
            elif fused:
                sse, count = self._fused_epoch(active)(data.epoch_dataset(self.epoch))
                steps = -(-data.n_train // settings.batch_size)
            else:
                grad_sum, sse, count, steps = None, 0.0, 0.0, 0
                for batch in data.epoch_batches(self.epoch, self.strategy):
                    grads, batch_sse, batch_count = self._reduced(batch)
                    if minibatch:
                        self._apply(grads, batch_count, active)
                    else:
                        grad_sum = grads if grad_sum is None else [
                            a + b for a, b in zip(grad_sum, grads, strict=True)]
                    sse, count, steps = sse + batch_sse, count + batch_count, steps + 1
                if not minibatch:
                    self._apply(grad_sum, count, active)
                    steps = 1
            self.epoch += 1
            messages = self._record(active, np.asarray(sse), np.asarray(count), steps, previous)
            self.last_good = self.snapshot()
            for message in messages:  # reported only once saved: an epoch seen is an epoch kept
                self.say(message)

    def _record(self, active: tuple[int, ...], sse: np.ndarray, count: np.ndarray, steps: int,
                previous: list[np.ndarray]) -> list[str]:
        """Append this epoch's records, freeze converged stencils; the progress lines."""
        validation = None
        if self.data.validation is not None and self.settings.validate_each_epoch:
            validation = self.split_mses(self.data.validation)
        messages = []
        for i in active:
            coefficients = self.coefficients(i)
            train_mse = float(sse[i] / count[i])
            self._check_divergence(i, train_mse, coefficients)
            change = float(np.max(np.abs(coefficients - previous[i])))
            previous[i] = coefficients
            record = {"epoch": self.epoch, "train_mse": train_mse,
                      "change": change, "steps": steps}
            if validation is not None:
                record["val_mse"] = validation[i]
            self.histories[i].append(record)
            val = f" val {record['val_mse']:.6g}" if "val_mse" in record else ""
            who = f" [{self.labels[i]}]" if len(self.layers) > 1 else ""
            messages.append(f"epoch {self.epoch}/{self.settings.epochs}{who} train mse "
                            f"{record['train_mse']:.6g}{val} change {change:.2e}")
            if self._converged(record):
                self.active.remove(i)
        return messages

    def _check_divergence(self, index: int, train_mse: float,
                          coefficients: np.ndarray) -> None:
        """Stop a stencil whose loss is non-finite or has grown (see :func:`_loss_bound`).

        Raises:
            TrainingDiverged: With what to change (samples, learning rate, --method lstsq).
        """
        past = [record["train_mse"] for record in self.histories[index]]
        what = None
        if not (math.isfinite(train_mse) and np.isfinite(coefficients).all()):
            what = "the loss or the coefficients are no longer finite"
        elif past and train_mse > _loss_bound(self.settings, past):
            what = f"train MSE rose from {_loss_reference(self.settings, past):.3g} to " \
                f"{train_mse:.3g}"
        if what is not None:
            raise TrainingDiverged(
                f"training diverged at epoch {self.epoch} ({self.labels[index]}): {what}; use "
                "more samples, a smaller --learning-rate, or --method lstsq"
            )

    # ----------------------------------------------------------------- errors on the splits
    def split_mses(self, stacked: Stacked) -> list[float]:
        """Each stencil's mean squared error over a stacked split (float64, in TensorFlow)."""
        return (self._sse(stacked.samples, stacked.targets).numpy() / stacked.counts).tolist()

    def final_mses(self) -> list[dict[str, float]]:
        """Per stencil, the final errors on the splits held in memory (train when its windows
        are, validation, test); the others are left to NumPy."""
        known: list[dict[str, float]] = [{} for _ in self.layers]
        for split, stacked in (("train", self.data.train), ("val", self.data.validation),
                               ("test", self.data.test)):
            if stacked is not None:
                for record, value in zip(known, self.split_mses(stacked), strict=True):
                    record[split] = value
        return known
