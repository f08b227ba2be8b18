"""Any problem as an ODE system for :func:`scipy.integrate.solve_ivp`: ``fun`` and a CSR ``jac``.

The method of lines: ``du/dt = L u + N(u) + f(x, t)`` with ``L`` the problem's linear part
(:func:`solvers.discretize`: its stencils, boundary closures and fixed nodes, whose rows are
zero so they keep their values), ``N`` the flux terms ``alpha D(u**2) + beta u D(u)`` and ``f``
the forcing. :meth:`ScipySystem.jacobian` returns ``dF/du = L + alpha D diag(2u) + beta
(diag(D u) + diag(u) D)`` as a ``scipy.sparse.csr_array`` (scipy 1.17's implicit methods
refuse a ``LinearOperator`` Jacobian, so the matrix is shipped). For a linear problem the
Jacobian is the constant ``L``.

Example:
    >>> import scipy.integrate
    >>> from solvers import Grid, Heat, initial_condition
    >>> from solvers.scipy_system import scipy_system
    >>> system = scipy_system(Heat(0.1, "fd:2:-1,0,1", Grid.periodic(64)))  # doctest: +SKIP
    >>> u0 = system.initial_values(initial_condition("mode:1"))  # doctest: +SKIP
    >>> result = scipy.integrate.solve_ivp(system.rhs, (0.0, 1.0), u0, method="BDF",
    ...                                    jac=system.jacobian)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from solvers.discretization import Discretization, discretize
from solvers.errors import ProblemError
from solvers.initial_conditions import initial_values
from solvers.problems import Problem

__all__ = ["ScipySystem", "scipy_system"]


def _periodic_matrix(offsets: tuple[int, ...], weights: np.ndarray, n: int) -> sp.csr_array:
    """``(D u)[i] = sum_j weights[j] u[(i + offsets[j]) mod n]`` as CSR."""
    rows = np.repeat(np.arange(n), len(offsets))
    cols = (rows + np.tile(np.asarray(offsets, dtype=np.int64), n)) % n
    data = np.tile(np.asarray(weights, dtype=np.float64), n)
    return sp.csr_array((data, (rows, cols)), shape=(n, n))


@dataclass(frozen=True, eq=False)
class ScipySystem:
    """``du/dt = F(t, u)`` of one problem, for ``solve_ivp(system.rhs, ..., jac=...)``.

    Attributes:
        problem: The problem (1-D; periodic, or bounded without flux terms and forcing).
        discretization: Its :class:`~solvers.discretization.Discretization`.
    """

    problem: Problem
    discretization: Discretization

    @property
    def n(self) -> int:
        """Number of unknowns (the grid's nodes)."""
        return self.discretization.n

    @cached_property
    def linear(self) -> sp.csr_array:
        """``L`` (fixed nodes have zero rows)."""
        return sp.csr_array(self.discretization.matrix)

    @cached_property
    def _fluxes(self) -> tuple[tuple[sp.csr_array, float, float], ...]:
        return tuple((_periodic_matrix(f.offsets, f.weights, self.n), float(f.alpha),
                      float(f.beta)) for f in self.discretization.fluxes)

    @cached_property
    def _forcing_tables(self) -> tuple[np.ndarray, np.ndarray] | None:
        forcing = self.discretization.forcing
        return None if forcing is None else forcing.tables(self.discretization.nodes)

    @property
    def is_linear(self) -> bool:
        """True when ``F`` is ``L u`` (+ a forcing): the Jacobian is constant."""
        return not self.discretization.fluxes

    def initial_values(self, ic: Any) -> np.ndarray:
        """The initial state on the grid (float64), boundary values applied."""
        u0 = np.array(initial_values(ic, self.problem.grid), dtype=np.float64)
        for node, value in self.problem.fixed_values().items():
            u0[node] = value
        return u0

    def _state(self, u: np.ndarray) -> np.ndarray:
        state = np.asarray(u, dtype=np.float64)
        if state.shape != (self.n,):
            raise ProblemError(f"state must have shape ({self.n},) (one value per node), got "
                               f"{state.shape}; solve_ivp with vectorized=True is not "
                               "supported")
        return state

    def rhs(self, t: float, u: np.ndarray) -> np.ndarray:
        """``F(t, u)``: the right-hand side, shape ``(n,)``."""
        state = self._state(u)
        out = self.linear @ state
        for matrix, alpha, beta in self._fluxes:
            if alpha:
                out += alpha * (matrix @ (state * state))
            if beta:
                out += beta * state * (matrix @ state)
        if self._forcing_tables is not None:
            sines, cosines = self._forcing_tables
            a, b = self.discretization.forcing.coefficients(float(t))
            out += a @ sines + b @ cosines
        return out

    __call__ = rhs

    def jacobian(self, t: float, u: np.ndarray) -> sp.csr_array:
        """``dF/du`` at ``(t, u)`` as a CSR matrix (``L`` itself for a linear problem)."""
        if self.is_linear:
            return self.linear
        state = self._state(u)
        jac = self.linear.copy()
        for matrix, alpha, beta in self._fluxes:
            if alpha:
                jac = jac + alpha * (matrix @ sp.diags_array(2.0 * state))
            if beta:
                jac = jac + beta * (sp.diags_array(matrix @ state)
                                    + sp.diags_array(state) @ matrix)
        return sp.csr_array(jac)

    @property
    def jac(self) -> sp.csr_array | Any:
        """What to pass as ``solve_ivp(..., jac=...)``: the matrix itself when it is
        constant (scipy then factorises it once), else :meth:`jacobian`."""
        return self.linear if self.is_linear else self.jacobian

    @property
    def jac_sparsity(self) -> sp.csr_array:
        """The Jacobian's sparsity pattern (for methods that estimate it, e.g. ``Radau``)."""
        pattern = abs(self.linear)
        for matrix, _, _ in self._fluxes:
            pattern = pattern + abs(matrix) + sp.eye_array(self.n)
        return sp.csr_array(pattern != 0, dtype=np.float64)


def scipy_system(problem: Problem) -> ScipySystem:
    """The :class:`ScipySystem` of ``problem`` (operators given as objects or spec strings).

    Raises:
        ProblemError: If the problem cannot be discretized (e.g. flux terms on a bounded
            grid) or is not a 1-D problem.
    """
    if not isinstance(problem, Problem):
        raise ProblemError(f"problem must be a solvers problem (Advection, Heat, "
                           f"AdvectionDiffusion, Burgers), got {type(problem).__name__}")
    return ScipySystem(problem, discretize(problem))
