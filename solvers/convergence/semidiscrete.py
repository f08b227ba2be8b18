"""The exact solution of the semi-discrete system ``u' = L u`` (the target of temporal studies)."""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers.discretization import discretize
from solvers.initial_conditions import initial_values
from solvers.problems import Problem


def semidiscrete_solution(problem: Problem, u0: Any, t: float) -> np.ndarray:
    """The exact solution at time ``t`` of the semi-discrete system ``u' = L u``.

    Periodic grids: each discrete Fourier mode is multiplied by ``exp(t lambda(theta))`` with
    ``lambda`` the symbol of the problem's merged stencil. Bounded grids:
    ``scipy.sparse.linalg.expm_multiply`` on the assembled matrix (fixed nodes have zero rows,
    so they keep their values). Growing modes may overflow to inf (no exception).
    """
    disc = discretize(problem)
    values = initial_values(u0, problem.grid)
    for node, value in problem.fixed_values().items():
        values[node] = value
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if disc.periodic:
            theta = 2.0 * np.pi * np.fft.fftfreq(disc.n)
            lam = np.exp(1j * np.multiply.outer(theta, np.asarray(disc.offsets, float))) @ (
                disc.weights.astype(np.complex128)
            )
            return np.real(np.fft.ifft(np.fft.fft(values) * np.exp(t * lam)))
        from scipy.sparse.linalg import expm_multiply

        return np.asarray(expm_multiply(t * disc.matrix, values), dtype=np.float64)
