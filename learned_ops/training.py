"""Train stencils with TensorFlow/Keras (imported lazily, only when training runs).

:func:`train_stencil` trains one stencil, :func:`train_stencils` several on one dataset with
one pass over the data per epoch (each result equals training that stencil alone). Each stencil
is a parameterised :class:`~learned_ops.keras_layer.StencilLayer` trained by gradient descent in
float64 on a seeded dataset (in memory or streamed through ``tf.data``), optionally inside any
``tf.distribute.Strategy`` (the loop is :mod:`learned_ops.keras_run`); the result is a plain
:class:`~learned_ops.stencil.Stencil` with a provenance record. Ctrl-C or SIGTERM saves a
checkpoint (when a path is given) from which ``resume=True`` continues to the same result an
uninterrupted run gives.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from learned_ops.checkpoints import (
    load_checkpoint,
    run_fingerprint,
    save_checkpoint,
    sigterm_as_interrupt,
)
from learned_ops.constraints import AffineStencilSpace, stencil_space
from learned_ops.data import SeedFamily, Splits, make_splits
from learned_ops.errors import (
    TooFewSamplesError,
    TrainingDiverged,
    TrainingError,
    TrainingInterrupted,
)
from learned_ops.lstsq import least_squares_coefficients, streamed_r_factor
from learned_ops.objective import Objective, TargetPosition
from learned_ops.recipes import DIVERGENCE_FACTOR, TrainSettings, recipe_settings
from learned_ops.stencil import Stencil
from learned_ops.training_data import TrainingData

__all__ = [
    "StencilRequest",
    "TrainingResult",
    "default_splits",
    "fit_least_squares",
    "train_stencil",
    "train_stencils",
]

ProgressFn = Callable[[str], None]


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
        recipe: "default" or "seed" (see :mod:`learned_ops.recipes`); ignored if ``settings``.
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
    from learned_ops.keras_run import KerasRun

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


def _tensorflow_environment() -> None:
    """Settings TensorFlow reads when it starts, unless the user set them: quiet C++ logs, and
    the BFC allocator on the CPU (it reuses buffers instead of mapping fresh pages for every
    large intermediate, which makes float64 training passes 1.5-3x faster here), allowed to
    grow to the machine's memory (its own default cap is 64 GiB)."""
    _quiet_tensorflow_logs()
    if "TF_CPU_ALLOCATOR_USE_BFC" not in os.environ:
        os.environ["TF_CPU_ALLOCATOR_USE_BFC"] = "true"
        with contextlib.suppress(ValueError, OSError, AttributeError):
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
            os.environ.setdefault("TF_CPU_BFC_MEM_LIMIT_IN_MB", str(total // 2**20))


class _Background:
    """Run a function in a daemon thread (so Ctrl-C never waits for it) with the caller's
    context (NumPy's error settings included); :meth:`result` re-raises its exception."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        context = contextvars.copy_context()
        self._outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                self._outcome["value"] = context.run(function, *args)
            except BaseException as exc:  # handed to the caller by result()
                self._outcome["error"] = exc

        self._thread = threading.Thread(target=run, name="learned-ops data", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def result(self) -> Any:
        """Wait for the function and return its value (or raise its exception)."""
        self._thread.join()
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]


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


# --------------------------------------------------------------------------- divergence checks
def _check_sample_counts(splits: Splits, dim: int, label: str) -> None:
    """Refuse data that cannot determine ``dim`` free parameters or judge the fit.

    The rows of one sample (one per grid point of its window) are a deterministic function of
    that sample's few random draws, so they are not independent observations: the independent
    observations are the samples. Estimating ``dim`` parameters needs at least ``dim`` of them
    (fewer leaves the fit determined by the family's structure, not by the data), and a fit
    nobody checked on held-out data is not a result, so the validation split needs at least
    one sample. Rank and conditioning are checked on the design itself elsewhere (the
    whitening and the least-squares oracle refuse a singular one).

    Raises:
        TooFewSamplesError: Fewer training samples than free parameters, or no validation
            sample.
    """
    lo, hi = splits.range("train")
    n_train = hi - lo
    lo, hi = splits.range("val")
    n_val = hi - lo
    if n_train < dim or n_val < 1:
        raise TooFewSamplesError(
            f"{label}: {dim} free coefficients need at least {dim} training samples and 1 "
            f"validation sample, got {n_train} training and {n_val} validation; use more "
            "samples (--samples)"
        )


def _training_gram(objective: Objective, train_u: np.ndarray | None) -> tuple[np.ndarray, int]:
    """X^T X of the training split's design (unit spacing, K x K) and its number of rows,
    from sums of shifted products of the samples (no window copies)."""
    columns = np.asarray(objective.offsets) - objective.offsets[0]
    length = objective.outputs
    blocks = [(train_u, None)] if train_u is not None else objective.chunks("train")
    gram = np.zeros((len(columns), len(columns)))
    rows = 0
    for u, _ in blocks:
        shifted = [u[:, c : c + length] for c in columns]
        for a in range(len(columns)):
            for b in range(a, len(columns)):
                gram[a, b] += float(np.einsum("ij,ij->", shifted[a], shifted[b]))
                gram[b, a] = gram[a, b]
        rows += u.shape[0] * length
    return gram, rows


def _check_step_size(objective: Objective, basis: np.ndarray, settings: TrainSettings,
                     train_u: np.ndarray | None) -> None:
    """Refuse a learning rate at which full-batch gradient descent provably diverges.

    The training loss is the quadratic MSE(theta), with Hessian H = 2 (X B)^T (X B) / rows
    (X: the training design at spacing dx, B: the parameter basis). Gradient descent multiplies
    the error along H's eigenvector i by 1 - lr * lambda_i each epoch, so it converges iff
    lr < 2 / lambda_max. The whitened basis aims at H ~ 2 I (lambda_max ~ 2, safe for lr up to
    ~1), but it is estimated from a subsample; with few samples that estimate can be far off.

    Raises:
        TrainingDiverged: ``settings.learning_rate >= 2 / lambda_max``.
    """
    gram, rows = _training_gram(objective, train_u)
    if rows == 0:
        return
    scaled = basis * objective.dx ** (-objective.derivative_order)
    hessian = 2.0 * scaled.T @ gram @ scaled / rows
    largest = float(np.linalg.eigvalsh((hessian + hessian.T) / 2.0)[-1])
    if largest > 0 and settings.learning_rate * largest >= 2.0:
        limit = 2.0 / largest
        lo, hi = objective.splits.range("train")
        raise TrainingDiverged(
            f"learning rate {settings.learning_rate:g} diverges on this data: full-batch "
            f"gradient descent is stable only below 2/lambda_max = {limit:.3g} (largest "
            f"curvature {largest:.3g} with {hi - lo} training samples); use more samples, "
            f"--learning-rate below {limit:.3g}, or --method lstsq"
        )


def _check_final_loss(history: list[dict[str, float]], final: float | None,
                      settings: TrainSettings, label: str) -> None:
    """Refuse a finished run whose final training loss is non-finite or above the start
    (full-batch gradient descent never raises a convex quadratic loss when it converges)."""
    if not history or final is None:
        return
    start = history[0]["train_mse"]
    bound = start * (1.0 + 1e-6) if settings.plain_gradient_descent else (
        start * DIVERGENCE_FACTOR)
    if not math.isfinite(final) or final > bound:
        raise TrainingDiverged(
            f"training diverged ({label}): final train MSE {final:.3g} against {start:.3g} at "
            "the start; use more samples, a smaller --learning-rate, or --method lstsq"
        )

