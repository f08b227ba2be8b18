"""A problem's right-hand side as data: ``du/dt = L u + fluxes(u) + f(x, t)``.

The linear part ``L`` is an interior stencil plus edge blocks. On a periodic grid ``L`` is one
stencil (offsets, dimensional weights) applied with wrap-around. On a bounded grid the rows
whose entries equal that stencil form a contiguous interior; the few rows near each edge (the
operators' one-sided closures, and zero rows for nodes held fixed) are kept as small dense
blocks. Each nonlinear flux term becomes a :class:`FluxStencil` (``alpha D(u**2) + beta u D(u)``
with ``D``'s dimensional weights) and the forcing is kept as given. Both a NumPy kernel and a
compiled one can run from this data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from solvers.errors import ProblemError
from solvers.operators import ComposedOperator, OperatorLike, operator_label, stencil_data
from solvers.problems import Problem
from solvers.terms import flux_weights

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Discretization", "FluxStencil", "discretize"]

_DENSE_BLOCK_LIMIT = 1_000_000
_MATCH_TOL = 1e-12


@dataclass(frozen=True, eq=False)
class FluxStencil:
    """``alpha D(u**2) + beta u D(u)`` on a periodic grid.

    Attributes:
        offsets: Offsets of ``D``.
        weights: Dimensional weights of ``D`` (coefficients times ``1/h``).
        alpha: Weight of ``D(u**2)`` (the physical coefficient folded in).
        beta: Weight of ``u D(u)``.
    """

    offsets: tuple[int, ...]
    weights: np.ndarray
    alpha: float
    beta: float


@dataclass(frozen=True, eq=False)
class Discretization:
    """``du/dt = L u`` for one problem on one grid.

    Attributes:
        n: Number of nodes.
        periodic: Wrap-around rows (no edge blocks).
        offsets: Offsets of the interior stencil.
        weights: Dimensional interior weights (coefficients, h**-m and the physical
            coefficient folded in): ``(L u)[i] = sum_j weights[j] * u[i + offsets[j]]``.
        interior: Rows ``[start, stop)`` computed by the stencil (``(0, n)`` when periodic).
        left_block: Dense rows ``0 .. start-1`` of L over columns ``0 .. left_block.shape[1]-1``.
        right_block: Dense rows ``stop .. n-1`` of L over the last ``right_block.shape[1]``
            columns.
        fixed: Node index -> value held fixed (their rows of L are zero).
        assembled: L as a sparse CSR matrix on bounded grids (None on periodic grids, where
            :attr:`matrix` builds it on first use).
        fluxes: The nonlinear flux terms (periodic grids only).
        forcing: A forcing ``f(x, t)`` with ``tables(x)`` and ``coefficients(t)``, or None.
        nodes: The grid's nodes (what the forcing is evaluated at).
    """

    n: int
    periodic: bool
    offsets: tuple[int, ...]
    weights: np.ndarray
    interior: tuple[int, int]
    left_block: Any
    right_block: Any
    fixed: Mapping[int, float] = field(default_factory=dict)
    assembled: sp.csr_array | None = None
    fluxes: tuple[FluxStencil, ...] = ()
    forcing: Any = None
    nodes: np.ndarray | None = None

    @property
    def is_linear(self) -> bool:
        """True when the right-hand side is ``L u`` alone (no flux terms, no forcing)."""
        return not self.fluxes and self.forcing is None

    @cached_property
    def matrix(self) -> sp.csr_array:
        """L as a sparse CSR matrix (built once, on first use, for periodic grids)."""
        if self.assembled is not None:
            return self.assembled
        return _stencil_matrix(self.offsets, self.weights, self.n, np.arange(self.n),
                               periodic=True)

    @property
    def ghosts(self) -> tuple[int, int]:
        """Ghost nodes a periodic field needs on the left and right."""
        if not self.periodic:
            return 0, 0
        reach = [self.offsets, *(flux.offsets for flux in self.fluxes)]
        return (max(0, *(-o[0] for o in reach)), max(0, *(o[-1] for o in reach)))

    def apply(self, u: np.ndarray) -> np.ndarray:
        """L u (allocates; for checks, not for the time loop)."""
        return self.matrix @ np.asarray(u, dtype=np.float64)


def _factors(operator: OperatorLike) -> list[OperatorLike]:
    if isinstance(operator, ComposedOperator):
        return [*_factors(operator.outer), *_factors(operator.inner)]
    return [operator]


def _merged_stencil(problem: Problem) -> tuple[tuple[int, ...], np.ndarray]:
    h = problem.grid.h
    merged: dict[int, float] = {}
    if not problem.terms():  # no linear part (inviscid Burgers): L = 0
        return (0,), np.zeros(1)
    for coef, op in problem.terms():
        offsets, coefficients, order = stencil_data(op)
        scale = coef * h ** (-order)
        for o, c in zip(offsets.tolist(), coefficients.tolist(), strict=True):
            merged[o] = merged.get(o, 0.0) + scale * c
    offsets = tuple(sorted(merged))
    return offsets, np.array([merged[o] for o in offsets], dtype=np.float64)


def _flux_stencils(problem: Problem) -> tuple[FluxStencil, ...]:
    h = problem.grid.h
    stencils = []
    for term in problem.right_hand_side().fluxes:
        offsets, coefficients, _ = stencil_data(term.operator)
        weights = np.asarray(coefficients, dtype=np.float64) / h
        weights.setflags(write=False)
        alpha, beta = flux_weights(term)
        stencils.append(FluxStencil(tuple(int(o) for o in offsets), weights, alpha, beta))
    return tuple(stencils)


def _stencil_matrix(offsets: tuple[int, ...], weights: np.ndarray, n: int, rows: np.ndarray,
                    periodic: bool) -> sp.csr_array:
    import scipy.sparse as sp

    r, c, v = [], [], []
    for o, w in zip(offsets, weights, strict=True):
        cols = rows + o
        if periodic:
            cols = cols % n
        r.append(rows)
        c.append(cols)
        v.append(np.full(rows.size, w))
    return sp.coo_array(
        (np.concatenate(v), (np.concatenate(r), np.concatenate(c))), shape=(n, n)
    ).tocsr()


def _operator_matrix(op: OperatorLike, n: int, h: float) -> sp.csr_array:
    import scipy.sparse as sp

    mats = []
    for factor in _factors(op):
        try:
            mats.append(sp.csr_array(factor.matrix(n, h, "one-sided")))
        except ValueError as exc:
            raise ProblemError(
                f"{operator_label(factor)} cannot build its one-sided matrix on {n} nodes: {exc}"
            ) from exc
    result = mats[0]
    for m in mats[1:]:
        result = result @ m
    return sp.csr_array(result)


def _longest_run(mask: np.ndarray) -> tuple[int, int]:
    best, start = (0, 0), None
    for i, ok in enumerate([*mask.tolist(), False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return best


def _block(matrix: sp.csr_array, rows: slice, left: bool, n: int) -> Any:
    import scipy.sparse as sp

    sub = sp.csr_array(matrix[rows])
    if sub.shape[0] == 0:
        return np.zeros((0, 1))
    cols = sub.indices
    if left:
        width = int(cols.max()) + 1 if cols.size else 1
        block = sub[:, :width]
    else:
        first = int(cols.min()) if cols.size else n - 1
        width = n - first
        block = sub[:, first:]
    if block.shape[0] * block.shape[1] <= _DENSE_BLOCK_LIMIT:
        return np.ascontiguousarray(block.toarray())
    return sp.csr_array(block)


def discretize(problem: Problem) -> Discretization:
    """Assemble ``L`` for a problem (periodic: one stencil; bounded: stencil plus blocks)."""
    import scipy.sparse as sp

    grid = problem.grid
    n, h = grid.n, grid.h
    offsets, weights = _merged_stencil(problem)
    weights.setflags(write=False)
    rhs = problem.right_hand_side()
    if grid.is_periodic:
        return Discretization(n, True, offsets, weights, (0, n), np.zeros((0, 1)),
                              np.zeros((0, 1)), {}, None, _flux_stencils(problem),
                              rhs.forcing, grid.x)
    if not rhs.is_linear or rhs.forcing is not None:
        raise ProblemError(
            f"{problem.equation}: flux terms and forcing are discretized on periodic grids only"
        )
    matrix = None
    for coef, op in problem.terms():
        term = coef * _operator_matrix(op, n, h)
        matrix = term if matrix is None else matrix + term
    fixed = dict(problem.fixed_values())
    keep = np.ones(n)
    keep[list(fixed)] = 0.0
    matrix = sp.csr_array(sp.diags_array(keep) @ matrix)
    matrix.eliminate_zeros()
    lo, hi = max(0, -offsets[0]), n - max(0, offsets[-1])
    candidates = np.arange(lo, max(lo, hi))
    stencil = _stencil_matrix(offsets, weights, n, candidates, periodic=False)
    diff = abs(matrix - stencil).max(axis=1)
    diff = np.asarray(diff.toarray() if hasattr(diff, "toarray") else diff).ravel()
    mask = np.zeros(n, dtype=bool)
    mask[candidates] = diff[candidates] <= _MATCH_TOL * max(1.0, float(np.abs(weights).max()))
    mask[list(fixed)] = False
    start, stop = _longest_run(mask)
    if stop == start:
        start = stop = n
    return Discretization(
        n, False, offsets, weights, (start, stop),
        _block(matrix, slice(0, start), True, n), _block(matrix, slice(stop, n), False, n),
        MappingProxyType(fixed), matrix,
    )
