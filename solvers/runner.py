"""Which kernel runs the steps: by name, by factory, or the first registered that fits; and a
one-field kernel run over a batch row by row."""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers.errors import StepperError
from solvers.kernels import (
    Kernel,
    KernelFactory,
    RungeKuttaKernel,
    make_kernel,
    rhs_for,
    sum_of_squares,
)
from solvers.tableaux import ButcherTableau

__all__ = ["KERNEL_NAMES", "RowByRow", "make_runner", "row_squares"]

KERNEL_NAMES = ("auto", "numpy", "numba")
"""String values of ``solve(kernel=...)``."""


class RowByRow:
    """Runs a one-field kernel over a batch, row after row (the NumPy path for ensembles)."""

    batched = True

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.name = getattr(kernel, "name", "kernel")
        self._rows = np.zeros((0, 0))

    @property
    def state(self) -> np.ndarray:
        return self._rows

    def load(self, u: np.ndarray) -> None:
        self._rows = np.array(u, dtype=np.float64, ndmin=2)

    def advance(self, t: float, dt: float, steps: int) -> None:
        for row in self._rows:
            self.kernel.load(row)
            self.kernel.advance(t, dt, steps)
            row[...] = self.kernel.state


def row_squares(u: np.ndarray) -> np.ndarray:
    """Sum of squares per row (inf or nan on blow-up, without float warnings)."""
    if u.ndim == 1:
        return np.array([sum_of_squares(u)])
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return np.einsum("ij,ij->i", u, u)


def make_runner(kernel: KernelFactory | str | None, disc: Any,
                 tableau: ButcherTableau) -> Kernel:
    if kernel is None or kernel == "auto":
        return make_kernel(disc, tableau)
    if kernel == "numpy":
        return RungeKuttaKernel(rhs_for(disc), tableau)
    if kernel == "numba":
        from solvers.fast_kernels import _failure, fast_kernel_factory, jit_disabled

        runner = fast_kernel_factory(disc, tableau)
        if runner is None:
            why = ("LEARNED_OPS_NO_JIT is set" if jit_disabled() else
                   _failure or "this discretization's layout is not supported")
            raise StepperError(f"the compiled kernel is not available: {why}")
        return runner
    if isinstance(kernel, str):
        raise StepperError(f"unknown kernel {kernel!r}; valid names: {', '.join(KERNEL_NAMES)}")
    return kernel(disc, tableau) or make_kernel(disc, tableau)
