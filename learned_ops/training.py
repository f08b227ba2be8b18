"""Train stencils with TensorFlow/Keras (imported lazily, only when training runs).

:func:`train_stencil` is the one entry point: it builds the parameterised
:class:`~learned_ops.keras_layer.StencilLayer`, runs gradient-based training in float64 on a
seeded dataset (in memory or streamed through ``tf.data``), optionally inside any
``tf.distribute.Strategy``, and returns a plain :class:`~learned_ops.stencil.Stencil` with a
provenance record. Ctrl-C or SIGTERM saves a checkpoint (when a path is given) from which
``resume=True`` continues to the same result an uninterrupted run gives.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from learned_ops.checkpoints import (
    TrainingState,
    load_checkpoint,
    run_fingerprint,
    save_checkpoint,
    sigterm_as_interrupt,
)
from learned_ops.constraints import AffineStencilSpace, stencil_space
from learned_ops.data import SeedFamily, Splits, make_splits
from learned_ops.errors import TrainingError, TrainingInterrupted
from learned_ops.lstsq import least_squares_coefficients, streamed_r_factor
from learned_ops.objective import Objective, TargetPosition
from learned_ops.recipes import TrainSettings, recipe_settings
from learned_ops.stencil import Stencil

__all__ = ["TrainingResult", "default_splits", "fit_least_squares", "train_stencil"]

ProgressFn = Callable[[str], None]


@dataclass
class TrainingResult:
    """What a training run produced.

    Attributes:
        stencil: The trained operator (dimensionless coefficients, provenance attached).
        history: Per-epoch records: ``epoch``, ``train_mse``, ``val_mse``, ``step``.
        train_mse: Final MSE on the training split.
        val_mse: Final MSE on the validation split (nan if empty).
        test_mse: Final MSE on the disjoint test split (nan if empty).
        seconds: Wall time: ``data`` and ``training``.
        epochs_run: Epochs completed (early stopping may end before the limit).
    """

    stencil: Stencil
    history: list[dict[str, float]]
    train_mse: float
    val_mse: float
    test_mse: float
    seconds: dict[str, float] = field(default_factory=dict)
    epochs_run: int = 0


def default_splits(n_samples: int = 50_000, seed: int = 0, family: Any = None) -> Splits:
    """The seed notebook's data size (50,000 samples) split 64/16/20 into disjoint parts."""
    return make_splits(family or SeedFamily(), n_samples, seed)


def _quiet_tensorflow_logs() -> None:
    """Hide TensorFlow's C++ start-up chatter (no GPU found, CPU features) unless the user set
    ``TF_CPP_MIN_LOG_LEVEL`` themselves; Python-level errors still raise as usual."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextlib.contextmanager
def _silenced_stderr(active: bool) -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while TensorFlow starts (its C++ logger ignores
    TF_CPP_MIN_LOG_LEVEL for a few lines); Python exceptions still propagate normally."""
    if not active:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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


def fit_least_squares(
    offsets: tuple[int, ...] | list[int], derivative_order: int, *,
    accuracy_order: int | None = None, splits: Splits | None = None,
    target: TargetPosition = "node", symmetric: bool = False, name: str = "",
) -> TrainingResult:
    """Closed-form least-squares fit of the training objective: NOT learned (an oracle).

    Same data, objective and constraints as :func:`train_stencil`, solved exactly.
    """
    started = time.perf_counter()
    objective = Objective(splits or default_splits(), tuple(offsets), derivative_order, target)
    space = stencil_space(objective.offsets, derivative_order, accuracy_order, objective.x0,
                          symmetric)
    coefficients = least_squares_coefficients(objective, space)
    stencil, tr, va, te = _finish(
        objective, space, coefficients, name or "least-squares",
        _provenance(objective, space, "least-squares (closed form, not learned)",
                    {"versions": _library_versions(False)}),
    )
    elapsed = time.perf_counter() - started
    return TrainingResult(stencil, [], tr, va, te, {"data": 0.0, "training": elapsed}, 0)


# --------------------------------------------------------------------------- parameterisation
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


def _initial_theta(settings: TrainSettings, dim: int, seed: int) -> np.ndarray:
    if settings.init == "zeros":
        return np.zeros(dim)
    limit = math.sqrt(6.0 / (2 * dim))  # Conv1D (K, 1, 1) kernel: fan_in = fan_out = K
    return np.random.default_rng([seed, 1]).uniform(-limit, limit, dim)


# --------------------------------------------------------------------------- the trainer
def train_stencil(
    offsets: tuple[int, ...] | list[int],
    derivative_order: int = 1,
    *,
    accuracy_order: int | None = None,
    splits: Splits | None = None,
    target: TargetPosition = "node",
    symmetric: bool = False,
    recipe: str = "default",
    settings: TrainSettings | None = None,
    seed: int = 0,
    strategy: Any = None,
    stream: bool = False,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    progress: ProgressFn | None = _stderr_progress,
    deterministic: bool = True,
    name: str = "",
) -> TrainingResult:
    """Train a derivative stencil by gradient descent in Keras, in float64.

    Args:
        offsets: Strictly increasing integer offsets.
        derivative_order: m.
        accuracy_order: Constrain every iterate to this order (None: free, as the seed).
        splits: Seeded dataset and disjoint splits (default: seed family, 50,000 samples).
        target: "node" (as the seed) or "centre" (stencil centre; midpoint for (0, 1)).
        symmetric: Also constrain to the derivative's exact (skew-)symmetry (central offsets).
        recipe: "default" or "seed" (see :mod:`learned_ops.recipes`); ignored if ``settings``.
        settings: Explicit settings.
        seed: Seed for initialisation and shuffling.
        strategy: A ``tf.distribute.Strategy`` (default: TensorFlow's current one).
        stream: Feed training data through ``tf.data`` from a generator instead of memory.
        checkpoint: Where to save a checkpoint on Ctrl-C / SIGTERM (None: no checkpoint).
        resume: Continue from ``checkpoint``.
        progress: Called with one-line progress messages (None: silent).
        deterministic: Turn on TensorFlow's op determinism.
        name: Name of the resulting stencil.

    Returns:
        The trained stencil, its history and its errors on the three splits.

    Raises:
        TrainingError: Bad settings, or NothingToLearnError when constraints fix everything.
        TrainingInterrupted: On Ctrl-C or SIGTERM (after saving the checkpoint).
    """
    settings = settings or recipe_settings(recipe)
    objective = Objective(splits or default_splits(), tuple(offsets), derivative_order, target)
    space = stencil_space(objective.offsets, derivative_order, accuracy_order, objective.x0,
                          symmetric)
    if resume and checkpoint is None:
        raise TrainingError("resume needs a checkpoint path")
    if stream and settings.shuffle:
        raise TrainingError(
            "streaming reads the training samples in order, but these settings reshuffle them "
            "every epoch (the seed recipe does); train in memory, or set shuffle=False"
        )
    say = progress or (lambda message: None)
    timings: dict[str, float] = {}

    started = time.perf_counter()
    with _silenced_stderr(progress is None and "tensorflow" not in sys.modules):
        _quiet_tensorflow_logs()
        import keras
        import tensorflow as tf

    from learned_ops.keras_layer import StencilLayer

    if deterministic:
        tf.config.experimental.enable_op_determinism()
    strategy = strategy or tf.distribute.get_strategy()
    timings["import"] = time.perf_counter() - started

    started = time.perf_counter()
    data = _TrainingData(objective, settings, stream, seed, tf)
    if settings.parameterisation == "whitened":
        basis = _whitened_basis(objective, space, settings.whitening_samples, data.train_u)
    else:
        basis = space.basis * objective.dx**derivative_order
    fingerprint = run_fingerprint(objective.splits.to_dict(), space, objective.target,
                                  settings.to_dict(), seed, stream)
    theta0 = _initial_theta(settings, space.dim, seed)
    timings["data"] = time.perf_counter() - started

    started = time.perf_counter()
    with strategy.scope():
        layer = StencilLayer(list(objective.offsets), derivative_order, objective.dx,
                             space.base.tolist(), basis.tolist(), theta0.tolist())
        layer.build((None, objective.splits.family.n_points))
        if settings.optimizer == "sgd":
            optimizer = keras.optimizers.SGD(learning_rate=settings.learning_rate,
                                             clipnorm=settings.clipnorm)
        else:
            optimizer = keras.optimizers.Adam(learning_rate=settings.learning_rate,
                                              clipnorm=settings.clipnorm)
        optimizer.build([layer.theta])

    history: list[dict[str, float]] = []
    first_epoch = 0
    if resume:
        state = load_checkpoint(Path(checkpoint), fingerprint)  # type: ignore[arg-type]
        layer.theta.assign(state.theta)
        for variable, value in zip(optimizer.variables, state.optimizer, strict=True):
            variable.assign(np.asarray(value).reshape(variable.shape))
        history, first_epoch = list(state.history), state.epoch
        say(f"resuming from {checkpoint} after epoch {first_epoch}")

    @tf.function(reduce_retracing=True)
    def replica_gradient(u: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        with tf.GradientTape() as tape:
            residual = layer(u) - y
            sse = tf.reduce_sum(tf.square(residual))
        return tape.gradient(sse, layer.theta), sse, tf.cast(tf.size(y), tf.float64)

    def reduced(batch: Any) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        per_replica = strategy.run(replica_gradient, args=batch)
        return tuple(strategy.reduce(tf.distribute.ReduceOp.SUM, t, axis=None)
                     for t in per_replica)

    @tf.function(reduce_retracing=True)
    def local_step(u: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        grad, sse, count = replica_gradient(u, y)
        optimizer.apply_gradients([(grad / count, layer.theta)])
        return sse, count

    @tf.function(reduce_retracing=True)
    def local_epoch(dataset: Any) -> tuple[tf.Tensor, tf.Tensor]:
        sse_sum = tf.constant(0.0, tf.float64)
        count_sum = tf.constant(0.0, tf.float64)
        for u, y in dataset:
            sse, count = local_step(u, y)
            sse_sum += sse
            count_sum += count
        return sse_sum, count_sum

    fused = settings.batch_size is not None and strategy.num_replicas_in_sync == 1

    def snapshot(epoch: int) -> TrainingState:
        return TrainingState(epoch, layer.theta.numpy().copy(),
                      [np.asarray(v.numpy()).ravel().tolist() for v in optimizer.variables],
                      [dict(h) for h in history])

    last_good = snapshot(first_epoch)
    previous = layer.dimensionless_coefficients()
    epoch = first_epoch
    try:
        with sigterm_as_interrupt():
            for epoch in range(first_epoch, settings.epochs):
                sses, counts, steps = [], [], 0
                grad_sum = None
                if fused:
                    sse, count = local_epoch(data.epoch_dataset(epoch))
                    sses, counts = [sse], [count]
                    steps = -(-data.n_train // settings.batch_size)
                for batch in () if fused else data.epoch_batches(epoch, strategy):
                    grad, sse, count = reduced(batch)
                    if settings.batch_size is None:
                        grad_sum = grad if grad_sum is None else grad_sum + grad
                    else:
                        optimizer.apply_gradients([(grad / count, layer.theta)])
                    sses.append(sse)
                    counts.append(count)
                    steps += 1
                sse_total, count_total = float(tf.add_n(sses)), float(tf.add_n(counts))
                if settings.batch_size is None:
                    optimizer.apply_gradients([(grad_sum / count_total, layer.theta)])
                    steps = 1
                coefficients = layer.dimensionless_coefficients()
                if not np.isfinite(coefficients).all():
                    raise TrainingError(f"training diverged at epoch {epoch + 1}: non-finite "
                                        "coefficients; lower the learning rate")
                change = float(np.max(np.abs(coefficients - previous)))
                previous = coefficients
                record = {"epoch": epoch + 1, "train_mse": sse_total / count_total,
                          "change": change, "steps": steps}
                if data.has_validation:
                    record["val_mse"] = data.validation_mse(layer)
                history.append(record)
                last_good = snapshot(epoch + 1)
                val = f" val {record['val_mse']:.6g}" if "val_mse" in record else ""
                say(f"epoch {epoch + 1}/{settings.epochs} train mse {record['train_mse']:.6g}"
                    f"{val} change {change:.2e}")
                if settings.tolerance and change < settings.tolerance:
                    break
    except KeyboardInterrupt:
        if checkpoint is not None:
            save_checkpoint(Path(checkpoint), fingerprint, last_good)
            raise TrainingInterrupted(
                f"training interrupted after epoch {last_good.epoch}; checkpoint saved to "
                f"{checkpoint}; rerun with --resume to continue"
            ) from None
        raise TrainingInterrupted(
            f"training interrupted after epoch {last_good.epoch}; no checkpoint path was "
            "given, so nothing was saved"
        ) from None
    timings["training"] = time.perf_counter() - started

    extra = {
        "recipe": recipe if settings == recipe_settings(recipe) else "custom",
        "settings": settings.to_dict(), "init_seed": seed, "streaming": stream,
        "replicas": int(strategy.num_replicas_in_sync), "history": history,
        "epochs_run": len(history), "versions": _library_versions(True),
    }
    known = {"train": data.train_mse(layer)}
    if data.has_validation:
        known["val"] = data.validation_mse(layer)
    stencil, tr, va, te = _finish(objective, space, layer.dimensionless_coefficients(),
                                  name or "learned", _provenance(objective, space, "keras", extra),
                                  known)
    return TrainingResult(stencil, history, tr, va, te, timings, len(history))


class _TrainingData:
    """Training batches (in memory or streamed) and the validation loss."""

    def __init__(self, objective: Objective, settings: TrainSettings, stream: bool, seed: int,
                 tf: Any) -> None:
        self.objective, self.settings, self.stream, self.seed, self.tf = (
            objective, settings, stream, seed, tf)
        lo, hi = objective.splits.range("train")
        self.n_train = hi - lo
        self._u = self._y = None
        self.train_u: np.ndarray | None = None
        rows = settings.chunk_samples
        if not stream:
            u, y = objective.arrays("train")
            self.train_u = u
            self._u, self._y = tf.constant(u), tf.constant(y)
            if settings.batch_size is None:  # full batch: cut the windows once, not per epoch
                length, taps = objective.outputs, len(objective.offsets)
                self._chunks = [
                    (tf.constant(objective.windows(u[i : i + rows]).reshape(-1, length, taps)),
                     self._y[i : i + rows])
                    for i in range(0, self.n_train, rows)
                ]
        vlo, vhi = objective.splits.range("val")
        self.has_validation = vhi > vlo
        if self.has_validation:
            u, y = objective.arrays("val")
            self._val = [(tf.constant(u[i : i + rows]), tf.constant(y[i : i + rows]))
                         for i in range(0, vhi - vlo, rows)]
            self._val_count = float(y.size)

    def epoch_dataset(self, epoch: int) -> Any:
        """This epoch's batches as a ``tf.data.Dataset`` (shuffled per epoch if asked)."""
        tf = self.tf
        batch = self.settings.batch_size or self.settings.chunk_samples
        if self.stream:
            p, length = self.objective.splits.family.n_points, self.objective.outputs
            return tf.data.Dataset.from_generator(
                lambda: self.objective.chunks("train", batch),
                output_signature=(tf.TensorSpec((None, p), tf.float64),
                                  tf.TensorSpec((None, length), tf.float64)),
            )
        order = np.arange(self.n_train)
        if self.settings.shuffle:
            order = np.random.default_rng([self.seed, 2, epoch]).permutation(self.n_train)
        u, y = self._u, self._y
        return tf.data.Dataset.from_tensor_slices(order).batch(batch).map(
            lambda idx: (tf.gather(u, idx), tf.gather(y, idx)))

    def epoch_batches(self, epoch: int, strategy: Any) -> Iterator[Any]:
        """This epoch's batches, distributed over the strategy's replicas."""
        if not self.stream and self.settings.batch_size is None and (
            strategy.num_replicas_in_sync == 1
        ):
            yield from self._chunks
            return
        dataset = self.epoch_dataset(epoch)
        if strategy.num_replicas_in_sync > 1:
            yield from strategy.experimental_distribute_dataset(dataset)
        else:
            yield from dataset

    def train_mse(self, layer: Any) -> float:
        """Mean squared error of the layer on the whole training split (float64)."""
        tf = self.tf
        if self.stream or self.settings.batch_size is not None:
            return self.objective.mse(layer.dimensionless_coefficients(), "train")
        total = tf.add_n([tf.reduce_sum(tf.square(layer(u) - y)) for u, y in self._chunks])
        count = sum(int(np.prod(y.shape)) for _, y in self._chunks)
        return float(total) / count

    def validation_mse(self, layer: Any) -> float:
        tf = self.tf
        total = tf.add_n([tf.reduce_sum(tf.square(layer(u) - y)) for u, y in self._val])
        return float(total) / self._val_count
