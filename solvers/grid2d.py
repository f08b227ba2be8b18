"""A uniform periodic two-dimensional grid: one :class:`~solvers.grid.Grid` per axis.

Fields on it are arrays laid out ``[..., y, x]`` (leading batch axes allowed): the last array
axis is x, the one before it is y. A term's ``axis`` (:class:`solvers.terms.LinearTerm`) counts
the grid's axes, not the array's: ``axis=0`` is x (array axis -1, so a one-dimensional term
keeps its meaning) and ``axis=1`` is y (array axis -2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solvers.errors import GridError
from solvers.grid import MAX_POINTS, Grid

__all__ = ["Grid2D", "array_axis"]


def array_axis(axis: int) -> int:
    """The array axis of grid axis ``axis`` in the ``[..., y, x]`` layout (0 -> -1, 1 -> -2).

    Raises:
        GridError: For an axis other than 0 or 1.
    """
    if isinstance(axis, bool) or axis not in (0, 1):
        raise GridError(f"a two-dimensional grid has axes 0 (x) and 1 (y), got axis {axis!r}")
    return -1 - int(axis)


@dataclass(frozen=True)
class Grid2D:
    """A periodic grid of ``ny x nx`` nodes on ``[x.lower, x.upper) x [y.lower, y.upper)``.

    Attributes:
        x_axis: The periodic 1-D grid along x (nx nodes, spacing hx).
        y_axis: The periodic 1-D grid along y (ny nodes, spacing hy).
    """

    x_axis: Grid
    y_axis: Grid

    def __post_init__(self) -> None:
        for name, axis in (("x_axis", self.x_axis), ("y_axis", self.y_axis)):
            if not isinstance(axis, Grid):
                raise GridError(f"{name} must be a solvers.Grid, got {type(axis).__name__}")
            if not axis.is_periodic:
                raise GridError(
                    f"two-dimensional grids are periodic only; {name} is {axis.kind} "
                    "(use Grid.periodic for each axis)"
                )
        if self.x_axis.n * self.y_axis.n > MAX_POINTS:
            raise GridError(
                f"a grid may have at most {MAX_POINTS:,} nodes, got "
                f"{self.y_axis.n} x {self.x_axis.n}"
            )

    @classmethod
    def periodic(cls, nx: int, ny: int | None = None, lower: float = -2.0, upper: float = 2.0,
                 y_lower: float | None = None, y_upper: float | None = None) -> Grid2D:
        """``ny x nx`` nodes (``ny = nx`` by default) on ``[lower, upper)`` along both axes,
        or on ``[y_lower, y_upper)`` along y when given."""
        y_lo = lower if y_lower is None else y_lower
        y_hi = upper if y_upper is None else y_upper
        return cls(Grid.periodic(nx, lower, upper),
                   Grid.periodic(nx if ny is None else ny, y_lo, y_hi))

    @property
    def axes(self) -> tuple[Grid, Grid]:
        """(x_axis, y_axis): indexed by a term's ``axis``."""
        return self.x_axis, self.y_axis

    @property
    def nx(self) -> int:
        """Nodes along x."""
        return self.x_axis.n

    @property
    def ny(self) -> int:
        """Nodes along y."""
        return self.y_axis.n

    @property
    def shape(self) -> tuple[int, int]:
        """(ny, nx): the shape of a field."""
        return self.ny, self.nx

    @property
    def spacing(self) -> tuple[float, float]:
        """(hx, hy)."""
        return self.x_axis.h, self.y_axis.h

    @property
    def hx(self) -> float:
        """Spacing along x."""
        return self.x_axis.h

    @property
    def hy(self) -> float:
        """Spacing along y."""
        return self.y_axis.h

    @property
    def is_periodic(self) -> bool:
        """Always True."""
        return True

    @property
    def kind(self) -> str:
        """``"periodic"``."""
        return "periodic"

    def mesh(self) -> tuple[np.ndarray, np.ndarray]:
        """(X, Y): the node coordinates, each of shape (ny, nx)."""
        xx, yy = np.meshgrid(self.x_axis.x, self.y_axis.x, indexing="xy")
        return xx, yy

    def norm(self, values: np.ndarray) -> float:
        """Grid-weighted L2 norm sqrt(hx hy sum v**2)."""
        v = np.asarray(values, dtype=np.float64)
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            return float(math.sqrt(self.hx * self.hy * float(np.sum(v * v))))

    def check_field(self, values: object, what: str = "field") -> np.ndarray:
        """``values`` as a float64 array of shape ``[..., ny, nx]``.

        Raises:
            GridError: When the trailing shape is not (ny, nx), the dtype is not real, or a
                value is not finite.
        """
        u = np.asarray(values)
        if u.dtype.kind not in "iuf":
            raise GridError(f"{what} must be real numbers, got dtype {u.dtype}")
        if u.ndim < 2 or u.shape[-2:] != self.shape:
            raise GridError(
                f"{what} must have shape [..., ny, nx] = [..., {self.ny}, {self.nx}] "
                f"(arrays are laid out [..., y, x]), got {u.shape}"
            )
        u = u.astype(np.float64)
        if not np.isfinite(u).all():
            raise GridError(f"{what} has values that are not finite")
        return u
