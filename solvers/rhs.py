"""Right-hand sides bound to fixed buffers: ``out = rhs(src, t)`` with no allocation per call.

- :class:`LinearRhs`: ``L u`` for a :class:`~solvers.discretization.Discretization`'s stencil and
  edge blocks;
- :class:`SemilinearRhs`: ``L u`` plus its flux terms ``alpha D(u**2) + beta u D(u)`` and its
  forcing (Burgers);
- :class:`FunctionRhs`: a user function ``f(u, t, out)``.

Each has ``n``, ``ghosts`` (nodes a periodic field needs on either side) and ``bind(src, out)``
returning a function of ``t``. The ``y += a x`` updates run as BLAS ``daxpy`` in blocks
(:func:`axpy_operation`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from solvers.discretization import Discretization

__all__ = [
    "BLAS_BLOCK",
    "FunctionRhs",
    "LinearRhs",
    "SemilinearRhs",
    "axpy_operation",
    "contiguous",
    "sum_of_squares",
]


@cache
def _axpy() -> Callable[..., np.ndarray]:
    """BLAS daxpy (``y += a * x`` in one pass, in place on contiguous float64 ``y``).

    Imported on first use so that ``import solvers`` stays light.
    """
    from scipy.linalg.blas import daxpy

    return daxpy


@cache
def _ddot() -> Callable[..., float]:
    from scipy.linalg.blas import ddot

    return ddot


BLAS_BLOCK = 8192
"""BLAS calls act on blocks of at most this many points. OpenBLAS threads level-1 routines
above 10,000 points; on a busy machine its spinning threads made stepping erratic and up to
20x slower (measured), while single-threaded blocks keep one pass through memory."""


def sum_of_squares(u: np.ndarray) -> float:
    """sum u**2 with BLAS ddot in blocks (inf or nan on blow-up; no numpy float warnings)."""
    arr = np.ascontiguousarray(u, dtype=np.float64)
    ddot = _ddot()
    return float(sum(ddot(arr[i : i + BLAS_BLOCK], arr[i : i + BLAS_BLOCK])
                     for i in range(0, arr.size, BLAS_BLOCK)))


def axpy_operation(x: np.ndarray, y: np.ndarray) -> Callable[[float], None]:
    """A function ``f(a)`` doing ``y += a * x`` in place (blocked BLAS daxpy)."""
    contiguous(x, y)
    daxpy = _axpy()
    if x.size <= BLAS_BLOCK:

        def update(a: float) -> None:
            daxpy(x, y, a=a)

        return update
    blocks = [(x[i : i + BLAS_BLOCK], y[i : i + BLAS_BLOCK])
              for i in range(0, x.size, BLAS_BLOCK)]

    def update_blocks(a: float) -> None:
        for xb, yb in blocks:
            daxpy(xb, yb, a=a)

    return update_blocks


def contiguous(*arrays: np.ndarray) -> None:
    """Refuse buffers that are not contiguous float64 (the BLAS calls need them)."""
    for arr in arrays:
        if not (arr.flags.c_contiguous and arr.dtype == np.float64):
            raise ValueError("kernel buffers must be contiguous float64 arrays")


class LinearRhs:
    """``out = L src`` for a :class:`Discretization`, bound to fixed buffers.

    ``bind(src, out)`` returns a function of ``t`` that writes ``L src`` into ``out`` with
    precomputed slices; ``src`` is a padded field (ghost nodes on periodic grids).
    """

    def __init__(self, disc: Discretization) -> None:
        self.disc = disc
        self.n = disc.n
        self.ghosts = disc.ghosts

    def bind(self, src: np.ndarray, out: np.ndarray) -> Callable[[float], None]:
        """A function ``f(t)`` computing ``out = L src`` (no allocation)."""
        d = self.disc
        left, right = self.ghosts
        n = d.n
        start, stop = d.interior
        base = left  # index of node 0 in src
        terms = [
            (src[base + start + o : base + stop + o], float(w))
            for o, w in zip(d.offsets, d.weights, strict=True)
            if w != 0.0
        ] or [(src[base + start : base + stop], 0.0)]
        out_int = out[start:stop]
        contiguous(out_int, *(view for view, _ in terms))
        first_view, first_w = terms[0]
        rest = [(axpy_operation(view, out_int), w) for view, w in terms[1:]]
        mul = np.multiply
        ghost_copies = []
        if left:
            ghost_copies.append((src[:left], src[n : n + left]))
        if right:
            ghost_copies.append((src[left + n :], src[left : left + right]))
        blocks = []
        if start > 0:
            blocks.append((d.left_block, src[base : base + d.left_block.shape[1]], out[:start]))
        if stop < n:
            width = d.right_block.shape[1]
            blocks.append((d.right_block, src[base + n - width : base + n], out[stop:]))
        dense = [isinstance(b, np.ndarray) for b, _, _ in blocks]

        def evaluate(t: float) -> None:
            for dst, origin in ghost_copies:
                dst[...] = origin
            mul(first_view, first_w, out=out_int)
            for update, w in rest:
                update(w)
            for (block, x, y), is_dense in zip(blocks, dense, strict=True):
                if is_dense:
                    np.dot(block, x, out=y)
                else:
                    y[...] = block @ x

        return evaluate


class FunctionRhs:
    """``out = f(src, t)`` for a user function ``f(u, t, out)`` (ODE tests, nonlinear rhs)."""

    def __init__(self, function: Callable[[np.ndarray, float, np.ndarray], None], n: int) -> None:
        self.function = function
        self.n = n
        self.ghosts = (0, 0)

    def bind(self, src: np.ndarray, out: np.ndarray) -> Callable[[float], None]:
        """A function ``g(t)`` calling ``f(src, t, out)``."""
        function = self.function

        def evaluate(t: float) -> None:
            function(src, t, out)

        return evaluate


class SemilinearRhs:
    """``out = L src + sum_fluxes (alpha D(u**2) + beta u D(u)) + f(x, t)``, periodic.

    The order of operations is fixed (the compiled kernel regroups the flux per tap as
    ``u_p (w_L,p + alpha w_p u_p + beta w_p u_i)``, fewer multiplications, so the two agree to
    round-off, about 1e-15, not bit for bit): ``L u`` as
    :class:`LinearRhs`; then per flux term ``s = sum_j w_j u[i + o_j]**2`` (first tap times the
    first shifted square, further taps added in order, as BLAS ``y += w x``) and
    ``out += alpha * s``; then ``d = sum_j w_j u[i + o_j]`` and ``out += beta * (u * d)``; then
    ``out += f(x, t)``.
    """

    def __init__(self, disc: Discretization) -> None:
        if not disc.periodic:
            raise ValueError("flux terms and forcing run on periodic grids only")
        self.disc = disc
        self.n = disc.n
        self.ghosts = disc.ghosts
        self.linear = LinearRhs(disc)
        forcing = disc.forcing
        # f(x, t) = [a(t), b(t)] @ [sin(k x); cos(k x)]: one product per evaluation
        self._tables = None if forcing is None else np.vstack(forcing.tables(disc.nodes))

    def bind(self, src: np.ndarray, out: np.ndarray) -> Callable[[float], None]:
        """A function ``f(t)``: the right-hand side into ``out`` (no grid-sized allocation)."""
        d = self.disc
        n = d.n
        left, _ = self.ghosts
        linear = self.linear.bind(src, out)
        squares = np.empty_like(src)
        acc = np.empty(n)
        u = src[left : left + n]
        contiguous(out, squares, acc, u)
        mul = np.multiply
        # Per flux part: (first shifted view, its weight, further taps as y += w x updates,
        # whether to multiply by u, the part's weight into out).
        parts = []
        for flux in d.fluxes:
            for field, weight, times_u in ((squares, flux.alpha, False), (src, flux.beta, True)):
                if weight == 0.0:
                    continue
                views = [(field[left + o : left + o + n], float(w))
                         for o, w in zip(flux.offsets, flux.weights, strict=True)]
                (first, w0), *rest = views
                updates = [(axpy_operation(view, acc), w) for view, w in rest]
                parts.append((first, w0, updates, times_u, float(weight)))
        squared = any(f.alpha != 0.0 for f in d.fluxes)  # u**2 only where D(u**2) is used
        into_out = axpy_operation(acc, out)
        forcing = d.forcing
        tables = self._tables
        wave = np.empty(n)
        add_wave = axpy_operation(wave, out)

        def evaluate(t: float) -> None:
            linear(t)  # also refreshes the ghost nodes of src
            if squared:
                mul(src, src, out=squares)
            for first, w0, updates, times_u, weight in parts:
                mul(first, w0, out=acc)
                for update, w in updates:
                    update(w)
                if times_u:
                    mul(acc, u, out=acc)
                into_out(weight)
            if forcing is not None:
                a, b = forcing.coefficients(t)
                np.dot(np.concatenate((a, b)), tables, out=wave)
                add_wave(1.0)

        return evaluate
