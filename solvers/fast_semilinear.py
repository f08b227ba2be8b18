"""Compiled time stepping for flux terms and forcing (Burgers): stages fused in cache blocks.

The semilinear counterpart of :mod:`solvers.fast_kernels`, for periodic discretizations with
at most one flux term ``alpha D(u**2) + beta u D(u)`` and an optional forcing (a linear part
may be absent: inviscid Burgers). Any explicit Butcher tableau; stage ``i`` is evaluated at
time ``t + c_i dt`` (the forcing is the only time dependence).

Layout as in the linear kernel: each step walks the row in blocks of about :data:`BLOCK`
points and computes every stage on the block plus a halo (the widest stencil's reach times
the stages still to come) in L2-resident scratch, writing the new state for the block to the
other of two buffers. The flux term is formed on the fly per flux tap, ``u_p (wL_p + alpha w
u_p + w beta u_i)`` (no pass for the squares). The forcing is summed per distinct
wavenumber (the travelling waves share a few ``k``) from sine / cosine tables of the nodes
into a block buffer, one vectorised pass per wavenumber, once per block and distinct stage
time.

Compilation: one specialisation per pair of tap counts (the flux term's non-zero taps, the
linear stencil's other non-zero taps), for every flux form, forcing, tableau and batch
size; see :mod:`solvers._fast_semilinear_loops`.

Agreement with :class:`~solvers.kernels.RungeKuttaKernel` over :class:`~solvers.rhs.
SemilinearRhs` is to round-off, not bitwise: the same terms, grouped per flux tap so that
a step needs as few multiplies as a hand-written loop (see
:mod:`solvers._fast_semilinear_loops`), and the forcing summed per wavenumber.

Besides the :class:`~solvers.kernels.Kernel` protocol and :meth:`~SemilinearKernel.
advance_checked`, :meth:`~SemilinearKernel.advance_watched` checks the invariants of
unforced Burgers (total variation, ``max|u|``, energy) after every step inside the compiled
loop. numba is imported on the first kernel request, never at ``import solvers``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from solvers.discretization import Discretization
from solvers.padded_rows import PaddedRows
from solvers.tableaux import ButcherTableau

__all__ = ["BLOCK", "SemilinearKernel", "semilinear_kernel_factory", "semilinear_supported"]

BLOCK = 4096
"""Target points per block. The stages' scratch (two stage values, the running update, the
forcing) and the block's share of the state stay in L2; with the linear kernel's 1024 the
per-block overhead (a call, alias checks and a scalar remainder per stage) cost ~10% at
N = 4,000 and the blocks were no faster (the scratch does not fit L1 either way). Read when a
kernel is built."""

_compiled: Callable[..., int] | None = None
_failure: str | None = None


def _compiled_run() -> Callable[..., int] | None:
    global _compiled, _failure
    if _compiled is None and _failure is None:
        try:
            from solvers._fast_semilinear_loops import run

            _compiled = run
        except Exception as exc:  # numba missing or broken: the NumPy kernel runs instead
            _failure = f"{type(exc).__name__}: {exc}"
    return _compiled


def _writable(values: Any) -> np.ndarray:
    """A C-contiguous, writable float64 copy: read-only arrays (the forcing's, broadcast
    views) would be another type for numba, i.e. another compiled specialisation."""
    return np.array(values, dtype=np.float64, order="C", copy=True)


def _nonzero(offsets: Any, weights: Any) -> list[tuple[int, float]]:
    return [(int(o), float(w)) for o, w in zip(offsets, weights, strict=True) if w != 0.0]


def semilinear_supported(disc: Discretization, tableau: ButcherTableau) -> bool:
    """Whether :class:`SemilinearKernel` handles ``disc`` (periodic, at most one flux term,
    a grid at least as wide as the stages' halo)."""
    if not disc.periodic or len(disc.fluxes) > 1:
        return False
    if disc.forcing is not None and disc.nodes is None:
        return False
    gl, gr = disc.ghosts
    return disc.n >= max(tableau.stages * max(gl, gr), 1)


def _grouped_tables(disc: Discretization, hl: int, hr: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                               np.ndarray]:
    """Sine / cosine tables per distinct wavenumber (ghosts included) and the wave data."""
    forcing = disc.forcing
    n = disc.n
    if forcing is None:
        empty = np.zeros((0, hl + n + hr))
        none = np.zeros(0)
        return empty, empty.copy(), none, none.copy(), none.copy(), np.zeros(0, np.int64)
    sin, cos = forcing.tables(disc.nodes)  # the NumPy kernel's own values
    k = np.asarray(forcing.wavenumbers, dtype=np.float64)
    distinct: dict[float, int] = {}
    group = np.array([distinct.setdefault(float(kj), len(distinct)) for kj in k], np.int64)
    first = [int(np.flatnonzero(group == g)[0]) for g in range(len(distinct))]
    cols = np.arange(-hl, n + hr) % n
    tsin = _writable(sin[first][:, cols])
    tcos = _writable(cos[first][:, cols])
    as_array = [_writable(v) for v in (forcing.amplitudes, forcing.frequencies, forcing.phases)]
    return tsin, tcos, as_array[0], as_array[1], as_array[2], group


def _spacing(disc: Discretization) -> float:
    x = disc.nodes
    if x is None or len(x) < 2:
        return 1.0
    return float((x[-1] - x[0]) / (len(x) - 1))


class SemilinearKernel(PaddedRows):
    """The compiled kernel for a periodic discretization with a flux term and/or forcing.

    Implements the :class:`~solvers.kernels.Kernel` protocol with ``batched = True``
    (``load`` takes ``(n,)`` or ``(rows, n)``), :meth:`advance_checked` and
    :meth:`advance_watched`.

    Args:
        disc: The discretization (see :func:`semilinear_supported`).
        tableau: Any explicit Butcher tableau.
        run: The compiled loop (:func:`solvers._fast_semilinear_loops.run`).

    Attributes:
        h: Grid spacing used for the energy ``h sum u**2`` in :meth:`advance_watched`
            (from the nodes; set it to the grid's ``h`` for the exact value).
    """

    name = "numba-semilinear"
    batched = True

    def __init__(self, disc: Discretization, tableau: ButcherTableau,
                 run: Callable[..., int]) -> None:
        if not semilinear_supported(disc, tableau):
            raise ValueError("this discretization's layout is not supported by the kernel")
        self.disc = disc
        self.tableau = tableau
        self._run = run
        s, n = tableau.stages, disc.n
        linear = _nonzero(disc.offsets, disc.weights) or [(0, 0.0)]
        flux = disc.fluxes[0] if disc.fluxes else None
        taps = _nonzero(flux.offsets, flux.weights) if flux is not None else []
        alpha = float(flux.alpha) if flux is not None else 0.0
        beta = float(flux.beta) if flux is not None else 0.0
        self._use_a = bool(taps) and alpha != 0.0
        self._use_b = bool(taps) and beta != 0.0
        reach = [o for o, _ in linear] + [o for o, _ in taps] + [0]
        omin, omax = min(reach), max(reach)
        self._gl, self._gr = max(0, -omin), max(0, omax)
        self._hl, self._hr = s * self._gl, s * self._gr
        self._omin = omin
        self._cen = -omin
        # the flux taps (or the centre, weight 0, without a flux term) carry the linear weights
        # at their positions; the other non-zero linear taps come apart (or a zero centre)
        wl_at = {o - omin: w for o, w in linear}
        flux_pos = [(o - omin, w) for o, w in taps] or [(-omin, 0.0)]
        in_flux = {p for p, _ in flux_pos}
        others = [(p, w) for p, w in sorted(wl_at.items()) if p not in in_flux and w != 0.0]
        others = others or [(-omin, 0.0)]
        a_scale = alpha if self._use_a else 0.0
        self._tO = (tuple(p for p, _ in others), tuple(w for _, w in others))
        self._tF = (tuple(p for p, _ in flux_pos),
                    tuple(float(wl_at.get(p, 0.0)) for p, _ in flux_pos),
                    tuple(a_scale * w for _, w in flux_pos), tuple(w for _, w in flux_pos))
        # 1: D(u**2) only (also without a flux term: its zero weights add exact zeros),
        # 2: u D(u) only, 3: both
        self._mode = 3 if (self._use_a and self._use_b) else (2 if self._use_b else 1)
        self._beta = beta if self._use_b else 0.0
        self._a = _writable(tableau.a)
        self._b = _writable(tableau.b)
        self._c = _writable(tableau.c)
        count = max(1, math.ceil(n / BLOCK))
        edges = np.linspace(0, n, count + 1).round().astype(np.int64)
        bounds = np.ascontiguousarray(np.stack([edges[:-1], edges[1:]], axis=1))
        self._bounds = bounds
        (self._tsin, self._tcos, self._amp, self._freq, self._phase,
         self._group) = _grouped_tables(disc, self._hl, self._hr)
        self.h = _spacing(disc)
        self._init_rows()

    def _resize(self, rows: int) -> None:
        super()._resize(rows)
        self._largest = np.zeros(rows)
        self._limits = np.zeros((rows, 3))

    def _call(self, t: float, dt: float, steps: int, check_every: int, ceil2: np.ndarray,
              watch: bool) -> int:
        cur, nxt = self._buffers[self._cur], self._buffers[1 - self._cur]
        done = self._run(cur, nxt, self._tO, self._tF, self._beta, self._mode, self._cen,
                         self._omin, self._a, self._b, self._c, float(t),
                         float(dt), int(steps), self.disc.n, self._gl, self._gr,
                         self._bounds, self._tsin, self._tcos, self._amp, self._freq,
                         self._phase, self._group, int(check_every), ceil2, self._sq,
                         bool(watch), self._limits, self._largest, float(self.h))
        if done % 2:
            self._cur = 1 - self._cur
        return int(done)

    def advance(self, t: float, dt: float, steps: int) -> None:
        """``steps`` steps of size ``dt`` from time ``t`` (stage i at ``t + c_i dt``)."""
        if steps > 0:
            self._call(t, dt, steps, 0, self._sq, False)

    def advance_checked(self, t: float, dt: float, steps: int, check_every: int,
                        ceiling2: np.ndarray) -> tuple[int, np.ndarray]:
        """Advance with a blow-up check every ``check_every`` steps, inside the compiled loop.

        Args:
            t: Start time.
            dt: Step size.
            steps: Steps to take at most.
            check_every: Steps between checks (counted from this call's start).
            ceiling2: Per row (or one for all), the largest allowed sum of squares.

        Returns:
            ``(steps taken, sums of squares per row at the last check)``; fewer steps than
            asked means a row failed its check (non-finite or above its ceiling).
        """
        ceil2 = self._per_row(ceiling2)
        self._sq[...] = 0.0
        done = self._call(t, dt, steps, check_every, ceil2, False) if steps > 0 else 0
        return done, self._sq.copy()

    def advance_watched(self, t: float, dt: float, steps: int, ceiling2: np.ndarray,
                        limits: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
        """Advance, checking the norm and the invariants of every row after EVERY step.

        After each step the compiled loop computes per row the sum of squares ``S``, the
        periodic total variation ``TV = sum_i |u[i+1] - u[i]|`` (``u[n] = u[0]``), ``max|u|``
        and the energy ``E = h S`` (``h`` is :attr:`h`), and stops right after the first
        step after which some row has ``S`` non-finite or above ``ceiling2[row]``, or
        ``TV > limits[row, 0]``, ``max|u| > limits[row, 1]`` or ``E > limits[row, 2]``
        (a non-finite measure counts as above). The measures are summed in a different
        order than :func:`solvers.monitor.invariants`: they agree to round-off, so a
        state within round-off of a bound may be judged differently.

        Args:
            t: Start time (the forcing's clock; stage i runs at ``t + step dt + c_i dt``).
            dt: Step size.
            steps: Steps to take at most (0: nothing is done).
            ceiling2: Largest allowed sum of squares, per row (shape (rows,)) or a scalar.
            limits: Upper bounds, shape (rows, 3) or (3,) for all rows: total variation,
                max|u|, energy. ``inf`` disables a bound.

        Returns:
            ``(taken, sq_rows, largest_max_rows)``: the steps taken (``taken < steps``
            exactly when a row broke a bound after step ``taken``; the state is then the
            state after that step); each row's sum of squares after the last step taken
            (zeros when no step was taken); each row's largest ``max|u|`` over the states
            after steps 1..taken (zeros when none).
        """
        ceil2 = self._per_row(ceiling2)
        lim = _writable(np.broadcast_to(np.asarray(limits, dtype=np.float64), (self.rows, 3)))
        self._limits = lim
        self._sq[...] = 0.0
        self._largest[...] = 0.0
        done = self._call(t, dt, steps, 1, ceil2, True) if steps > 0 else 0
        return done, self._sq.copy(), self._largest.copy()

    def _per_row(self, ceiling2: Any) -> np.ndarray:
        return _writable(np.broadcast_to(np.asarray(ceiling2, dtype=np.float64), (self.rows,)))


def semilinear_kernel_factory(disc: Discretization, tableau: ButcherTableau) -> Any:
    """A :class:`SemilinearKernel`, or None (numba missing, ``LEARNED_OPS_NO_JIT`` set, or a
    layout it does not handle)."""
    from solvers.fast_kernels import jit_disabled

    if jit_disabled() or not semilinear_supported(disc, tableau):
        return None
    run = _compiled_run()
    if run is None:
        return None
    return SemilinearKernel(disc, tableau, run)
