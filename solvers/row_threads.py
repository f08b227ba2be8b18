"""Both cores for a batch: the rows of a compiled kernel's buffers split across threads.

The compiled loops release the GIL (``nogil=True``) and treat rows independently, so each
thread runs the same loop on its own contiguous slice of rows; every row's arithmetic is the
same as in one thread and the result is identical bit for bit. Checks stay exact: the steps
are taken in the same groups as in one thread (up to each multiple of ``check_every``), all
slices finish a group before any row is checked, and the call stops after the first group in
which a row failed, as the single-thread loop does.

One wide periodic row (at least :data:`MIN_POINTS` points) is split into parts instead
(:func:`run_wide`): each part advances a group of steps in a buffer of its own with a halo
wide enough that the part's values are exact, then the parts are put back together.

Used for at least :data:`MIN_POINTS` point values; ``LEARNED_OPS_THREADS`` sets the number
of threads (default: the CPUs this process may run on; 1 turns this off).
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["MIN_POINTS", "THREADS_ENV", "run_rows", "run_wide", "thread_count"]

MIN_POINTS = 100_000
"""Rows x points below which one thread runs the batch (a dispatch costs tens of us)."""
THREADS_ENV = "LEARNED_OPS_THREADS"

RowCall = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int], int]
"""``call(cur, nxt, ceil2, sq, steps, check_every) -> steps taken`` on a slice of rows."""

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def thread_count() -> int:
    """Threads to use: ``LEARNED_OPS_THREADS`` if set, else the CPUs available.

    Raises:
        ValueError: ``LEARNED_OPS_THREADS`` is not a whole number >= 1.
    """
    text = os.environ.get(THREADS_ENV, "").strip()
    if not text:
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                   else (os.cpu_count() or 1))
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{THREADS_ENV} must be a whole number >= 1, got {text!r}")
    return int(text)


def _executor(size: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size != size:
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="learned-ops-rows")
            _pool_size = size
        return _pool


def run_rows(call: RowCall, cur: np.ndarray, nxt: np.ndarray, ceil2: np.ndarray,
             sq: np.ndarray, steps: int, check_every: int) -> int:
    """Run ``call`` over all rows, split across threads when the batch is large enough.

    Args:
        call: The compiled loop on a slice of rows (state after step m in ``cur`` for even m).
        cur, nxt: ``(rows, width)`` buffers.
        ceil2, sq: Per-row ceilings and sums of squares (see the compiled loops).
        steps: Steps to take at most.
        check_every: Steps between checks (0: none).

    Returns:
        The steps taken (fewer than ``steps`` when a row failed a check).
    """
    rows = cur.shape[0]
    threads = min(thread_count(), rows)
    if threads < 2 or rows * (cur.shape[1]) < MIN_POINTS:
        return call(cur, nxt, ceil2, sq, steps, check_every)
    edges = np.linspace(0, rows, threads + 1).round().astype(int)
    parts = [slice(int(a), int(b)) for a, b in itertools.pairwise(edges)]
    pool = _executor(threads)
    group = steps if check_every <= 0 else check_every
    g0 = 0
    while g0 < steps:
        g1 = min(steps, g0 + group)
        check = check_every if check_every > 0 and g1 % check_every == 0 else 0
        # the state after g0 steps sits in cur for even g0, in nxt for odd g0
        src, dst = (cur, nxt) if g0 % 2 == 0 else (nxt, cur)
        count = g1 - g0
        futures = [pool.submit(call, src[p], dst[p], ceil2[p], sq[p], count, check)
                   for p in parts]
        for future in futures:
            future.result()
        if check and not np.all(sq <= ceil2):
            return g1
        g0 = g1
    return steps


PartCall = Callable[[int], RowCall]
"""``part_call(n_local)``: the compiled loop for a periodic grid of ``n_local`` points."""
WIDE_GROUP = 64
"""Steps per exchange when a wide row is split (halo = this x the reach of one step)."""


def run_wide(part_call: PartCall, cur: np.ndarray, nxt: np.ndarray, ceil2: np.ndarray,
             sq: np.ndarray, steps: int, check_every: int, *, n: int, hl: int, hr: int,
             reach: int, squares: Callable[[np.ndarray], float]) -> int:
    """One wide periodic row split into parts with halos, the parts on threads.

    Each part of the row is copied with ``reach x group`` extra points on each side into a
    buffer of its own and advanced ``group`` steps as if that buffer were periodic: the wrong
    values this makes at the buffer's ends travel ``reach`` points per step, so after the
    group the part itself is exact (the same arithmetic as in one thread) and is copied back.
    Checks are made on the whole row, with ``squares`` summing as the single-thread loop does.

    Args:
        part_call: Builds the compiled loop for a periodic grid of a given size.
        cur, nxt: ``(1, hl + n + hr)`` buffers (periodic ghosts ``hl``, ``hr``).
        ceil2, sq: The row's ceiling and sum of squares (shape ``(1,)``).
        steps: Steps to take at most.
        check_every: Steps between checks (0: none).
        n: Grid points.
        hl, hr: Ghost widths.
        reach: Points one step reads on either side.
        squares: The sum of squares of a state row (length ``n``).

    Returns:
        The steps taken (fewer than ``steps`` when the check failed).
    """
    threads = min(thread_count(), 64)
    group = min(check_every, WIDE_GROUP) if check_every > 0 else WIDE_GROUP
    halo = reach * group
    edges = np.linspace(0, n, threads + 1).round().astype(int)
    parts = [(int(a), int(b)) for a, b in itertools.pairwise(edges)]
    index = [np.arange(a - halo, b + halo) % n for a, b in parts]
    local = [np.zeros((2, 1, hl + (b - a) + 2 * halo + hr)) for a, b in parts]
    calls = {b - a + 2 * halo: part_call(b - a + 2 * halo) for a, b in parts}
    pool = _executor(threads)
    no_check = np.full(1, np.inf)

    def advance_part(k: int, src: np.ndarray, dst: np.ndarray, count: int) -> None:
        a, b = parts[k]
        m = b - a + 2 * halo
        buf = local[k]
        row = buf[0, 0]
        row[hl : hl + m] = src[0, hl : hl + n][index[k]]
        row[:hl] = row[m : m + hl]
        row[hl + m :] = row[hl : hl + hr]
        calls[m](buf[0], buf[1], no_check, np.zeros(1), count, 0)
        done = buf[count % 2, 0]
        dst[0, hl + a : hl + b] = done[hl + halo : hl + halo + (b - a)]

    g0 = 0
    while g0 < steps:
        step_end = min(steps, g0 + group)
        if check_every > 0:  # never step past the next check
            step_end = min(step_end, (g0 // check_every + 1) * check_every)
        src, dst = (cur, nxt) if g0 % 2 == 0 else (nxt, cur)
        count = step_end - g0
        futures = [pool.submit(advance_part, k, src, dst, count) for k in range(len(parts))]
        for future in futures:
            future.result()
        out = dst
        if count % 2 == 0:  # an even count ends where it started: parts were staged in dst
            src[0, hl : hl + n] = dst[0, hl : hl + n]
            out = src
        out[0, :hl] = out[0, n : n + hl]
        out[0, hl + n :] = out[0, hl : hl + hr]
        g0 = step_end
        if check_every > 0 and g0 % check_every == 0:
            sq[0] = squares(out[0, hl : hl + n])
            if not sq[0] <= ceil2[0]:
                return g0
    return steps
