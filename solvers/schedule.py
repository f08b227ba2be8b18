"""The saved times of a run: 0, the requested ones and ``t_final``, checked and merged."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from solvers.errors import ScheduleError, WorkTooLargeError

__all__ = ["MAX_SAVED_TIMES", "positive_time", "save_schedule"]

MAX_SAVED_TIMES = 10_000_000
"""Most saved times a schedule may ask for (each one is a snapshot of the whole state)."""


def positive_time(name: str, value: object) -> float:
    """``value`` as a finite float > 0.

    Raises:
        ScheduleError: Naming ``name``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ScheduleError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if not (math.isfinite(result) and result > 0.0):
        raise ScheduleError(f"{name} must be finite and > 0, got {result!r}")
    return result


def save_schedule(t_final: float, save_times: Sequence[float] | None,
              save_every: float | None) -> np.ndarray:
    """Saved times: 0, the requested ones, and t_final (sorted, unique)."""
    if save_times is not None and save_every is not None:
        raise ScheduleError("give save_times or save_every, not both")
    targets: list[float] = []
    if save_every is not None:
        every = positive_time("save_every", save_every)
        count = math.floor(t_final / every * (1 + 1e-12))
        if count > MAX_SAVED_TIMES:
            raise WorkTooLargeError(
                f"save_every = {every:g} up to t_final = {t_final:g} asks for {count:.3g} "
                f"snapshots (at most {MAX_SAVED_TIMES:,}); save less often or give save_times"
            )
        targets = [k * every for k in range(1, count + 1)]
    elif save_times is not None:
        try:
            arr = np.asarray(save_times, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise ScheduleError(f"save times must be numbers, got {save_times!r}") from None
        if not np.isfinite(arr).all() or np.any(arr < 0.0) or np.any(arr > t_final * (1 + 1e-12)):
            raise ScheduleError(
                f"save times must lie in [0, t_final = {t_final:g}], got {arr.tolist()}"
            )
        targets = arr.tolist()
    times = np.unique(np.clip(np.array([0.0, *targets, t_final]), 0.0, t_final))
    # Merge times closer than round-off (e.g. 3 * 0.1 vs 0.3).
    keep = np.concatenate([[True], np.diff(times) > 1e-12 * max(1.0, t_final)])
    times = times[keep]
    times[-1] = t_final
    return times
