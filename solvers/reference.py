"""An independent reference: classical finite differences + ``scipy.integrate.solve_ivp``.

The matrices are built here from the classical formulas written out (central interior weights
of accuracy 2, 4, 6; one-sided second-derivative closures next to a Dirichlet node), with
``scipy.sparse`` -- not from ``learned_ops``, so agreement with it means something. Advection is
integrated with DOP853 (explicit, order 8), heat and advection-diffusion with Radau (implicit,
order 5) given the sparse Jacobian; both at tight tolerances. Viscous Burgers (nonlinear) is in
:mod:`solvers.reference_burgers` (same independence; DOP853, or Radau with the analytic sparse
Jacobian when the viscous term is stiff); ``reference_solve("burgers", ...)`` and
``reference_solution(Burgers(...))`` go there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from fractions import Fraction as Fr
from typing import TYPE_CHECKING, Any

import numpy as np

from solvers.errors import ReferenceSolverError
from solvers.grid import Grid
from solvers.initial_conditions import initial_values
from solvers.operators import accuracy_order_of
from solvers.problems import Advection, AdvectionDiffusion, Burgers, Heat, Problem

if TYPE_CHECKING:
    import scipy.sparse as sp

    from solvers.operators import OperatorLike

__all__ = [
    "CENTRAL_FIRST",
    "CENTRAL_SECOND",
    "DIRICHLET_SECOND_CLOSURES",
    "fd_matrix",
    "problem_reference_accuracy",
    "reference_accuracy",
    "reference_solution",
    "reference_solve",
]

ReferenceProgress = Callable[[float, float], None]
"""``f(t, t_final)``: called while ``solve_ivp`` runs, at most every ``PROGRESS_SECONDS``."""
PROGRESS_SECONDS = 1.0
"""Wall seconds between progress calls (a run shorter than this reports nothing)."""

CENTRAL_FIRST = {
    2: [Fr(-1, 2), Fr(0), Fr(1, 2)],
    4: [Fr(1, 12), Fr(-2, 3), Fr(0), Fr(2, 3), Fr(-1, 12)],
    6: [Fr(-1, 60), Fr(3, 20), Fr(-3, 4), Fr(0), Fr(3, 4), Fr(-3, 20), Fr(1, 60)],
}
"""u'(x_i) h: weights on offsets -r..r (classical central differences)."""

CENTRAL_SECOND = {
    2: [Fr(1), Fr(-2), Fr(1)],
    4: [Fr(-1, 12), Fr(4, 3), Fr(-5, 2), Fr(4, 3), Fr(-1, 12)],
    6: [Fr(1, 90), Fr(-3, 20), Fr(3, 2), Fr(-49, 18), Fr(3, 2), Fr(-3, 20), Fr(1, 90)],
}
"""u''(x_i) h**2: weights on offsets -r..r (classical central differences)."""

DIRICHLET_SECOND_CLOSURES = {
    2: {},
    4: {1: [Fr(5, 6), Fr(-5, 4), Fr(-1, 3), Fr(7, 6), Fr(-1, 2), Fr(1, 12)]},
    6: {
        1: [Fr(7, 10), Fr(-7, 18), Fr(-27, 10), Fr(19, 4), Fr(-67, 18), Fr(9, 5), Fr(-1, 2),
            Fr(11, 180)],
        2: [Fr(-11, 180), Fr(107, 90), Fr(-21, 10), Fr(13, 18), Fr(17, 36), Fr(-3, 10),
            Fr(4, 45), Fr(-1, 90)],
    },
}
"""u''(x_i) h**2 for rows i next to the left end, on nodes 0 .. q-1 (one-sided, same accuracy
as the interior); the right end mirrors them."""


def fd_matrix(derivative_order: int, accuracy: int, n: int, h: float,
              boundary: str = "periodic") -> sp.csr_array:
    """The classical central-difference matrix (n x n).

    Args:
        derivative_order: 1 or 2.
        accuracy: 2, 4 or 6.
        n: Nodes.
        h: Spacing.
        boundary: ``"periodic"``, or ``"dirichlet"`` (second derivative only): rows 0 and n-1
            are zero (those nodes are held), rows near the ends use one-sided closures.
    """
    import scipy.sparse as sp

    table = {1: CENTRAL_FIRST, 2: CENTRAL_SECOND}.get(derivative_order)
    if table is None or accuracy not in table:
        raise ReferenceSolverError(
            f"the reference has derivative orders 1, 2 and accuracies 2, 4, 6; got "
            f"m = {derivative_order}, accuracy = {accuracy}"
        )
    weights = [float(w) for w in table[accuracy]]
    radius = len(weights) // 2
    if n < len(weights) + 2:
        raise ReferenceSolverError(f"the reference needs n >= {len(weights) + 2}, got {n}")
    scale = h ** (-derivative_order)
    if boundary == "periodic":
        rows = np.arange(n)
        taps = [(o, w) for o, w in zip(range(-radius, radius + 1), weights, strict=True) if w]
        r = np.concatenate([rows for _ in taps])
        c = np.concatenate([(rows + o) % n for o, _ in taps])
        v = np.concatenate([np.full(n, w * scale) for _, w in taps])
        return sp.coo_array((v, (r, c)), shape=(n, n)).tocsr()
    if boundary != "dirichlet" or derivative_order != 2:
        raise ReferenceSolverError(
            "the reference supports boundary 'periodic' (u' and u''), or 'dirichlet' (u'' only)"
        )
    lil = sp.lil_array((n, n))
    closures = DIRICHLET_SECOND_CLOSURES[accuracy]
    for i in range(1, n - 1):
        if i in closures or (n - 1 - i) in closures:
            left = i in closures
            row = closures[i if left else n - 1 - i]
            cols = range(len(row)) if left else range(n - 1, n - 1 - len(row), -1)
            for col, w in zip(cols, row, strict=True):
                lil[i, col] = float(w) * scale
        else:
            for o, w in zip(range(-radius, radius + 1), weights, strict=True):
                if w:
                    lil[i, i + o] = w * scale
    return sp.csr_array(lil)


def _right_hand_side(matrix: Any, t_final: float,
                     progress: ReferenceProgress | None) -> Callable[[float, np.ndarray], Any]:
    """``y' = matrix @ y``, reporting ``progress(t, t_final)`` at most every
    ``PROGRESS_SECONDS``."""
    if progress is None:
        return lambda t, y: matrix @ y
    last = [time.monotonic(), 0.0]  # when last reported, furthest t reached (trial steps
    # evaluate ahead of the accepted solution, so t alone may step back)

    def rhs(t: float, y: np.ndarray) -> Any:
        now = time.monotonic()
        last[1] = max(last[1], float(t))
        if now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            progress(last[1], t_final)
        return matrix @ y

    return rhs


def reference_accuracy(operator: OperatorLike) -> int:
    """The reference accuracy matching an operator: its even accuracy order, clamped to 2..6.

    The order is the operator's ``accuracy_order`` when it has one, else the verified order
    of its stencil (:func:`solvers.operators.accuracy_order_of`).
    """
    claimed = getattr(operator, "accuracy_order", None)
    p = int(accuracy_order_of(operator) if claimed is None else claimed or 0)
    return int(min(6, max(2, p + p % 2)))


def problem_reference_accuracy(problem: Problem) -> int:
    """The accuracy of the classical matrices :func:`reference_solution` uses for a problem:
    that of its flux operator (Burgers), second-derivative operator (heat,
    advection-diffusion) or first-derivative operator (advection)."""
    if isinstance(problem, Burgers):
        return reference_accuracy(problem.flux_operator)
    if isinstance(problem, AdvectionDiffusion):
        return reference_accuracy(problem.second)
    if isinstance(problem, (Advection, Heat)):
        return reference_accuracy(problem.operator)
    raise ReferenceSolverError(f"no reference for {type(problem).__name__}")


def reference_solve(
    equation: str,
    grid: Grid,
    u0: Any,
    times: Sequence[float] | np.ndarray,
    *,
    velocity: float = 0.0,
    diffusivity: float = 0.0,
    accuracy: int = 2,
    dirichlet: Sequence[float] = (0.0, 0.0),
    rtol: float = 1e-12,
    atol: float | None = None,
    progress: ReferenceProgress | None = None,
    form: str = "conservative",
    forcing: Any = None,
    method: str | None = None,
) -> np.ndarray:
    """Method of lines with classical matrices and ``solve_ivp``: shape (len(times), n).

    Args:
        equation: ``"advection"``, ``"heat"``, ``"advection-diffusion"`` or ``"burgers"``
            (viscosity ``diffusivity``, flux ``form``, ``forcing``; classical central matrices
            of ``accuracy``; see :func:`solvers.reference_burgers.burgers_reference`).
        grid: Periodic for every equation; bounded (Dirichlet) for heat.
        u0: A function of x or grid values.
        times: Output times (ascending, from 0).
        velocity: a.
        diffusivity: nu.
        accuracy: 2, 4 or 6.
        dirichlet: End values on a bounded grid.
        rtol: Relative tolerance of the integrator.
        atol: Absolute tolerance of the integrator (None: 1e-12; 1e-14 for Burgers).
        progress: Called as ``progress(t, t_final)`` from the integration, first after
            ``PROGRESS_SECONDS`` of wall time and then at most that often (the solvers print
            nothing themselves; the CLI passes a printer).
        form: Burgers only: ``"conservative"``, ``"advective"`` or ``"skew"``.
        forcing: Burgers only: a :class:`~solvers.forcing.TravellingWaves` or None.
        method: Burgers only: a ``solve_ivp`` method (None: DOP853, or Radau when stiff).
    """
    import scipy.sparse as sp
    from scipy.integrate import solve_ivp

    if equation == "burgers":
        from solvers.reference_burgers import burgers_reference

        return burgers_reference(grid, u0, times, viscosity=diffusivity, form=form,
                                 accuracy=accuracy, forcing=forcing, method=method, rtol=rtol,
                                 atol=1e-14 if atol is None else atol, progress=progress)
    if form != "conservative" or forcing is not None or method is not None:
        raise ReferenceSolverError("form, forcing and method apply to equation 'burgers' only")
    atol = 1e-12 if atol is None else atol

    t_eval = np.asarray(times, dtype=np.float64)
    if t_eval.ndim != 1 or t_eval.size == 0 or np.any(np.diff(t_eval) < 0) or t_eval[0] < 0:
        raise ReferenceSolverError("times must be a non-empty ascending sequence from >= 0")
    n, h = grid.n, grid.h
    y0 = initial_values(u0, grid)
    if grid.is_periodic:
        if equation == "advection":
            matrix = -velocity * fd_matrix(1, accuracy, n, h)
        elif equation == "heat":
            matrix = diffusivity * fd_matrix(2, accuracy, n, h)
        elif equation == "advection-diffusion":
            matrix = diffusivity * fd_matrix(2, accuracy, n, h) - velocity * fd_matrix(
                1, accuracy, n, h
            )
        else:
            raise ReferenceSolverError(f"unknown equation {equation!r}")
    elif equation == "heat":
        matrix = diffusivity * fd_matrix(2, accuracy, n, h, "dirichlet")
        y0[0], y0[-1] = (float(v) for v in dirichlet)
    else:
        raise ReferenceSolverError(
            f"the reference handles {equation} on periodic grids only (bounded: heat)"
        )
    matrix = sp.csr_array(matrix)
    method = "DOP853" if equation == "advection" else "Radau"
    extra = {} if method == "DOP853" else {"jac": sp.csc_array(matrix)}
    if t_eval[-1] == 0.0:
        return np.tile(y0, (t_eval.size, 1))
    with np.errstate(under="ignore"):
        result = solve_ivp(
            _right_hand_side(matrix, float(t_eval[-1]), progress), (0.0, float(t_eval[-1])),
            y0, method=method, t_eval=t_eval, rtol=rtol, atol=atol, **extra,
        )
    if not result.success:
        raise ReferenceSolverError(f"solve_ivp ({method}) failed: {result.message}")
    return result.y.T.copy()


def reference_solution(problem: Problem, u0: Any, times: Sequence[float] | np.ndarray, *,
                       accuracy: int | None = None, rtol: float = 1e-12,
                       atol: float | None = None,
                       progress: ReferenceProgress | None = None,
                       method: str | None = None, own_stencils: bool = False) -> np.ndarray:
    """The reference for a problem: same equation, grid and boundary data, own matrices.

    ``accuracy`` defaults to the problem operator's (even) accuracy order, clamped to 2..6.
    Bounded advection (inflow) is not covered and raises ReferenceSolverError. ``progress``:
    see :func:`reference_solve`.

    Burgers: the classical central matrices of the flux operator's accuracy (as above), or with
    ``own_stencils=True`` the problem's own flux and diffusion stencils (their offsets and
    coefficients; a composed pair as the product of its factors' matrices), so that it is the
    same semi-discrete system integrated to ``rtol`` in time -- a check of the solver's time
    stepping and flux evaluation, not of the stencils. ``atol`` defaults to 1e-14 for Burgers,
    1e-12 otherwise; ``method`` and ``own_stencils`` are for Burgers only (see
    :mod:`solvers.reference_burgers`).
    """
    if isinstance(problem, Burgers):
        from solvers.reference_burgers import burgers_reference

        if own_stencils and accuracy is not None:
            raise ReferenceSolverError("give accuracy or own_stencils=True, not both")
        own = own_stencils
        if not own and accuracy is None:
            accuracy = problem_reference_accuracy(problem)
        return burgers_reference(
            problem.grid, u0, times, viscosity=problem.viscosity, form=problem.form,
            flux_operator=problem.flux_operator if own else None,
            diffusion_operator=problem.diffusion_operator if own else None,
            accuracy=2 if own else accuracy, forcing=problem.forcing, method=method, rtol=rtol,
            atol=1e-14 if atol is None else atol, progress=progress,
        )
    if method is not None or own_stencils:
        raise ReferenceSolverError("method and own_stencils apply to Burgers problems only")
    if isinstance(problem, Advection):
        kwargs: dict[str, Any] = {"velocity": problem.velocity}
    elif isinstance(problem, Heat):
        kwargs = {"diffusivity": problem.diffusivity, "dirichlet": problem.dirichlet}
    elif isinstance(problem, AdvectionDiffusion):
        kwargs = {"velocity": problem.velocity, "diffusivity": problem.diffusivity}
    else:
        raise ReferenceSolverError(f"no reference for {type(problem).__name__}")
    acc = problem_reference_accuracy(problem) if accuracy is None else accuracy
    return reference_solve(problem.equation, problem.grid, u0, times, accuracy=acc,
                           rtol=rtol, atol=atol, progress=progress, **kwargs)
