"""Work that cannot finish is refused before the first step: snapshots beyond memory, or a
run estimated beyond ``LONG_RUN_UPDATES`` point updates (unless ``allow_long``)."""

from __future__ import annotations

import math
import os

import numpy as np

from solvers.errors import WorkTooLargeError
from solvers.problems import Problem

__all__ = ["LONG_RUN_UPDATES", "SNAPSHOT_MEMORY_SHARE", "check_work", "machine_memory"]

LONG_RUN_UPDATES = 2e12
"""Point-stage updates above which a run is refused unless ``allow_long=True`` (at the ~1e9
updates/s the compiled kernels reach here, over half an hour)."""
SNAPSHOT_MEMORY_SHARE = 0.5
"""Largest share of the machine's memory the saved snapshots may take."""


def machine_memory() -> float:
    """Physical memory in bytes (inf where the platform does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return math.inf


def check_work(problem: Problem, state: np.ndarray, times: np.ndarray, dt_max: float,
                stages: int, allow_long: bool) -> None:
    """Refuse, before any step, what cannot finish: snapshots beyond memory, or (unless
    ``allow_long``) more point-stage updates than ``LONG_RUN_UPDATES``."""
    snapshot_bytes = float(times.size) * state.size * 8.0
    memory = machine_memory()
    if snapshot_bytes > SNAPSHOT_MEMORY_SHARE * memory:
        raise WorkTooLargeError(
            f"the {times.size:,} saved snapshots of {state.size:,} values need "
            f"{snapshot_bytes / 2**30:.3g} GiB, more than half this machine's "
            f"{memory / 2**30:.3g} GiB; save fewer times (save_every / save_times) or use a "
            "smaller grid or batch"
        )
    steps = float(times[-1]) / dt_max if dt_max > 0 else math.inf
    updates = steps * state.size * stages
    if updates > LONG_RUN_UPDATES and not allow_long:
        raise WorkTooLargeError(
            f"this run needs about {steps:.3g} steps of {state.size:,} points with a "
            f"{stages}-stage method ({updates:.3g} point updates; at about 1e9 per second, "
            f"{updates / 1e9 / 3600:.3g} hours); use a larger dt, a shorter t_final or a "
            f"smaller grid ({problem.number_name} {problem.number_for_dt(dt_max):.3g}), or pass "
            "allow_long=True to run it anyway"
        )
