"""The per-step kernel: a strategy object the solve loop calls, replaceable by a compiled one.

A kernel owns the state and its stage buffers and advances a whole run of steps in place::

    kernel.load(u0); kernel.advance(t, dt, steps); kernel.state  # a view of the current u

:func:`make_kernel` asks each registered factory in turn (a compiled implementation registers
one with :func:`register_kernel` and returns ``None`` for combinations it does not handle),
and falls back to :class:`RungeKuttaKernel`, which runs any Butcher tableau with NumPy (and
BLAS ``daxpy`` for the ``y += a x`` updates: one pass instead of a multiply and an add) on
preallocated buffers: nothing is allocated per step.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Protocol

import numpy as np

from solvers.discretization import Discretization
from solvers.tableaux import ButcherTableau

__all__ = [
    "FunctionRhs",
    "Kernel",
    "KernelFactory",
    "LinearRhs",
    "RungeKuttaKernel",
    "axpy_operation",
    "make_kernel",
    "register_kernel",
    "registered_kernels",
    "sum_of_squares",
]


class Kernel(Protocol):
    """What the solve loop needs from a kernel."""

    name: str

    @property
    def state(self) -> np.ndarray:
        """The current solution (a view; copy it to keep it)."""

    def load(self, u: np.ndarray) -> None:
        """Set the state."""

    def advance(self, t: float, dt: float, steps: int) -> None:
        """Take ``steps`` steps of size ``dt`` starting at time ``t``, in place."""


KernelFactory = Callable[[Discretization, ButcherTableau], "Kernel | None"]
_FACTORIES: list[KernelFactory] = []


def register_kernel(factory: KernelFactory) -> None:
    """Register a kernel factory, tried before the NumPy kernel (latest first)."""
    if factory not in _FACTORIES:
        _FACTORIES.insert(0, factory)


def registered_kernels() -> list[KernelFactory]:
    """The registered factories, in the order they are tried."""
    return list(_FACTORIES)


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
    _contiguous(x, y)
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


def _contiguous(*arrays: np.ndarray) -> None:
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
        _contiguous(out_int, *(view for view, _ in terms))
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


class RungeKuttaKernel:
    """Any explicit Butcher tableau with NumPy on preallocated stage buffers.

    Args:
        rhs: A :class:`LinearRhs` or :class:`FunctionRhs` (anything with ``n``, ``ghosts`` and
            ``bind(src, out)``).
        tableau: The method.
    """

    name = "numpy-rk"

    def __init__(self, rhs: LinearRhs | FunctionRhs, tableau: ButcherTableau) -> None:
        self.rhs = rhs
        self.tableau = tableau
        n = rhs.n
        left, right = rhs.ghosts
        s = tableau.stages
        self._u_ext = np.zeros(n + left + right)
        self._y_ext = np.zeros(n + left + right)
        self._u = self._u_ext[left : left + n]
        self._y = self._y_ext[left : left + n]
        self._k = np.zeros((s, n))
        _contiguous(self._u, self._y, *self._k)
        a, b, c = tableau.a, tableau.b, tableau.c
        self._stages = []
        for i in range(s):
            pairs = [(j, float(a[i, j])) for j in range(i) if a[i, j] != 0.0]
            src = self._u_ext if not pairs else self._y_ext
            updates = [(axpy_operation(self._k[j], self._y), aij) for j, aij in pairs]
            self._stages.append((updates, float(c[i]), rhs.bind(src, self._k[i])))
        self._weights = [(axpy_operation(self._k[j], self._u), float(b[j]))
                         for j in range(s) if b[j] != 0.0]

    @property
    def state(self) -> np.ndarray:
        """The current solution (a view)."""
        return self._u

    def load(self, u: np.ndarray) -> None:
        """Copy ``u`` into the state."""
        self._u[...] = u

    def advance(self, t: float, dt: float, steps: int) -> None:
        """``steps`` steps of size ``dt`` from time ``t``.

        Overflow and invalid operations are not raised here: a blow-up is what the caller
        detects from the state's norm afterwards.
        """
        u, y = self._u, self._y
        copyto = np.copyto
        stages = [([(update, dt * aij) for update, aij in updates], ci * dt, evaluate)
                  for updates, ci, evaluate in self._stages]
        weights = [(update, dt * bj) for update, bj in self._weights]
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for step in range(steps):
                now = t + step * dt
                for updates, offset, evaluate in stages:
                    if updates:
                        copyto(y, u)
                        for update, coef in updates:
                            update(coef)
                    evaluate(now + offset)
                for update, coef in weights:
                    update(coef)


def make_kernel(disc: Discretization, tableau: ButcherTableau) -> Kernel:
    """The first registered kernel that accepts (disc, tableau), else the NumPy one."""
    for factory in _FACTORIES:
        kernel = factory(disc, tableau)
        if kernel is not None:
            return kernel
    return RungeKuttaKernel(LinearRhs(disc), tableau)
