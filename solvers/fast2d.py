"""The compiled 2-D path: per-axis stencils and Runge-Kutta stages fused row by row (numba).

One step of an explicit method with tableau ``(a, b)`` on ``u' = L u``: stage ``i`` reads its
input ``X_i`` (``X_1 = u``) and, per row, writes ``k_i = L X_i`` (the x taps with periodic wrap
at the two ends of the row, then the y taps from the rows ``j + o``) and at once the next
stage's input ``X_{i+1} = u + dt sum_m a[i+1, m] k_m`` (or, after the last stage, the new
``u = u + dt sum_m b_m k_m``): everything the next stage needs at a point is known when that
point's ``k_i`` is. Rows run in parallel (``numba.prange``, both cores) when the grid has at
least ``PARALLEL_MIN_POINTS`` points per field, serially below that, where a thread start costs
more than a stage.

The operations are those of the NumPy path (:mod:`solvers.stepping2d`) in the same order (taps
along x, then along y; stage sums in index order), so the two give the same numbers to
round-off (the tests ask for 1e-13). numba is imported on first use, not with ``solvers``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers.errors import BlowUpError, SolverError
from solvers.tableaux import ButcherTableau

__all__ = ["PARALLEL_MIN_POINTS", "compiled_steps"]

PARALLEL_MIN_POINTS = 128 * 128
"""Fields at least this large have their rows split between threads."""
CHECK_EVERY = 64
"""Steps between blow-up checks (as in the NumPy path)."""


def _kernel(parallel: bool) -> Any:
    """The compiled loop (numba imported here, on first use)."""
    from solvers import _fast2d_loops

    return _fast2d_loops.run_parallel if parallel else _fast2d_loops.run_serial


def compiled_steps(operator: Any, u0: np.ndarray, dt: float, steps: int,
                   tableau: ButcherTableau, *, parallel: bool | None = None) -> np.ndarray:
    """``steps`` steps of ``tableau`` on ``u' = L u`` with the compiled kernel.

    Args:
        operator: The per-axis stencils (:class:`solvers.stepping2d.AxisStencils`).
        u0: Initial values [..., ny, nx] (float64).
        dt: Step.
        steps: Number of steps.
        tableau: The explicit method.
        parallel: Split rows between threads (None: when the field has at least
            ``PARALLEL_MIN_POINTS`` points).

    Raises:
        SolverError: When numba is not installed (use ``kernel="numpy"``).
        BlowUpError: When the solution grows without bound.
    """
    try:
        import numba  # noqa: F401
    except ModuleNotFoundError:
        raise SolverError("the compiled 2-D kernel needs numba; install it or use "
                          "kernel='numpy'") from None
    ny, nx = operator.shape
    (ox, wx), (oy, wy) = operator.stencils
    if parallel is None:
        parallel = ny * nx >= PARALLEL_MIN_POINTS
    u = np.ascontiguousarray(u0, dtype=np.float64).reshape(-1, nx).copy()
    step, peak = _kernel(bool(parallel))(
        u, np.asarray(ox, dtype=np.int64), np.ascontiguousarray(wx, dtype=np.float64),
        np.asarray(oy, dtype=np.int64), np.ascontiguousarray(wy, dtype=np.float64),
        np.ascontiguousarray(tableau.a), np.ascontiguousarray(tableau.b), float(dt),
        int(steps), ny, CHECK_EVERY)
    if step >= 0:
        raise BlowUpError(f"the solution blew up at step {step} (max|u| = {peak:.3g}); the "
                          "time step or the operator is unstable", step=step, time=step * dt,
                          norm=peak, partial=None)
    return u.reshape(np.shape(u0))
