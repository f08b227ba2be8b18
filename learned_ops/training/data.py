"""The data of a training run: one dataset shared by every stencil trained in the run.

Every stencil of a run reads the same samples u (P nodes each). Stencil s compares its L_s
outputs with the exact derivative at ``x + shift_s * dx``, i.e. with L_s consecutive columns of
a target array of P columns; stencils with the same derivative order and fractional shift (all
node targets of one order, say) share that array (bit for bit the targets of
:meth:`~learned_ops.training.objective.Objective.arrays`). Preparation is split in two so that
the NumPy part can run in a background thread while TensorFlow is being imported:

* :meth:`TrainingData.prepare` (NumPy only): samples and targets of every split in memory;
* :meth:`TrainingData.to_tensors` hands them to TensorFlow.

Data stay raw (stencil windows are cut inside each step, so memory is one copy of the samples
rather than one per tap). A batch is ``(samples, targets)``: a (batch, P) tensor and a tuple
of the distinct (batch, P) target tensors (:attr:`TrainingData.target_index` says which one each
stencil reads).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from learned_ops.training.objective import Objective
from learned_ops.training.recipes import TrainSettings

__all__ = ["Stacked", "TrainingData", "equal_chunks"]


@dataclass(frozen=True)
class Stacked:
    """A split cut into equal chunks for one traced loop over them.

    Attributes:
        samples: (chunks, rows, P) samples.
        targets: The distinct (chunks, rows, P) target arrays (see
            :attr:`TrainingData.target_index`).
        counts: Real (not padding) outputs per stencil. The last chunk is padded with zero
            samples and zero targets, which add nothing to a squared error or its gradient.
    """

    samples: Any
    targets: tuple[Any, ...]
    counts: np.ndarray


def equal_chunks(count: int, most: int) -> list[tuple[int, int]]:
    """[start, stop) ranges covering ``count`` rows in chunks of at most ``most`` rows, as equal
    as possible (all but possibly the last have the same length)."""
    if count <= 0:
        return []
    pieces = math.ceil(count / most)
    size = math.ceil(count / pieces)
    return [(start, min(start + size, count)) for start in range(0, count, size)]


class TrainingData:
    """Training, validation and test data for the stencils of one run.

    Args:
        objectives: One objective per stencil, all on the same splits.
        settings: The run's settings (batch size, chunk size, shuffling).
        stream: Feed training data from a generator through ``tf.data``.
        seed: Seed of the per-epoch shuffle.
        replicas: Replicas of the distribution strategy.
    """

    def __init__(self, objectives: Sequence[Objective], settings: TrainSettings, stream: bool,
                 seed: int, replicas: int = 1) -> None:
        self.objectives = tuple(objectives)
        self.settings, self.stream, self.seed = settings, stream, seed
        self.splits = self.objectives[0].splits
        lo, hi = self.splits.range("train")
        self.n_train = hi - lo
        #: in memory and full batch on one replica: the whole epoch is one traced call
        self.stacked_training = settings.batch_size is None and not stream and replicas == 1
        layout = self._target_layout()
        #: the distinct target arrays, as (derivative order, shift)
        self.target_keys = list(dict.fromkeys(key for key, _ in layout))
        #: per stencil, which target array it reads and the column its output 0 compares with
        self.target_index = [self.target_keys.index(key) for key, _ in layout]
        self.columns = [column for _, column in layout]
        self.train_u: np.ndarray | None = None
        self.train: Stacked | None = None
        self.validation: Stacked | None = None
        self.test: Stacked | None = None
        self._raw_train: tuple[np.ndarray, tuple[np.ndarray, ...]] | None = None
        self._u: Any = None
        self._ys: tuple[Any, ...] = ()
        self.tf: Any = None

    # ----------------------------------------------------------------- NumPy (any thread)
    def _target_layout(self) -> list[tuple[tuple[int, float], int]]:
        """Per stencil: the (derivative order, shift) of the target array it reads, and the
        array's column its output 0 compares with.

        A target at ``x_i + shift * dx`` with an integer part s of the shift is column i + s of
        the array evaluated at the fractional part (bit for bit, see
        :meth:`~learned_ops.data.SeedFamily.samples`), so node targets of any offsets share one
        array; a stencil whose columns would leave the grid gets an array of its own.
        """
        points = self.splits.family.n_points
        layout = []
        for objective in self.objectives:
            shift = objective.x0 - objective.offsets[0]
            column = math.floor(shift)
            if 0 <= column and column + objective.outputs <= points:
                layout.append(((objective.derivative_order, shift - column), column))
            else:
                layout.append(((objective.derivative_order, shift), 0))
        return layout

    def _arrays(self, split: str, start: int = 0, stop: int | None = None,
                ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Samples ``start .. stop-1`` of a split and the distinct P-column target arrays."""
        lo, hi = self.splits.range(split)
        stop = hi - lo if stop is None else stop
        family, seed = self.splits.family, self.splits.seed
        pairs = [family.samples(seed, lo + start, lo + stop, *key) for key in self.target_keys]
        return pairs[0][0], tuple(target for _, target in pairs)

    def _stacked(self, u: np.ndarray, ys: tuple[np.ndarray, ...]) -> Stacked:
        """Cut into equal chunks (zero-padded only when the rows do not divide evenly)."""
        bounds = equal_chunks(u.shape[0], self.settings.chunk_samples)
        chunks, rows = len(bounds), bounds[0][1] - bounds[0][0]
        copies: dict[int, np.ndarray] = {}

        def stacked(array: np.ndarray) -> np.ndarray:
            if id(array) not in copies:
                whole = array
                if chunks * rows != array.shape[0]:
                    whole = np.zeros((chunks * rows, array.shape[1]))
                    whole[: array.shape[0]] = array
                copies[id(array)] = whole.reshape(chunks, rows, array.shape[1])
            return copies[id(array)]

        counts = np.array([float(u.shape[0] * o.outputs) for o in self.objectives])
        return Stacked(stacked(u), tuple(stacked(y) for y in ys), counts)

    def prepare(self) -> None:
        """Compute every NumPy array the run needs (no TensorFlow; safe in a worker thread)."""
        if not self.stream:
            u, ys = self._arrays("train")
            self.train_u = u
            if self.stacked_training:
                self.train = self._stacked(u, ys)
            else:
                self._raw_train = (u, ys)
        # streaming is for data larger than memory: its test error is streamed through NumPy
        for split in ("val",) if self.stream else ("val", "test"):
            lo, hi = self.splits.range(split)
            if hi > lo:
                setattr(self, "validation" if split == "val" else "test",
                        self._stacked(*self._arrays(split)))

    # ----------------------------------------------------------------- TensorFlow
    def to_tensors(self, tf: Any) -> None:
        """Hand the prepared arrays to TensorFlow (shared arrays stay shared)."""
        self.tf = tf
        converted: dict[int, Any] = {}

        def tensor(array: np.ndarray) -> Any:
            if id(array) not in converted:
                converted[id(array)] = tf.constant(array)
            return converted[id(array)]

        for name in ("train", "validation", "test"):
            part = getattr(self, name)
            if part is not None:
                setattr(self, name, Stacked(tensor(part.samples),
                                            tuple(tensor(y) for y in part.targets), part.counts))
        if self._raw_train is not None:
            u, ys = self._raw_train
            self._u, self._ys = tensor(u), tuple(tensor(y) for y in ys)
            self._raw_train = None

    def epoch_dataset(self, epoch: int) -> Any:
        """This epoch's minibatches (or streamed blocks) as a ``tf.data.Dataset``."""
        tf = self.tf
        batch = self.settings.batch_size or self.settings.chunk_samples
        if self.stream:
            spec = tf.TensorSpec((None, self.splits.family.n_points), tf.float64)
            return tf.data.Dataset.from_generator(
                lambda: self._stream(batch),
                output_signature=(spec, tuple(spec for _ in self.target_keys)))
        order = np.arange(self.n_train)
        if self.settings.shuffle:
            order = np.random.default_rng([self.seed, 2, epoch]).permutation(self.n_train)
        u, ys = self._u, self._ys
        return tf.data.Dataset.from_tensor_slices(order).batch(batch).map(
            lambda idx: (tf.gather(u, idx), tuple(tf.gather(y, idx) for y in ys)))

    def _stream(self, rows: int) -> Iterator[tuple[np.ndarray, tuple[np.ndarray, ...]]]:
        for start in range(0, self.n_train, rows):
            yield self._arrays("train", start, min(start + rows, self.n_train))

    def epoch_batches(self, epoch: int, strategy: Any) -> Iterator[Any]:
        """This epoch's batches (when not stacked), over the strategy's replicas."""
        dataset = self.epoch_dataset(epoch)
        if strategy.num_replicas_in_sync > 1:
            yield from strategy.experimental_distribute_dataset(dataset)
        else:
            yield from dataset
