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
from typing import Protocol

import numpy as np

from solvers.discretization import Discretization
from solvers.rhs import (
    FunctionRhs,
    LinearRhs,
    SemilinearRhs,
    axpy_operation,
    contiguous,
    sum_of_squares,
)
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
    "rhs_for",
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


class RungeKuttaKernel:
    """Any explicit Butcher tableau with NumPy on preallocated stage buffers.

    Args:
        rhs: A :class:`LinearRhs` or :class:`FunctionRhs` (anything with ``n``, ``ghosts`` and
            ``bind(src, out)``).
        tableau: The method.
    """

    name = "numpy-rk"

    def __init__(self, rhs: LinearRhs | SemilinearRhs | FunctionRhs,
                 tableau: ButcherTableau) -> None:
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
        contiguous(self._u, self._y, *self._k)
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
    return RungeKuttaKernel(rhs_for(disc), tableau)


def rhs_for(disc: Discretization) -> LinearRhs | SemilinearRhs:
    """The NumPy right-hand side for a discretization (linear, or with fluxes / forcing)."""
    return LinearRhs(disc) if disc.is_linear else SemilinearRhs(disc)
