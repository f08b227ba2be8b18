"""Compiled time stepping: stencil application and Runge-Kutta stages fused in one numba loop.

One generic compiled function runs any explicit Butcher tableau with any interior stencil
(offsets and weights are arrays, not constants), on periodic grids (wrap-around) and bounded
ones (dense edge blocks from :func:`~solvers.discretization.discretize`, fixed nodes as zero
rows), for one field or a batch of fields (a leading batch axis). It is compiled once per
machine and cached on disk (``cache=True``); a new stencil or stepper does not recompile.

How it stays near the memory limit: each step walks the grid in blocks of about
:data:`BLOCK` points. For a block it computes every stage on the block plus a halo (the
stencil's reach times the stages still to come, a few points), in L1-resident scratch
arrays, and writes the new state for the block to a second buffer. Per step the state is
read once and written once; stage values never travel to memory. Halo points are
recomputed by neighbouring blocks (a few points per 1,024).

Results agree with :class:`~solvers.kernels.RungeKuttaKernel` to round-off: the same
products are summed in the same order (first non-zero tap times the field, then each further
tap added; stage values ``u + (dt a_ij) k_j`` and the update ``u + (dt b_j) k_j`` accumulated
in ``j`` order). Only the dense edge blocks of bounded grids sum in a different order than
BLAS ``dgemv``.

One-stage methods (forward Euler) on periodic grids take a dedicated loop
(:func:`solvers._fast_loops.single_stage`): one fused pass per step, ``u + dt b_0 (stencil
of u)``, into the other of two buffers, with no blocks or scratch.

numba is imported on the first kernel request, never at ``import solvers``. The factory
:func:`fast_kernel_factory` (registered by ``solvers``) returns ``None`` when numba is
missing, when ``LEARNED_OPS_NO_JIT=1``, or for layouts it does not handle (sparse edge
blocks, grids narrower than the stencil's reach), and the NumPy kernel runs instead.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from solvers.discretization import Discretization
from solvers.padded_rows import PaddedRows
from solvers.row_threads import MIN_POINTS, RowCall, run_rows, run_wide, thread_count
from solvers.tableaux import ButcherTableau

__all__ = [
    "BLOCK",
    "FastRungeKuttaKernel",
    "fast_kernel_factory",
    "jit_available",
    "jit_disabled",
    "on_compile",
    "warm_up",
]

BLOCK = 1024
"""Target points per block (the scratch arrays of a block stay in L1)."""
NO_JIT_ENV = "LEARNED_OPS_NO_JIT"

_compiled: Callable[..., int] | None = None
_failure: str | None = None
_compile_notice: Callable[[int], None] | None = None
_noticed: set[tuple[int, int]] = set()


def on_compile(callback: Callable[[int], None] | None) -> None:
    """Have ``callback(taps)`` called just before a kernel for a stencil width is compiled.

    Not called when numba loads the width from its disk cache or has it in this process
    already, nor when that cannot be told. The solvers print nothing themselves: the CLI
    passes a printer (``None`` removes it).
    """
    global _compile_notice
    _compile_notice = callback


def _signature_width(signature: Any) -> int | None:
    """The stencil width in a compiled signature: the length of its first tap tuple."""
    for arg in signature:
        if type(arg).__name__ == "UniTuple":
            return int(arg.count)
    return None


def _will_compile(dispatcher: Any, taps: int) -> bool:
    """Whether calling ``dispatcher`` with ``taps``-long tap tuples compiles (False when
    loaded in this process, in numba's disk cache, or when numba's cache cannot be read)."""
    try:
        if any(_signature_width(sig) == taps for sig in dispatcher.signatures):
            return False
        index = dispatcher._cache._cache_file._load_index()  # numba's on-disk index
        return not any(_signature_width(key[0]) == taps for key in index)
    except Exception:  # an internal of numba that moved: say nothing rather than guess
        return False


def _notice_compile(dispatcher: Any, taps: int) -> None:
    key = (id(dispatcher), taps)
    if _compile_notice is None or key in _noticed:
        return
    if _will_compile(dispatcher, taps):
        _noticed.add(key)
        _compile_notice(taps)


def jit_disabled() -> bool:
    """True when the environment variable ``LEARNED_OPS_NO_JIT`` is set to a true value."""
    return os.environ.get(NO_JIT_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _build() -> Callable[..., int]:
    from solvers._fast_loops import run

    return run


def _single_stage_loop() -> Callable[..., int]:
    """The one-pass loop for one-stage methods on periodic grids (numba already imported)."""
    from solvers._fast_loops import single_stage

    return single_stage


def _compiled_run() -> Callable[..., int] | None:
    global _compiled, _failure
    if _compiled is None and _failure is None:
        try:
            _compiled = _build()
        except Exception as exc:  # numba missing or broken: the NumPy kernel runs instead
            _failure = f"{type(exc).__name__}: {exc}"
    return _compiled


def jit_available() -> bool:
    """Whether the compiled kernel can be used (numba importable and not disabled)."""
    return not jit_disabled() and _compiled_run() is not None


def _blocks(n: int, stages: int) -> np.ndarray:
    # One stage needs no halo and no scratch: a single pass over the row, no block overhead.
    count = 1 if stages == 1 else max(1, math.ceil(n / BLOCK))
    edges = np.linspace(0, n, count + 1).round().astype(np.int64)
    return np.ascontiguousarray(np.stack([edges[:-1], edges[1:]], axis=1))


def _taps(disc: Discretization) -> tuple[list[int], list[float]]:
    """The interior stencil's non-zero taps (the NumPy kernel skips zero weights too)."""
    pairs = [(int(o), float(w)) for o, w in zip(disc.offsets, disc.weights, strict=True)
             if w != 0.0] or [(0, 0.0)]
    return [o for o, _ in pairs], [w for _, w in pairs]


def _supported(disc: Discretization, tableau: ButcherTableau) -> bool:
    if not disc.is_linear:
        return False  # flux terms and forcing: solvers.fast_semilinear (see the factory)
    if not (isinstance(disc.left_block, np.ndarray) and isinstance(disc.right_block, np.ndarray)):
        return False  # huge sparse edge blocks: left to the NumPy kernel
    s = tableau.stages
    offsets, _ = _taps(disc)
    gl, gr = max(0, -offsets[0]), max(0, offsets[-1])
    n = disc.n
    if disc.periodic:
        return n >= max(s * gl, s * gr, 1)
    start, stop = disc.interior
    edge = max(start, n - stop, disc.left_block.shape[1], disc.right_block.shape[1])
    # Edge rows and the columns their blocks read must lie inside the first / last block.
    return n <= BLOCK or s == 1 or edge + s * max(gl, gr) <= BLOCK // 2


class FastRungeKuttaKernel(PaddedRows):
    """The compiled kernel for one discretization and tableau (see the module docstring).

    Implements the :class:`~solvers.kernels.Kernel` protocol, plus ``batched = True``
    (``load`` accepts shape ``(n,)`` or ``(rows, n)``) and :meth:`advance_checked`, which
    runs blow-up checks inside the compiled loop.

    Args:
        disc: The problem's discretization.
        tableau: The method.
        run: The compiled function (from :func:`warm_up` or the factory).
    """

    name = "numba-rk"
    batched = True

    def __init__(self, disc: Discretization, tableau: ButcherTableau,
                 run: Callable[..., int]) -> None:
        self.disc = disc
        self.tableau = tableau
        self._run = run
        s = tableau.stages
        n = disc.n
        offsets, weights = _taps(disc)
        gl, gr = max(0, -offsets[0]), max(0, offsets[-1])
        self._gl, self._gr = gl, gr
        self._hl, self._hr = (s * gl, s * gr) if disc.periodic else (0, 0)
        self._omin = offsets[0]
        self._rel = tuple(o - offsets[0] for o in offsets)
        self._w = tuple(weights)
        self._a = np.ascontiguousarray(tableau.a, dtype=np.float64)
        self._b = np.ascontiguousarray(tableau.b, dtype=np.float64)
        self._bounds = _blocks(n, s)
        if disc.periodic:
            self._start, self._stop = 0, n
            empty = np.zeros((0, 0))
            self._lblock, self._rblock = empty, empty
        else:
            self._start, self._stop = disc.interior
            self._lblock = np.ascontiguousarray(disc.left_block, dtype=np.float64)
            self._rblock = np.ascontiguousarray(disc.right_block, dtype=np.float64)
            if self._lblock.shape[0] == 0:
                self._lblock = np.zeros((0, 0))
            if self._rblock.shape[0] == 0:
                self._rblock = np.zeros((0, 0))
        # One stage on a periodic grid: a dedicated loop, one fused pass per step (only with
        # this module's own compiled ``run``; another ``run`` is used as given).
        self._one: Callable[..., int] | None = None
        if s == 1 and disc.periodic and run is _compiled:
            self._one = _single_stage_loop()
        _notice_compile(self._one or run, len(self._rel))
        self._init_rows()

    def _call(self, dt: float, steps: int, check_every: int, ceil2: np.ndarray) -> int:
        cur, nxt = self._buffers[self._cur], self._buffers[1 - self._cur]
        n = self.disc.n
        if (self.rows == 1 and self.disc.periodic and n >= MIN_POINTS
                and thread_count() > 1):
            done = run_wide(lambda m: self._rows_call(float(dt), m), cur, nxt, ceil2,
                            self._sq, int(steps), int(check_every), n=n, hl=self._hl,
                            hr=self._hr, reach=self.tableau.stages * max(self._gl, self._gr),
                            squares=self._row_squares)
        else:
            done = run_rows(self._rows_call(float(dt)), cur, nxt, ceil2, self._sq,
                            int(steps), int(check_every))
        if done % 2:
            self._cur = 1 - self._cur
        return int(done)

    def _row_squares(self, row: np.ndarray) -> float:
        """A state row's sum of squares, summed as the compiled loop's check does."""
        from solvers._fast_loops import squares

        if self._one is not None:
            return float(squares(row))
        total = 0.0
        for p0, p1 in self._bounds:
            total += squares(row[p0:p1])
        return total

    def _rows_call(self, dt: float, n_local: int | None = None) -> RowCall:
        """The compiled loop for this kernel on a slice of rows (see :mod:`solvers.row_threads`).

        ``n_local``: run it instead on a periodic grid of that many points (a part of a wide
        row with its halo).
        """
        n, one = (self.disc.n if n_local is None else n_local), self._one
        bounds = self._bounds if n_local is None else _blocks(n, self.tableau.stages)
        if one is not None:
            c = dt * float(self._b[0])

            def single(cur: np.ndarray, nxt: np.ndarray, ceil2: np.ndarray, sq: np.ndarray,
                       steps: int, check_every: int) -> int:
                return one(cur, nxt, self._rel, self._w, self._omin, c, steps, n, self._hl,
                           self._hr, check_every, ceil2, sq)

            return single

        def multi(cur: np.ndarray, nxt: np.ndarray, ceil2: np.ndarray, sq: np.ndarray,
                  steps: int, check_every: int) -> int:
            return self._run(cur, nxt, self._rel, self._w, self._omin, self._a, self._b, dt,
                             steps, n, self._gl, self._gr, self.disc.periodic,
                             self._start if n_local is None else 0,
                             self._stop if n_local is None else n, self._lblock, self._rblock,
                             bounds, check_every, ceil2, sq)

        return multi

    def advance(self, t: float, dt: float, steps: int) -> None:
        """``steps`` steps of size ``dt`` (the right-hand side does not depend on ``t``)."""
        if steps > 0:
            self._call(dt, steps, 0, self._sq)

    def advance_checked(self, t: float, dt: float, steps: int, check_every: int,
                        ceiling2: np.ndarray) -> tuple[int, np.ndarray]:
        """Advance with a blow-up check every ``check_every`` steps, inside the compiled loop.

        Args:
            t: Start time (unused: autonomous right-hand side).
            dt: Step size.
            steps: Steps to take at most.
            check_every: Steps between checks (counted from this call's start).
            ceiling2: Per row, the largest allowed sum of squares of the state.

        Returns:
            ``(steps taken, sums of squares per row at the last check)``; fewer steps than
            asked means a row failed its check (non-finite or above its ceiling).
        """
        ceil2 = np.ascontiguousarray(np.broadcast_to(ceiling2, (self.rows,)), dtype=np.float64)
        self._sq[...] = 0.0
        done = self._call(dt, steps, check_every, ceil2) if steps > 0 else 0
        return done, self._sq.copy()


def warm_up() -> Callable[..., int] | None:
    """Import numba and load (or compile) the kernel; None if unavailable or disabled."""
    if jit_disabled():
        return None
    return _compiled_run()


def fast_kernel_factory(disc: Discretization, tableau: ButcherTableau) -> Any:
    """Kernel factory for :func:`~solvers.kernels.register_kernel`.

    Returns:
        A :class:`FastRungeKuttaKernel` (linear discretizations) or a
        :class:`~solvers.fast_semilinear.SemilinearKernel` (flux terms and / or forcing), or
        ``None`` (numba missing, ``LEARNED_OPS_NO_JIT`` set, or a layout it does not
        handle), so the next factory or NumPy is used.
    """
    if not disc.is_linear:  # flux terms or forcing: the semilinear kernel, or None
        from solvers.fast_semilinear import semilinear_kernel_factory

        return semilinear_kernel_factory(disc, tableau)
    if not _supported(disc, tableau):
        return None
    run = warm_up()
    if run is None:
        return None
    return FastRungeKuttaKernel(disc, tableau, run)
