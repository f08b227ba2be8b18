"""Eigenvalues of a problem's semi-discrete operator, each with the round-off it may carry.

On a periodic grid the eigenvalues are ``sum_k coef_k h**-m_k sigma_k(theta)`` at
``theta = 2 pi k / N`` (the operators' symbols). On a bounded grid they are the eigenvalues of
the assembled matrix (fixed nodes removed), which this module computes densely up to
``EXACT_EIG_MAX`` free nodes, and on a section of the same spacing beyond that.

Every value comes with an absolute uncertainty: what round-off in the coefficients and in the
evaluation can move it by. A stencil stored in float64 cannot hold 1/60 exactly, so a
consistent operator's symbol at theta = 0 is ``+-1e-16 * sum |c|`` rather than 0; judged
against that uncertainty instead of an absolute number, it is zero, whatever the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from solvers.discretization import discretize
from solvers.grid import Grid
from solvers.operators import ComposedOperator, OperatorLike, stencil_data, symbol
from solvers.problems import Problem

__all__ = [
    "EXACT_EIG_MAX",
    "THETA_SAMPLES",
    "Spectrum",
    "bulk_spectrum",
    "closure_spectrum",
    "problem_spectrum",
    "rightmost_on_full_grid",
    "snap_to_axes",
    "thetas",
]

THETA_SAMPLES = 4097
"""Most wavenumbers sampled on [0, pi] for a periodic grid (exact ones when N is smaller)."""
EXACT_EIG_MAX = 512
"""Largest number of free nodes whose eigenvalues are computed exactly (dense)."""
SYMBOL_ROUND_OFF = 16.0 * np.finfo(np.float64).eps
"""Relative round-off of a symbol value: coefficients stored in float64 plus the sum."""
MATRIX_ROUND_OFF = 1e3 * np.finfo(np.float64).eps
"""Relative round-off (to the matrix norm) of a dense eigenvalue of a non-normal matrix."""
DIRECTION_ROUND_OFF = 1e-9
"""Relative round-off (to |lambda|) of a dense eigenvalue's real part."""


@dataclass(frozen=True)
class Spectrum:
    """Eigenvalues with their absolute uncertainties.

    Attributes:
        values: Complex eigenvalues (dimensional).
        uncertainty: Per eigenvalue, the round-off it may carry (absolute).
        theta: Wavenumbers theta = k h of symbol values (None for matrix eigenvalues).
    """

    values: np.ndarray
    uncertainty: np.ndarray
    theta: np.ndarray | None = None

    def __add__(self, other: Spectrum) -> Spectrum:
        return Spectrum(
            np.concatenate([self.values, other.values]),
            np.concatenate([self.uncertainty, other.uncertainty]),
        )

    @property
    def growing(self) -> np.ndarray:
        """Mask of eigenvalues whose real part is positive beyond their round-off."""
        return self.values.real > self.uncertainty


def thetas(n: int | None) -> np.ndarray:
    """The exact wavenumbers of an n-point periodic grid on [0, pi], or a dense sample."""
    if n is not None and n // 2 + 1 <= THETA_SAMPLES:
        return 2.0 * np.pi * np.arange(n // 2 + 1) / n
    return np.linspace(0.0, np.pi, THETA_SAMPLES)


def _op_symbol(op: OperatorLike, theta: np.ndarray) -> np.ndarray:
    if isinstance(op, ComposedOperator):
        return _op_symbol(op.outer, theta) * _op_symbol(op.inner, theta)
    return symbol(op, theta)


def _op_weight(op: OperatorLike) -> float:
    """sum |c_j| (products for composites): the size of the terms of a symbol value."""
    if isinstance(op, ComposedOperator):
        return _op_weight(op.outer) * _op_weight(op.inner)
    return float(np.sum(np.abs(stencil_data(op)[1])))


def bulk_spectrum(problem: Problem, theta: np.ndarray) -> Spectrum:
    """The interior symbol's eigenvalues at the given wavenumbers."""
    h = problem.grid.h
    lam = np.zeros(theta.size, dtype=np.complex128)
    size = 0.0
    for coef, op in problem.terms():
        scale = abs(coef) * h ** (-stencil_data(op)[2])
        lam += coef * h ** (-stencil_data(op)[2]) * _op_symbol(op, theta)
        size += scale * _op_weight(op)
    return Spectrum(lam, np.full(theta.size, SYMBOL_ROUND_OFF * size), theta)


def _free_matrix(problem: Problem) -> Any:
    disc = discretize(problem)
    free = np.setdiff1d(np.arange(disc.n), np.array(sorted(disc.fixed), dtype=int))
    return disc.matrix.tocsr()[free][:, free]


def closure_spectrum(problem: Problem) -> tuple[Spectrum, bool]:
    """Dense eigenvalues of the bounded problem's matrix (fixed nodes removed).

    Returns:
        (spectrum, exact): ``exact`` is False when the grid has more than ``EXACT_EIG_MAX``
        free nodes and the eigenvalues are those of a section of the grid with the same
        spacing (boundary modes depend on h; their growth rates also on the length).
    """
    grid = problem.grid
    exact = grid.n - len(problem.fixed_values()) <= EXACT_EIG_MAX
    if not exact:
        section = Grid.bounded(EXACT_EIG_MAX + 1, grid.lower, grid.lower + EXACT_EIG_MAX * grid.h)
        problem = replace(problem, grid=section)
    dense = _free_matrix(problem).toarray()
    values = np.linalg.eigvals(dense)
    norm = float(np.abs(dense).sum(axis=0).max()) if dense.size else 0.0
    # A dense eigen-solve of a non-normal matrix resolves directions to about 1e-9 at best.
    uncertainty = np.maximum(MATRIX_ROUND_OFF * norm, DIRECTION_ROUND_OFF * np.abs(values))
    return Spectrum(values, uncertainty), exact


def rightmost_on_full_grid(problem: Problem, near: complex) -> float | None:
    """Largest real part among the full matrix's eigenvalues near ``near`` (shift-invert).

    None when ARPACK does not converge (the caller keeps its estimate and says so).
    """
    from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigs

    matrix = _free_matrix(problem).astype(np.complex128)
    try:
        values = eigs(matrix, k=6, sigma=near, return_eigenvectors=False, maxiter=2000)
    except (ArpackNoConvergence, ArpackError, RuntimeError):
        return None
    return float(np.max(values.real))


def snap_to_axes(spectrum: Spectrum) -> np.ndarray:
    """Eigenvalues with round-off removed: zeros, real and imaginary parts within it set to 0.

    An eigenvalue no larger than its uncertainty is 0; a real (imaginary) part no larger than
    it is 0, so a central first derivative's eigenvalues lie exactly on the imaginary axis and
    a symmetric second derivative's exactly on the real one.
    """
    lam = spectrum.values.astype(np.complex128, copy=True)
    tol = spectrum.uncertainty
    real = np.where(np.abs(lam.real) <= tol, 0.0, lam.real)
    imag = np.where(np.abs(lam.imag) <= tol, 0.0, lam.imag)
    lam = real + 1j * imag
    lam[np.abs(spectrum.values) <= tol] = 0.0
    return lam


def problem_spectrum(problem: Problem) -> tuple[Spectrum, Spectrum, str, bool]:
    """(all eigenvalues, interior symbol part, method, exact).

    The interior symbol is always included on bounded grids: their matrices are far from
    normal (upwind with an inflow node is a Jordan block whose eigenvalues are all -a/h), so
    the eigenvalues alone would allow steps the interior cannot take.
    """
    grid = problem.grid
    if grid.is_periodic:
        spectrum = bulk_spectrum(problem, thetas(grid.n))
        return spectrum, spectrum, "symbol", True
    bulk = bulk_spectrum(problem, thetas(None))
    edge, exact = closure_spectrum(problem)
    method = "eigenvalues + interior symbol" if exact else (
        "eigenvalues of a section + interior symbol")
    return edge + bulk, bulk, method, exact
