"""Training data: random sums of sines with exact derivatives of any order.

Two families:

* :class:`SeedFamily` -- the seed notebook's functions, exactly:
  ``u = b * (a sin(k1 pi x) + (1 - a) sin(k2 pi x))`` on ``x = arange(-2, 2, 0.01)`` with integer
  ``k1, k2`` in ``[k_min, k_max)``, ``a ~ U(0, 1)``, ``b ~ U(0, 2)``. With ``modes != 2``
  the weights ``(a, 1 - a)`` generalise to a flat Dirichlet draw (the same law for two modes).
* :class:`BandFamily` -- sums of sines with random phases and amplitudes whose continuous
  wavenumbers ``k`` make ``k * dx`` uniform on ``[0, theta_max]``, for band-optimised stencils.

A dataset is a pure function of its spec and seed: samples are drawn in fixed-size chunks, chunk
``c`` from ``numpy.random.default_rng([seed, c])``, so the in-memory arrays and the streamed
(``train_stencil(..., stream=True)``, through ``tf.data``) batches are identical, and any
sample range can be produced without the ones before it. Train, validation and test splits
are disjoint index ranges of one dataset.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from learned_ops.errors import DataSpecError

__all__ = [
    "CHUNK",
    "BandFamily",
    "FunctionBatch",
    "SeedFamily",
    "Splits",
    "family_from_dict",
    "make_splits",
]

CHUNK = 4096
"""Samples per random-number chunk (part of the data definition: changing it changes data)."""

MAX_SAMPLES = 10_000_000

@lru_cache(maxsize=1)
def _sample_values(family: _Family, seed: int, start: int, stop: int) -> np.ndarray:
    """The last sample block's values u (read-only), remembered: training several stencils on
    one dataset reuses them instead of evaluating the sines again (one block: bounded)."""
    u = family._evaluate(family.functions(seed, start, stop), family.grid, 0)
    u.setflags(write=False)
    return u


def _positive(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise DataSpecError(f"{name} must be a finite number > 0, got {value!r}")


def _count(name: str, value: object, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise DataSpecError(f"{name} must be an integer >= {minimum}, got {value!r}")


@dataclass(frozen=True)
class FunctionBatch:
    """Parameters of a batch of sums of sines: u(x) = sum_r amp_r sin(wave_r x + phase_r).

    Attributes:
        wavenumbers: (n, modes) angular wavenumbers k (so k * dx is the grid angle theta).
        amplitudes: (n, modes) amplitudes.
        phases: (n, modes) phases.
    """

    wavenumbers: np.ndarray
    amplitudes: np.ndarray
    phases: np.ndarray

    def evaluate(self, x: np.ndarray, derivative_order: int = 0) -> np.ndarray:
        """Exact m-th derivative at points ``x``: sum_r amp k**m sin(k x + phase + m pi/2)."""
        if isinstance(derivative_order, bool) or not isinstance(derivative_order, int):
            raise DataSpecError(f"derivative order must be an integer, got {derivative_order!r}")
        if derivative_order < 0:
            raise DataSpecError(f"derivative order must be >= 0, got {derivative_order}")
        x = np.asarray(x, dtype=np.float64)
        out = np.zeros((self.wavenumbers.shape[0], x.size))
        shift = derivative_order * np.pi / 2
        for r in range(self.wavenumbers.shape[1]):
            k = self.wavenumbers[:, r : r + 1]
            scale = self.amplitudes[:, r : r + 1] * k**derivative_order
            out += scale * np.sin(k * x + (self.phases[:, r : r + 1] + shift))
        return out

    def __len__(self) -> int:
        return int(self.wavenumbers.shape[0])


class _Family:
    """Shared behaviour of the data families (grid, chunked seeded sampling)."""

    x_min: float
    dx: float
    n_points: int

    @property
    def grid(self) -> np.ndarray:
        """Grid nodes x_i = x_min + i dx."""
        return self.x_min + self.dx * np.arange(self.n_points, dtype=np.float64)

    def _draw(self, rng: np.random.Generator, n: int) -> FunctionBatch:  # pragma: no cover
        raise NotImplementedError

    def functions(self, seed: int, start: int, stop: int) -> FunctionBatch:
        """Parameters of samples ``start .. stop-1`` of the dataset with this seed."""
        _check_seed(seed)
        if not (0 <= start <= stop <= MAX_SAMPLES):
            raise DataSpecError(
                f"sample range [{start}, {stop}) must satisfy 0 <= start <= stop <= {MAX_SAMPLES}"
            )
        parts = []
        for chunk in range(start // CHUNK, -(-stop // CHUNK)):
            batch = self._draw(np.random.default_rng([seed, chunk]), CHUNK)
            lo = max(start - chunk * CHUNK, 0)
            hi = min(stop - chunk * CHUNK, CHUNK)
            parts.append(
                FunctionBatch(*(a[lo:hi] for a in (batch.wavenumbers, batch.amplitudes,
                                                   batch.phases)))
            )
        if not parts:
            empty = np.zeros((0, self.modes))  # type: ignore[attr-defined]
            return FunctionBatch(empty, empty, empty)
        return FunctionBatch(
            *(np.concatenate([getattr(p, f) for p in parts])
              for f in ("wavenumbers", "amplitudes", "phases"))
        )

    def samples(
        self, seed: int, start: int, stop: int, derivative_order: int, target_shift: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """(u, d^m u / dx^m) for samples ``start .. stop-1``.

        The derivative is evaluated at ``x_min + (i + target_shift) * dx`` for node i (0 for the
        node; 0.5 for the midpoint to the right of each node). With an integer shift s these are
        exactly the grid's own nodes i + s, so the targets are bit for bit the unshifted targets
        moved by s columns.
        """
        batch = self.functions(seed, start, stop)
        u = _sample_values(self, seed, start, stop)
        nodes = np.arange(self.n_points, dtype=np.float64) + target_shift
        return u, self._evaluate(batch, self.x_min + self.dx * nodes, derivative_order)

    def _evaluate(self, batch: FunctionBatch, x: np.ndarray, derivative_order: int) -> np.ndarray:
        return batch.evaluate(x, derivative_order)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description (``family`` plus every field)."""
        return {"family": self.name, **asdict(self)}  # type: ignore[call-overload]


@dataclass(frozen=True)
class SeedFamily(_Family):
    """The seed notebook's family: b (a sin(k1 pi x) + (1 - a) sin(k2 pi x)).

    Attributes:
        x_min: First grid node.
        dx: Grid spacing.
        n_points: Nodes per sample (x = x_min + dx * arange(n_points)).
        k_min: Smallest integer wavenumber (inclusive), in units of pi.
        k_max: Largest integer wavenumber (exclusive), in units of pi.
        modes: Number of sines per sample.
        amplitude_max: b ~ U(0, amplitude_max).
    """

    x_min: float = -2.0
    dx: float = 0.01
    n_points: int = 400
    k_min: int = 0
    k_max: int = 20
    modes: int = 2
    amplitude_max: float = 2.0

    name = "seed"

    def __post_init__(self) -> None:
        _positive("dx", self.dx)
        _count("n_points", self.n_points, 2)
        _count("modes", self.modes)
        if not math.isfinite(self.x_min):
            raise DataSpecError(f"x_min must be finite, got {self.x_min!r}")
        for name in ("k_min", "k_max"):
            if isinstance(getattr(self, name), bool) or not isinstance(getattr(self, name), int):
                raise DataSpecError(f"{name} must be an integer, got {getattr(self, name)!r}")
        if not 0 <= self.k_min < self.k_max:
            raise DataSpecError(f"need 0 <= k_min < k_max, got k_min={self.k_min}, "
                                f"k_max={self.k_max}")
        _positive("amplitude_max", self.amplitude_max)

    def _draw(self, rng: np.random.Generator, n: int) -> FunctionBatch:
        k = rng.integers(self.k_min, self.k_max, size=(n, self.modes)).astype(np.float64)
        if self.modes == 2:
            a = rng.uniform(0.0, 1.0, size=(n, 1))
            weights = np.hstack([a, 1.0 - a])
        else:
            weights = rng.dirichlet(np.ones(self.modes), size=n)
        b = rng.uniform(0.0, self.amplitude_max, size=(n, 1))
        return FunctionBatch(k * np.pi, weights * b, np.zeros_like(k))

    def _evaluate(self, batch: FunctionBatch, x: np.ndarray, derivative_order: int) -> np.ndarray:
        """:meth:`FunctionBatch.evaluate` by gathering from a per-k table (equal to round-off:
        the factors are multiplied in a different order).

        The wavenumbers are integer multiples of pi, so each sine is a row of a
        (k_max - k_min) x n_points table computed with the identical expression.
        """
        if batch.wavenumbers.size == 0 or derivative_order < 0:
            return batch.evaluate(x, derivative_order)
        ks = np.arange(self.k_min, self.k_max, dtype=np.float64) * np.pi
        shift = derivative_order * np.pi / 2
        table = ks[:, None] ** derivative_order * np.sin(ks[:, None] * x + (0.0 + shift))
        index = np.rint(batch.wavenumbers / np.pi).astype(np.int64) - self.k_min
        out = np.empty((len(batch), x.size))
        rows = 1024  # small blocks keep the temporaries in cache
        scratch = np.empty((rows, x.size))
        for lo in range(0, len(batch), rows):
            hi = min(lo + rows, len(batch))
            block, tmp = out[lo:hi], scratch[: hi - lo]
            np.multiply(batch.amplitudes[lo:hi, :1], np.take(table, index[lo:hi, 0], axis=0),
                        out=block)
            for r in range(1, index.shape[1]):
                np.take(table, index[lo:hi, r], axis=0, out=tmp)
                tmp *= batch.amplitudes[lo:hi, r : r + 1]
                block += tmp
        return out


@dataclass(frozen=True)
class BandFamily(_Family):
    """Sums of sines whose grid angles theta = k dx are uniform on [0, theta_max].

    Attributes:
        x_min: First grid node.
        dx: Grid spacing.
        n_points: Nodes per sample.
        theta_max: Largest grid angle k dx (<= pi).
        modes: Sines per sample.
    """

    x_min: float = -2.0
    dx: float = 0.01
    n_points: int = 400
    theta_max: float = 0.5 * np.pi
    modes: int = 3

    name = "band"

    def __post_init__(self) -> None:
        _positive("dx", self.dx)
        _count("n_points", self.n_points, 2)
        _count("modes", self.modes)
        _positive("theta_max", self.theta_max)
        if self.theta_max > np.pi:
            raise DataSpecError(f"theta_max must be <= pi (the grid's Nyquist angle), got "
                                f"{self.theta_max!r}")
        if not math.isfinite(self.x_min):
            raise DataSpecError(f"x_min must be finite, got {self.x_min!r}")

    def _draw(self, rng: np.random.Generator, n: int) -> FunctionBatch:
        theta = rng.uniform(0.0, self.theta_max, size=(n, self.modes))
        amplitude = rng.uniform(0.0, 1.0, size=(n, self.modes))
        phase = rng.uniform(0.0, 2.0 * np.pi, size=(n, self.modes))
        return FunctionBatch(theta / self.dx, amplitude, phase)


FAMILIES = {"seed": SeedFamily, "band": BandFamily}


def family_from_dict(spec: dict[str, Any]) -> SeedFamily | BandFamily:
    """Rebuild a family from :meth:`to_dict` output."""
    fields = dict(spec)
    name = fields.pop("family", None)
    if name not in FAMILIES:
        raise DataSpecError(f"unknown family {name!r}; choose one of {', '.join(FAMILIES)}")
    try:
        return FAMILIES[name](**fields)
    except TypeError as exc:
        raise DataSpecError(f"bad {name} family spec: {exc}") from None


def _check_seed(seed: object) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataSpecError(f"seed must be an integer >= 0, got {seed!r}")


@dataclass(frozen=True)
class Splits:
    """Disjoint train / validation / test index ranges of one seeded dataset.

    Attributes:
        family: The data family.
        seed: The dataset seed.
        n_train: Samples in the training split (indices 0 .. n_train-1).
        n_val: Validation samples (the next n_val indices).
        n_test: Test samples (the last n_test indices).
    """

    family: SeedFamily | BandFamily
    seed: int
    n_train: int
    n_val: int
    n_test: int

    def range(self, split: str) -> tuple[int, int]:
        """The [start, stop) sample range of ``split`` ("train", "val" or "test")."""
        bounds = {
            "train": (0, self.n_train),
            "val": (self.n_train, self.n_train + self.n_val),
            "test": (self.n_train + self.n_val, self.n_train + self.n_val + self.n_test),
        }
        if split not in bounds:
            raise DataSpecError(f"unknown split {split!r}; choose train, val or test")
        return bounds[split]

    def arrays(
        self, split: str, derivative_order: int, target_shift: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """(u, derivative) arrays of a split."""
        start, stop = self.range(split)
        return self.family.samples(self.seed, start, stop, derivative_order, target_shift)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description for provenance."""
        return {"data": self.family.to_dict(), "seed": self.seed, "n_train": self.n_train,
                "n_val": self.n_val, "n_test": self.n_test, "chunk": CHUNK}


def make_splits(
    family: SeedFamily | BandFamily, n_samples: int, seed: int,
    val_fraction: float = 0.2, test_fraction: float = 0.2,
) -> Splits:
    """Split ``n_samples`` into disjoint train / validation / test ranges.

    Args:
        family: The data family.
        n_samples: Total samples (all three splits).
        seed: Dataset seed.
        val_fraction: Fraction for validation (of the whole).
        test_fraction: Fraction for test (of the whole).
    """
    _count("n_samples", n_samples, 3)
    _check_seed(seed)
    if n_samples > MAX_SAMPLES:
        raise DataSpecError(f"n_samples may be at most {MAX_SAMPLES}, got {n_samples}")
    for name, frac in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not (0.0 <= frac < 1.0):
            raise DataSpecError(f"{name} must lie in [0, 1), got {frac!r}")
    n_test = round(n_samples * test_fraction)
    n_val = round(n_samples * val_fraction)
    n_train = n_samples - n_val - n_test
    if n_train < 1:
        raise DataSpecError(f"no training samples left: n_samples={n_samples} with "
                            f"val_fraction={val_fraction}, test_fraction={test_fraction}")
    return Splits(family, int(seed), n_train, n_val, n_test)
