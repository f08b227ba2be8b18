"""The per-step kernel: a strategy object the solve loop calls, replaceable by a compiled one.

A kernel owns the state and its stage buffers and advances a whole run of steps in place::

    kernel.load(u0); kernel.advance(t, dt, steps); kernel.state  # a view of the current u

:func:`make_kernel` asks each registered factory in turn (a compiled implementation registers
one with :func:`register_kernel` and returns ``None`` for combinations it does not handle),
and falls back to :class:`RungeKuttaKernel`, which runs any Butcher tableau with NumPy on
preallocated buffers: nothing is allocated per step.
"""

from __future__ import annotations

from collections.abc import Callable
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
    "make_kernel",
    "register_kernel",
    "registered_kernels",
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
        ]
        out_int = out[start:stop]
        tmp = np.empty(stop - start)
        first_view, first_w = terms[0]
        rest = terms[1:]
        mul, add = np.multiply, np.add
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
            for view, w in rest:
                mul(view, w, out=tmp)
                add(out_int, tmp, out=out_int)
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
        self._tmp = np.zeros(n)
        a, b, c = tableau.a, tableau.b, tableau.c
        self._stages = []
        for i in range(s):
            pairs = [(j, float(a[i, j])) for j in range(i) if a[i, j] != 0.0]
            src = self._u_ext if not pairs else self._y_ext
            self._stages.append((pairs, float(c[i]), rhs.bind(src, self._k[i])))
        self._weights = [(j, float(b[j])) for j in range(s) if b[j] != 0.0]

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
        u, y, k, tmp = self._u, self._y, self._k, self._tmp
        mul, add = np.multiply, np.add
        stages, weights = self._stages, self._weights
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for step in range(steps):
                now = t + step * dt
                for pairs, ci, evaluate in stages:
                    if pairs:
                        j0, a0 = pairs[0]
                        mul(k[j0], dt * a0, out=y)
                        for j, aij in pairs[1:]:
                            mul(k[j], dt * aij, out=tmp)
                            add(y, tmp, out=y)
                        add(y, u, out=y)
                    evaluate(now + ci * dt)
                for j, bj in weights:
                    mul(k[j], dt * bj, out=tmp)
                    add(u, tmp, out=u)


def make_kernel(disc: Discretization, tableau: ButcherTableau) -> Kernel:
    """The first registered kernel that accepts (disc, tableau), else the NumPy one."""
    for factory in _FACTORIES:
        kernel = factory(disc, tableau)
        if kernel is not None:
            return kernel
    return RungeKuttaKernel(LinearRhs(disc), tableau)
