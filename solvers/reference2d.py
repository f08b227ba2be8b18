"""An independent 2-D reference: Kronecker products of classical 1-D matrices + ``solve_ivp``.

With fields laid out ``[y, x]`` and flattened row-major (index ``iy * nx + ix``), a derivative
along x is ``kron(I_ny, D_x)`` and one along y is ``kron(D_y, I_nx)``. The 1-D matrices are the
classical central differences of :func:`solvers.reference.fd_matrix` (written out from the
formulas, not from ``learned_ops`` or from the 2-D stepping code), so agreement means something.
Both equations are integrated with DOP853 by default (explicit, order 8: the 2-D tests' heat runs
are short enough not to be stiff, where Radau's sparse LU on ``nx * ny`` unknowns costs
seconds); ``method="Radau"`` passes the sparse Jacobian.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers.errors import ReferenceSolverError
from solvers.reference import fd_matrix, reference_accuracy

__all__ = ["kronecker_matrix", "reference_solution_2d"]


def kronecker_matrix(problem: object, accuracy: int | None = None) -> Any:
    """The problem's semi-discrete operator from classical matrices (sparse CSR).

    Args:
        problem: An :class:`~solvers.problems2d.Advection2D` or
            :class:`~solvers.problems2d.Heat2D`.
        accuracy: 2, 4 or 6 for every term (None: each term's operator's order, as in 1-D).
    """
    import scipy.sparse as sp

    grid = problem.grid
    eye = (sp.identity(grid.nx, format="csr"), sp.identity(grid.ny, format="csr"))
    total = sp.csr_array((grid.nx * grid.ny, grid.nx * grid.ny))
    for term in problem.right_hand_side().linear:
        m = int(term.operator.derivative_order)
        p = reference_accuracy(term.operator) if accuracy is None else accuracy
        along = grid.axes[term.axis]
        d = fd_matrix(m, p, along.n, along.h)
        block = sp.kron(eye[1], d) if term.axis == 0 else sp.kron(d, eye[0])
        total = total + term.coefficient * sp.csr_array(block)
    return sp.csr_array(total)


def reference_solution_2d(problem: object, u0: object, t_final: float, *,
                          accuracy: int | None = None, rtol: float = 1e-12,
                          atol: float = 1e-12, method: str = "DOP853") -> np.ndarray:
    """u at ``t_final`` (shape (ny, nx)) from the Kronecker matrix and ``solve_ivp``.

    Raises:
        ReferenceSolverError: When the integration fails or the input is not one field.
    """
    import scipy.sparse as sp
    from scipy.integrate import solve_ivp

    grid = problem.grid
    values = u0(*grid.mesh()) if callable(u0) else u0
    y0 = grid.check_field(values, "initial values")
    if y0.ndim != 2:
        raise ReferenceSolverError("the 2-D reference takes one field of shape (ny, nx)")
    matrix = kronecker_matrix(problem, accuracy)
    extra = {"jac": sp.csc_array(matrix)} if method in ("Radau", "BDF", "LSODA") else {}
    with np.errstate(under="ignore"):
        result = solve_ivp(lambda t, y: matrix @ y, (0.0, float(t_final)), y0.ravel(),
                           method=method, t_eval=[float(t_final)], rtol=rtol, atol=atol,
                           **extra)
    if not result.success:
        raise ReferenceSolverError(f"solve_ivp ({method}) failed: {result.message}")
    return result.y[:, -1].reshape(grid.shape)
