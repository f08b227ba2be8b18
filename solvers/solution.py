"""The result of a run: saved times, nodes, snapshots and what happened."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from solvers.errors import ScheduleError

__all__ = ["Solution", "SolveInfo"]


@dataclass(frozen=True)
class SolveInfo:
    """How a run went.

    Attributes:
        steps: Time steps taken.
        dt: Largest step taken (steps are shortened to land exactly on save times).
        dt_limit: Largest stable step (0 if none, inf if unconditional).
        stability_margin: ``dt_limit / dt`` (>= 1 means within the limit).
        number: ``dt`` as a Courant number (advection) or diffusion number (heat).
        number_name: Which of the two.
        stepper: Stepper name.
        kernel: Name of the kernel that ran the steps.
        wall_time: Seconds spent in the solve.
        warnings: The messages of the warnings issued (inconsistent operators, overrides,
            boundary data, growing modes, the maximum principle).
        stability: The full :class:`~solvers.stability.StabilityLimit`.
        issued: The warnings themselves (each kind a :class:`~solvers.errors.SolverWarning`
            subclass carrying its numbers as attributes), in the order of ``warnings``.
    """

    steps: int
    dt: float
    dt_limit: float
    stability_margin: float
    number: float
    number_name: str
    stepper: str
    kernel: str
    wall_time: float
    warnings: tuple[str, ...] = ()
    stability: Any = None
    issued: tuple[Any, ...] = ()


@dataclass(frozen=True, eq=False)
class Solution:
    """Snapshots of a run at the saved times (always including 0 and the final time).

    Attributes:
        times: Saved times, ascending (read-only).
        x: Grid nodes (read-only).
        snapshots: ``snapshots[k]`` is u at ``times[k]`` (read-only, shape (len(times), n)).
        info: A :class:`SolveInfo`.
        problem: The problem solved (None for a solution read by :meth:`load`).
        complete: False for the partial solution attached to a blow-up error.
        attrs: What the file said besides the arrays, for a solution read by :meth:`load`
            (the caller's ``attrs``, the problem's description, the provenance); else empty.
    """

    times: np.ndarray
    x: np.ndarray
    snapshots: np.ndarray
    info: SolveInfo
    problem: Any = field(default=None, repr=False)
    complete: bool = True
    attrs: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name in ("times", "x", "snapshots"):
            arr = np.array(getattr(self, name), dtype=np.float64)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def final(self) -> np.ndarray:
        """The last saved snapshot."""
        return self.snapshots[-1]

    @property
    def t_final(self) -> float:
        """The last saved time."""
        return float(self.times[-1])

    def at(self, t: float) -> np.ndarray:
        """The snapshot saved at time ``t`` (exactly one of ``times``, to round-off)."""
        k = int(np.argmin(np.abs(self.times - t)))
        if abs(self.times[k] - t) > 1e-12 * max(1.0, abs(t)):
            raise ScheduleError(
                f"no snapshot at t = {t!r}; saved times are {self.times.tolist()}"
            )
        return self.snapshots[k]

    def save(self, path: str | os.PathLike[str], *, attrs: Mapping[str, Any] | None = None,
             overwrite: bool = False) -> Path:
        """Write the solution to ``path``: ``.npz`` always, ``.nc`` (NetCDF) with xarray.

        Arrays are saved exactly (float64), with the run's info, the problem's description,
        ``attrs`` and provenance; the write is atomic. See :mod:`solvers.solution_io`.

        Args:
            path: The file (format from its suffix).
            attrs: Extra plain-data attributes to store.
            overwrite: Replace an existing file (refused by default).

        Returns:
            The path written.

        Raises:
            SolutionFileError: See :func:`solvers.solution_io.save_solution`.
        """
        from solvers.solution_io import save_solution

        return save_solution(self, path, attrs=attrs, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Solution:
        """Read a solution written by :meth:`save` (``problem`` is None; see ``attrs``).

        Raises:
            SolutionFileError: See :func:`solvers.solution_io.load_solution`.
        """
        from solvers.solution_io import load_solution

        arrays, record = load_solution(path)
        saved = record["info"]
        floats = ("dt", "dt_limit", "stability_margin", "number", "wall_time")
        info = SolveInfo(
            steps=int(saved["steps"]), **{k: float(saved[k]) for k in floats},
            number_name=str(saved["number_name"]), stepper=str(saved["stepper"]),
            kernel=str(saved["kernel"]), warnings=tuple(saved["warnings"]))
        extra = {"problem": record["problem"], "provenance": record["provenance"],
                 **record["attrs"]}
        return cls(arrays["times"], arrays["x"], arrays["snapshots"], info,
                   complete=bool(record["complete"]), attrs=extra)
