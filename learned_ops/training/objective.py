"""The training objective, shared by Keras training and the closed-form oracle.

For offsets o_0 < ... < o_{K-1} and a sample u on P nodes, the stencil produces L = P - span
outputs (a ``valid`` correlation, as the seed's Conv1D): output k reads u[k + o_j - o_0] and is
compared with the exact derivative at ``x_k + shift * dx``, where ``shift = -o_0`` puts the target
at the node the stencil belongs to (the seed's choice) and ``shift = -o_0 + (o_0 + o_{K-1}) / 2``
at the stencil's centre (the midpoint for offsets (0, 1)). The loss is the mean squared error
over every output of every sample, with kernel ``w = c / dx**m``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from learned_ops.data import Splits
from learned_ops.errors import TrainingError
from learned_ops.stencil import Stencil

__all__ = ["TARGET_POSITIONS", "Objective", "TargetPosition"]

TargetPosition = Literal["node", "centre"]
TARGET_POSITIONS: tuple[str, ...] = ("node", "centre")


@dataclass(frozen=True)
class Objective:
    """What a stencil is trained to do on a dataset.

    Attributes:
        splits: The seeded dataset and its disjoint splits.
        offsets: Stencil offsets.
        derivative_order: m.
        target: "node" or "centre".
    """

    splits: Splits
    offsets: tuple[int, ...]
    derivative_order: int
    target: TargetPosition = "node"

    def __post_init__(self) -> None:
        offsets = Stencil(self.offsets, np.zeros(len(self.offsets)), 0).offsets  # validates
        object.__setattr__(self, "offsets", offsets)
        if isinstance(self.derivative_order, bool) or not isinstance(
            self.derivative_order, (int, np.integer)
        ):
            raise TrainingError(f"derivative order must be an integer, got "
                                f"{self.derivative_order!r}")
        if self.target not in TARGET_POSITIONS:
            raise TrainingError(
                f"unknown target position {self.target!r}; choose 'node' or 'centre'"
            )
        span = self.offsets[-1] - self.offsets[0]
        if span >= self.splits.family.n_points:
            raise TrainingError(
                f"offsets {list(self.offsets)} span {span + 1} points but samples have only "
                f"{self.splits.family.n_points}; use more points per sample"
            )

    @property
    def span(self) -> int:
        """max(offsets) - min(offsets)."""
        return self.offsets[-1] - self.offsets[0]

    @property
    def x0(self) -> float:
        """Target position relative to the node, in units of dx (0 or the stencil's centre)."""
        return 0.0 if self.target == "node" else (self.offsets[0] + self.offsets[-1]) / 2

    @property
    def outputs(self) -> int:
        """Outputs per sample, L = P - span."""
        return self.splits.family.n_points - self.span

    @property
    def dx(self) -> float:
        """Training grid spacing."""
        return float(self.splits.family.dx)

    def arrays(self, split: str, start: int = 0, stop: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(u, target) for samples ``start .. stop-1`` of a split; target has L columns."""
        lo, hi = self.splits.range(split)
        stop = hi - lo if stop is None else stop
        shift = self.x0 - self.offsets[0]
        u, target = self.splits.family.samples(
            self.splits.seed, lo + start, lo + stop, self.derivative_order, shift
        )
        return u, np.ascontiguousarray(target[:, : self.outputs])

    def windows(self, u: np.ndarray) -> np.ndarray:
        """(n * L, K) design matrix of the stencil's inputs (a copy)."""
        view = sliding_window_view(u, self.span + 1, axis=1)
        columns = np.asarray(self.offsets) - self.offsets[0]
        return view[:, :, columns].reshape(-1, len(self.offsets))

    def chunks(self, split: str, rows: int = 1024) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(u, target) blocks of at most ``rows`` samples covering a split."""
        lo, hi = self.splits.range(split)
        for start in range(0, hi - lo, rows):
            yield self.arrays(split, start, min(start + rows, hi - lo))

    def mse(self, coefficients: np.ndarray, split: str) -> float:
        """Mean squared error of a stencil (dimensionless coefficients) on a split."""
        kernel = np.asarray(coefficients, dtype=np.float64) / self.dx**self.derivative_order
        total, count = 0.0, 0
        for u, target in self.chunks(split):
            residual = self.windows(u) @ kernel - target.ravel()
            total += float(residual @ residual)
            count += residual.size
        if count == 0:
            raise TrainingError(f"split {split!r} is empty; ask for more samples")
        return total / count
