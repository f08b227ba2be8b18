"""A uniform one-dimensional grid: periodic, or bounded with both ends as nodes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from solvers.errors import GridError

__all__ = ["Grid", "GridKind"]

GridKind = Literal["periodic", "bounded"]
MIN_POINTS = 3


def _check_bound(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise GridError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise GridError(f"{name} must be finite, got {result!r}")
    return result


MAX_POINTS = 50_000_000
"""Largest grid accepted (400 MB per float64 field)."""


@dataclass(frozen=True)
class Grid:
    """Uniform nodes on ``[lower, upper)`` (periodic) or ``[lower, upper]`` (bounded).

    A periodic grid of ``n`` nodes has spacing ``(upper - lower) / n`` and omits ``upper`` (it
    is ``lower`` again); a bounded grid of ``n`` nodes has spacing ``(upper - lower) / (n - 1)``
    and both ends are nodes.

    Attributes:
        n: Number of nodes.
        lower: Left end of the domain.
        upper: Right end of the domain.
        kind: ``"periodic"`` or ``"bounded"``.
    """

    n: int
    lower: float = -2.0
    upper: float = 2.0
    kind: GridKind = "periodic"

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, (int, np.integer)):
            raise GridError(f"n must be an integer number of nodes, got {self.n!r}")
        if self.n < MIN_POINTS:
            raise GridError(f"a grid needs at least {MIN_POINTS} nodes, got n = {self.n}")
        if self.n > MAX_POINTS:
            raise GridError(f"a grid may have at most {MAX_POINTS:,} nodes, got n = {self.n}")
        object.__setattr__(self, "n", int(self.n))
        lower = _check_bound("lower", self.lower)
        upper = _check_bound("upper", self.upper)
        if not upper > lower:
            raise GridError(f"need lower < upper, got lower={lower}, upper={upper}")
        object.__setattr__(self, "lower", lower)
        object.__setattr__(self, "upper", upper)
        if self.kind not in ("periodic", "bounded"):
            raise GridError(f"grid kind must be 'periodic' or 'bounded', got {self.kind!r}")

    @classmethod
    def periodic(cls, n: int, lower: float = -2.0, upper: float = 2.0) -> Grid:
        """A periodic grid of ``n`` nodes on ``[lower, upper)``."""
        return cls(n, lower, upper, "periodic")

    @classmethod
    def bounded(cls, n: int, lower: float = -2.0, upper: float = 2.0) -> Grid:
        """A bounded grid of ``n`` nodes on ``[lower, upper]``, both ends included."""
        return cls(n, lower, upper, "bounded")

    @property
    def is_periodic(self) -> bool:
        """True for a periodic grid."""
        return self.kind == "periodic"

    @property
    def length(self) -> float:
        """upper - lower."""
        return self.upper - self.lower

    @property
    def h(self) -> float:
        """Grid spacing."""
        intervals = self.n if self.is_periodic else self.n - 1
        return self.length / intervals

    @property
    def x(self) -> np.ndarray:
        """The nodes (a new read-only float64 array)."""
        nodes = self.lower + self.h * np.arange(self.n, dtype=np.float64)
        if not self.is_periodic:
            nodes[-1] = self.upper
        nodes.setflags(write=False)
        return nodes

    @property
    def boundary_mode(self) -> str:
        """The operator boundary mode this grid uses: ``periodic`` or ``one-sided``."""
        return "periodic" if self.is_periodic else "one-sided"

    def norm(self, values: np.ndarray) -> float:
        """Grid-weighted L2 norm sqrt(h * sum v**2)."""
        v = np.asarray(values, dtype=np.float64)
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            return float(math.sqrt(self.h * float(np.sum(v * v))))
