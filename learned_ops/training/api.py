"""Train stencils with TensorFlow/Keras (imported lazily, only when training runs).

:func:`train_stencil` trains one stencil, :func:`train_stencils` several on one dataset with
one pass over the data per epoch (each result equals training that stencil alone). Each stencil
is a parameterised :class:`~learned_ops.training.layer.StencilLayer` trained by gradient descent in
float64 on a seeded dataset (in memory or streamed through ``tf.data``), optionally inside any
``tf.distribute.Strategy`` (the loop is :mod:`learned_ops.training.loop`); the result is a plain
:class:`~learned_ops.stencil.Stencil` with a provenance record. Ctrl-C or SIGTERM saves a
checkpoint (when a path is given) from which ``resume=True`` continues to the same result an
uninterrupted run gives.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from learned_ops.data import SeedFamily, Splits, make_splits
from learned_ops.errors import TrainingError, TrainingInterrupted
from learned_ops.optional import require_tensorflow
from learned_ops.training.checkpoints import (
    load_checkpoint,
    run_fingerprint,
    save_checkpoint,
    sigterm_as_interrupt,
)
from learned_ops.training.constraints import AffineStencilSpace, stencil_space
from learned_ops.training.data import TrainingData
from learned_ops.training.divergence import (
    _check_final_loss,
    _check_sample_counts,
    _check_step_size,
)
from learned_ops.training.environment import (
    _Background,
    _silenced_stderr,
    _stderr_progress,
    _tensorflow_environment,
)
from learned_ops.training.lstsq import least_squares_coefficients
from learned_ops.training.objective import Objective, TargetPosition
from learned_ops.training.preconditioning import _whitened_basis
from learned_ops.training.provenance import (
    TrainingResult,
    _finish,
    _library_versions,
    _provenance,
)
from learned_ops.training.recipes import TrainSettings, recipe_settings

ProgressFn = Callable[[str], None]


def default_splits(n_samples: int = 50_000, seed: int = 0, family: Any = None) -> Splits:
    """The seed notebook's data size (50,000 samples) split 64/16/20 into disjoint parts."""
    return make_splits(family or SeedFamily(), n_samples, seed)


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


# --------------------------------------------------------------------------- the trainer
@dataclass(frozen=True)
class StencilRequest:
    """One stencil to train.

    Attributes:
        offsets: Strictly increasing integer offsets.
        derivative_order: m.
        accuracy_order: Constrain every iterate to this order (None: free, as the seed).
        target: "node" (as the seed) or "centre" (stencil centre; midpoint for (0, 1)).
        symmetric: Also constrain to the derivative's exact (skew-)symmetry.
        name: Name of the resulting stencil ("learned" if empty).
    """

    offsets: tuple[int, ...]
    derivative_order: int = 1
    accuracy_order: int | None = None
    target: TargetPosition = "node"
    symmetric: bool = False
    name: str = ""

    @property
    def label(self) -> str:
        """A short name for progress messages."""
        return self.name or "offsets " + ",".join(str(o) for o in self.offsets)


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
        recipe: "default" or "seed" (see :mod:`learned_ops.training.recipes`); ignored if
            ``settings``.
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
    request = StencilRequest(tuple(offsets), derivative_order, accuracy_order, target,
                             symmetric, name)
    return train_stencils(
        [request], splits=splits, recipe=recipe, settings=settings, seed=seed,
        strategy=strategy, stream=stream, checkpoint=checkpoint, resume=resume,
        progress=progress, deterministic=deterministic,
    )[0]


def train_stencils(
    requests: Sequence[StencilRequest],
    *,
    splits: Splits | None = None,
    recipe: str = "default",
    settings: TrainSettings | None = None,
    seed: int = 0,
    strategy: Any = None,
    stream: bool = False,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    progress: ProgressFn | None = _stderr_progress,
    deterministic: bool = True,
) -> list[TrainingResult]:
    """Train several stencils on one dataset together: one pass over the data per epoch.

    Each stencil keeps its own parameters, loss, learning-rate steps and early stopping (a
    stencil that has converged stops moving while the others go on), so every result is the one
    :func:`train_stencil` gives for that stencil alone; what is shared is the data, its
    preparation and each pass over it. The data's NumPy preparation runs in a background thread
    while TensorFlow is imported.

    Args:
        requests: The stencils to train (at least one).
        splits: Seeded dataset and disjoint splits (default: seed family, 50,000 samples).
        recipe: "default" or "seed" (see :mod:`learned_ops.training.recipes`); ignored if
            ``settings``.
        settings: Explicit settings.
        seed: Seed for initialisation and shuffling.
        strategy: A ``tf.distribute.Strategy`` (default: TensorFlow's current one).
        stream: Feed training data through ``tf.data`` from a generator instead of memory.
        checkpoint: Where to save a checkpoint on Ctrl-C / SIGTERM (None: no checkpoint).
        resume: Continue from ``checkpoint``.
        progress: Called with one-line progress messages (None: silent).
        deterministic: Turn on TensorFlow's op determinism.

    Returns:
        One result per request, in order. ``seconds`` is the run's, shared by all: ``import``
        (TensorFlow), ``data`` (NumPy preparation, overlapping the import), ``training`` and
        ``evaluation``.

    Raises:
        TrainingError: Bad settings, or NothingToLearnError when constraints fix everything.
        TrainingInterrupted: On Ctrl-C or SIGTERM (after saving the checkpoint).
    """
    requests = list(requests)
    if not requests:
        raise TrainingError("nothing to train: give at least one StencilRequest")
    for request in requests:
        if not isinstance(request, StencilRequest):
            raise TrainingError(f"each stencil to train must be a StencilRequest, got "
                                f"{request!r}; wrap offsets as StencilRequest(offsets)")
    require_tensorflow("training")  # before any work: say what to install
    settings = settings or recipe_settings(recipe)
    splits = splits or default_splits()
    objectives = [Objective(splits, tuple(r.offsets), r.derivative_order, r.target)
                  for r in requests]
    spaces = [stencil_space(o.offsets, r.derivative_order, r.accuracy_order, o.x0, r.symmetric)
              for o, r in zip(objectives, requests, strict=True)]
    if resume and checkpoint is None:
        raise TrainingError("resume needs a checkpoint path")
    if stream and settings.shuffle:
        raise TrainingError(
            "streaming reads the training samples in order, but these settings reshuffle them "
            "every epoch (the seed recipe does); train in memory, or set shuffle=False"
        )
    if "tensorflow" in sys.modules and sys.modules["tensorflow"].distribute.has_strategy():
        raise TrainingError(
            "training was started inside `with strategy.scope():`, where Keras cannot apply "
            "the optimizer's updates; call it outside the scope and pass strategy=strategy"
        )
    for space, request in zip(spaces, requests, strict=True):
        _check_sample_counts(splits, space.dim, request.label)
    replicas = 1 if strategy is None else int(strategy.num_replicas_in_sync)
    data = TrainingData(objectives, settings, stream, seed, replicas)
    timings: dict[str, float] = {}

    started = time.perf_counter()
    if progress is not None:  # the phase before epoch 1 takes seconds (the seed recipe ~14 s)
        progress(f"preparing {len(requests)} stencil(s)' training data and importing "
                 "TensorFlow ...")
    preparation = _Background(_prepare, data, objectives, spaces, settings)
    switch_interval = sys.getswitchinterval()
    try:  # NumPy work overlaps TensorFlow's import; hand the GIL over more often meanwhile
        sys.setswitchinterval(1e-4)
        preparation.start()
        with _silenced_stderr(progress is None and "tensorflow" not in sys.modules):
            _tensorflow_environment()
            import tensorflow as tf
        timings["import"] = time.perf_counter() - started
        bases, timings["data"] = preparation.result()
        if progress is not None:
            progress(f"data ready in {timings['data']:.1f} s (TensorFlow imported in "
                     f"{timings['import']:.1f} s); building the model")
    except KeyboardInterrupt:
        raise TrainingInterrupted("training interrupted before its first epoch; nothing was "
                                  "saved") from None
    finally:
        sys.setswitchinterval(switch_interval)

    if deterministic:
        tf.config.experimental.enable_op_determinism()
    from learned_ops.training.loop import KerasRun

    run = KerasRun([r.label for r in requests], objectives, spaces, bases, settings, data, seed,
                   strategy or tf.distribute.get_strategy(), progress)
    fingerprint = run_fingerprint(splits.to_dict(), spaces, [o.target for o in objectives],
                                  settings.to_dict(), seed, stream)
    if resume:
        run.restore(load_checkpoint(Path(checkpoint), fingerprint))  # type: ignore[arg-type]
        run.say(f"resuming from {checkpoint} after epoch {run.epoch}")
    started = time.perf_counter()
    try:
        with sigterm_as_interrupt():
            run.train()
    except KeyboardInterrupt:
        if checkpoint is not None:
            save_checkpoint(Path(checkpoint), fingerprint, run.last_good)
            raise TrainingInterrupted(
                f"training interrupted after epoch {run.last_good.epoch}; checkpoint saved to "
                f"{checkpoint}; rerun with --resume to continue"
            ) from None
        raise TrainingInterrupted(
            f"training interrupted after epoch {run.last_good.epoch}; no checkpoint path was "
            "given, so nothing was saved"
        ) from None
    timings["training"] = time.perf_counter() - started

    started = time.perf_counter()
    known = run.final_mses()
    for index, request in enumerate(requests):
        _check_final_loss(run.histories[index], known[index].get("train"), settings,
                          request.label)
    timings["evaluation"] = time.perf_counter() - started
    common = {
        "recipe": recipe if settings == recipe_settings(recipe) else "custom",
        "settings": settings.to_dict(), "init_seed": seed, "streaming": stream,
        "replicas": int(run.strategy.num_replicas_in_sync), "versions": _library_versions(True),
    }
    results = []
    for index, (objective, space, request) in enumerate(
        zip(objectives, spaces, requests, strict=True)
    ):
        history = run.histories[index]
        extra = {**common, "history": history, "epochs_run": len(history)}
        stencil, tr, va, te = _finish(objective, space, run.coefficients(index),
                                      request.name or "learned",
                                      _provenance(objective, space, "keras", extra), known[index])
        results.append(TrainingResult(stencil, history, tr, va, te, dict(timings),
                                      len(history)))
    return results

def _prepare(data: TrainingData, objectives: list[Objective], spaces: list[AffineStencilSpace],
             settings: TrainSettings) -> tuple[list[np.ndarray], float]:
    """The NumPy part of a run (no TensorFlow): data, windows and each parameter basis, and
    the seconds it took."""
    started = time.perf_counter()
    data.prepare()
    bases = []
    for objective, space in zip(objectives, spaces, strict=True):
        if settings.parameterisation == "whitened":
            bases.append(_whitened_basis(objective, space, settings.whitening_samples,
                                         data.train_u))
        else:
            bases.append(space.basis * objective.dx**objective.derivative_order)
        if settings.plain_gradient_descent:
            _check_step_size(objective, bases[-1], settings, data.train_u)
    data.train_u = None  # only the whitening needed the raw array; the run uses its chunks
    return bases, time.perf_counter() - started
