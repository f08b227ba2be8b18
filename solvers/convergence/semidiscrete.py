"""The exact solution of the semi-discrete system ``u' = L u`` (the target of temporal studies)."""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers.discretization import discretize
from solvers.errors import ProblemError
from solvers.initial_conditions import initial_values
from solvers.problems import Problem
from solvers.rhs import SemilinearRhs

SEMIDISCRETE_RTOL = 1e-12
"""Relative tolerance of the ODE solve of a nonlinear semi-discrete system."""


def _nonlinear(problem: Problem, values: np.ndarray, t: float) -> np.ndarray:
    """The semi-discrete system with flux terms, solved by DOP853 at tight tolerance."""
    from scipy.integrate import solve_ivp

    disc = discretize(problem)
    rhs = SemilinearRhs(disc)
    left, right = rhs.ghosts
    src = np.zeros(disc.n + left + right)
    out = np.zeros(disc.n)
    evaluate = rhs.bind(src, out)

    def f(time: float, u: np.ndarray) -> np.ndarray:
        src[left : left + disc.n] = u
        evaluate(time)
        return out.copy()

    scale = max(1.0, float(np.abs(values).max()))
    with np.errstate(under="ignore"):
        result = solve_ivp(f, (0.0, t), values, method="DOP853", rtol=SEMIDISCRETE_RTOL,
                           atol=1e-3 * SEMIDISCRETE_RTOL * scale)
    if not result.success:
        raise ProblemError(f"the semi-discrete {problem.equation} system could not be solved "
                           f"to t = {t:g}: {result.message}")
    return np.asarray(result.y[:, -1], dtype=np.float64)


def semidiscrete_solution(problem: Problem, u0: Any, t: float) -> np.ndarray:
    """The exact solution at time ``t`` of the semi-discrete system ``u' = L u``.

    Nonlinear problems (flux terms) and forced ones: ``scipy.integrate.solve_ivp`` (DOP853,
    relative tolerance ``SEMIDISCRETE_RTOL``) on the same right-hand side the NumPy kernel
    evaluates. Periodic grids: each discrete Fourier mode is multiplied by
    ``exp(t lambda(theta))`` with ``lambda`` the symbol of the problem's merged stencil.
    Bounded grids:
    ``scipy.sparse.linalg.expm_multiply`` on the assembled matrix (fixed nodes have zero rows,
    so they keep their values). Growing modes may overflow to inf (no exception).
    """
    disc = discretize(problem)
    values = initial_values(u0, problem.grid)
    for node, value in problem.fixed_values().items():
        values[node] = value
    if not disc.is_linear:
        return _nonlinear(problem, values, t)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if disc.periodic:
            theta = 2.0 * np.pi * np.fft.fftfreq(disc.n)
            lam = np.exp(1j * np.multiply.outer(theta, np.asarray(disc.offsets, float))) @ (
                disc.weights.astype(np.complex128)
            )
            return np.real(np.fft.ifft(np.fft.fft(values) * np.exp(t * lam)))
        from scipy.sparse.linalg import expm_multiply

        return np.asarray(expm_multiply(t * disc.matrix, values), dtype=np.float64)
