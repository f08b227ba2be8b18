"""The independent reference for viscous Burgers: own sparse matrices + ``solve_ivp``.

``u_t + (u**2 / 2)_x = nu u_xx + f(x, t)`` on a periodic grid, semi-discretised as
``u' = nu D2 u - N(u) + f`` with the three flux forms written out here:

- conservative ``N = D(u**2 / 2)``;
- advective ``N = u * D(u)``;
- skew ``N = (D(u**2) + u * D(u)) / 3``.

Nothing of the project's solver is used (not ``solvers.discretization``, ``solvers.rhs`` or
``solvers.kernels``): the matrices are ``scipy.sparse`` circulants built from an operator's
``offsets`` / ``coefficients`` / ``derivative_order`` (a composed operator -- one with
``factors`` -- is the product of its factors' matrices), or the classical central matrices of
:func:`solvers.reference.fd_matrix`; the forcing is evaluated from the
:class:`~solvers.forcing.TravellingWaves` attributes, ``f = sum_j A_j sin(k_j x + omega_j t +
phi_j)``.

Which integrator runs (``method=None``):

- ``"DOP853"`` (explicit, order 8) when the problem is not stiff: the viscous spectral radius
  times the run length, ``t_final * max|eig(nu D2)|``, is at most :data:`STIFF_LIMIT` (1e4).
  Below it stability holds an explicit step back little beyond what ``rtol = 1e-12`` asks
  anyway (DOP853's real stability interval is about [-6, 0]: at the limit some 1700 steps),
  and order 8 is the cheapest way to that tolerance.
- ``"Radau"`` (implicit, order 5, L-stable) beyond it (large ``nu t_final / h**2``), with the
  analytic sparse Jacobian ``J = nu D2 - dN/du``, where ``dN/du`` is ``D diag(u)``
  (conservative), ``diag(D u) + diag(u) D`` (advective) or ``(2 D diag(u) + diag(D u) +
  diag(u) D) / 3`` (skew). The flux part is not stiff (its eigenvalues scale with
  ``max|u| / h``). Measured (4th-order central pair, skew form, t_final = 1, this machine): at
  1.1e4 the two cost the same (0.7 s, n = 400); at 4.3e4 DOP853 takes 3.6 s and Radau 0.6 s
  (n = 800); at 1.7e5, 12.9 s against 1.4 s. They agree to about 1e-14 relative L2.

``method`` may also be given explicitly (any ``solve_ivp`` method name; implicit ones get the
Jacobian).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

import solvers.reference as _reference
from solvers.errors import ReferenceSolverError
from solvers.grid import Grid
from solvers.initial_conditions import initial_values
from solvers.reference import ReferenceProgress, fd_matrix

if TYPE_CHECKING:
    import scipy.sparse as sp

    from solvers.operators import OperatorLike

__all__ = [
    "STIFF_LIMIT",
    "burgers_jacobian",
    "burgers_method",
    "burgers_reference",
    "flux_values",
    "operator_matrix",
]

FORMS = ("conservative", "advective", "skew")
STIFF_LIMIT = 1.0e4
"""``t_final * max|eig(nu D2)|`` above which the reference switches from DOP853 to Radau."""
IMPLICIT_METHODS = ("Radau", "BDF", "LSODA")


def operator_matrix(operator: OperatorLike, n: int, h: float) -> sp.csr_array:
    """The periodic n x n matrix of a protocol operator: ``h**-m sum_j c_j u[i + o_j]``.

    An operator with ``factors`` (a composed pair ``(outer, inner)``) gives the product of the
    factors' matrices, outer times inner.
    """
    import scipy.sparse as sp

    factors = getattr(operator, "factors", None)
    if factors is not None:
        outer, inner = factors
        return sp.csr_array(operator_matrix(outer, n, h) @ operator_matrix(inner, n, h))
    try:
        offsets = np.asarray(operator.offsets, dtype=np.int64).ravel()
        weights = np.asarray(operator.coefficients, dtype=np.float64).ravel()
        order = int(operator.derivative_order)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ReferenceSolverError(
            f"the reference needs an operator with offsets, coefficients and derivative_order; "
            f"got {operator!r} ({exc})"
        ) from None
    if offsets.shape != weights.shape or offsets.size == 0:
        raise ReferenceSolverError("operator offsets and coefficients must pair up")
    rows = np.arange(n)
    scale = h ** (-order)
    r = np.tile(rows, offsets.size)
    c = np.concatenate([(rows + o) % n for o in offsets.tolist()])
    v = np.repeat(weights * scale, n)
    return sp.coo_array((v, (r, c)), shape=(n, n)).tocsr()  # duplicates (wrap) are summed


def _forcing_function(forcing: Any, x: np.ndarray) -> Callable[[float], np.ndarray] | None:
    """``t -> f(x, t)`` from the waves' amplitudes, wavenumbers, frequencies and phases."""
    if forcing is None:
        return None
    amplitudes = np.asarray(forcing.amplitudes, dtype=np.float64)
    kx = np.multiply.outer(x, np.asarray(forcing.wavenumbers, dtype=np.float64))
    frequencies = np.asarray(forcing.frequencies, dtype=np.float64)
    phases = np.asarray(forcing.phases, dtype=np.float64)

    def f(t: float) -> np.ndarray:
        return np.sin(kx + (frequencies * t + phases)) @ amplitudes

    return f


def flux_values(form: str, d1: Any, u: np.ndarray) -> np.ndarray:
    """N(u) for a flux form: the discrete ``(u**2 / 2)_x``."""
    if form == "conservative":
        return d1 @ (0.5 * u * u)
    if form == "advective":
        return u * (d1 @ u)
    if form == "skew":
        return (d1 @ (u * u) + u * (d1 @ u)) / 3.0
    raise ReferenceSolverError(f"flux form must be one of {', '.join(FORMS)}, got {form!r}")


def burgers_jacobian(form: str, d1: Any, viscous: Any, u: np.ndarray) -> sp.csc_array:
    """``d/du (viscous u - N(u))``: ``viscous - dN/du`` (``viscous`` is ``nu D2`` or None)."""
    import scipy.sparse as sp

    n = u.size
    du = sp.dia_array((u[np.newaxis, :], [0]), shape=(n, n))
    if form == "conservative":
        dn = d1 @ du
    elif form == "advective":
        dn = sp.dia_array(((d1 @ u)[np.newaxis, :], [0]), shape=(n, n)) + du @ d1
    elif form == "skew":
        ddu = sp.dia_array(((d1 @ u)[np.newaxis, :], [0]), shape=(n, n))
        dn = (2.0 * (d1 @ du) + ddu + du @ d1) / 3.0
    else:
        raise ReferenceSolverError(f"flux form must be one of {', '.join(FORMS)}, got {form!r}")
    jac = -dn if viscous is None else viscous - dn
    return sp.csc_array(jac)


def _spectral_radius(matrix: Any) -> float:
    """max |eigenvalue| of a periodic (circulant) matrix, from the FFT of its first column."""
    column = np.asarray(matrix[:, [0]].toarray()).ravel()
    return float(np.abs(np.fft.fft(column)).max())


def burgers_method(viscous: Any, t_final: float) -> str:
    """``"DOP853"`` unless ``t_final * max|eig(viscous)| > STIFF_LIMIT``, then ``"Radau"``."""
    if viscous is None:
        return "DOP853"
    return "Radau" if t_final * _spectral_radius(viscous) > STIFF_LIMIT else "DOP853"


def _with_progress(fun: Callable[[float, np.ndarray], np.ndarray], t_final: float,
                   progress: ReferenceProgress | None) -> Callable[[float, np.ndarray], Any]:
    """``fun``, reporting ``progress(t, t_final)`` at most every
    ``solvers.reference.PROGRESS_SECONDS`` (read per call, as the linear reference does)."""
    if progress is None:
        return fun
    last = [time.monotonic(), 0.0]  # when last reported, furthest t reached

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        now = time.monotonic()
        last[1] = max(last[1], float(t))
        if now - last[0] >= _reference.PROGRESS_SECONDS:
            last[0] = now
            progress(last[1], t_final)
        return fun(t, y)

    return rhs


def burgers_reference(
    grid: Grid,
    u0: Any,
    times: Sequence[float] | np.ndarray,
    *,
    viscosity: float,
    form: str = "conservative",
    flux_operator: OperatorLike | None = None,
    diffusion_operator: OperatorLike | tuple[OperatorLike, OperatorLike] | None = None,
    accuracy: int = 2,
    forcing: Any = None,
    method: str | None = None,
    rtol: float = 1e-12,
    atol: float = 1e-14,
    progress: ReferenceProgress | None = None,
) -> np.ndarray:
    """Burgers by the method of lines and ``solve_ivp``: shape (len(times), n).

    Args:
        grid: A periodic grid.
        u0: A function of x or grid values.
        times: Output times (ascending, from 0).
        viscosity: nu >= 0.
        form: ``"conservative"``, ``"advective"`` or ``"skew"``.
        flux_operator: A first-derivative protocol operator; None: the classical central
            one of ``accuracy`` (:func:`~solvers.reference.fd_matrix`).
        diffusion_operator: A second-derivative protocol operator or a composed pair; None:
            the classical central one of ``accuracy``. Unused when ``viscosity`` is 0.
        accuracy: 2, 4 or 6, for the classical matrices.
        forcing: A :class:`~solvers.forcing.TravellingWaves` (or any object with
            ``amplitudes``, ``wavenumbers``, ``frequencies``, ``phases``), or None.
        method: A ``solve_ivp`` method; None picks DOP853 or Radau (module docstring).
        rtol: Relative tolerance of the integrator.
        atol: Absolute tolerance of the integrator.
        progress: ``progress(t, t_final)`` at most every ``PROGRESS_SECONDS`` of wall time.
    """
    import scipy.sparse as sp
    from scipy.integrate import solve_ivp

    if not grid.is_periodic:
        raise ReferenceSolverError("the Burgers reference runs on periodic grids only")
    if form not in FORMS:
        raise ReferenceSolverError(f"flux form must be one of {', '.join(FORMS)}, got {form!r}")
    nu = float(viscosity)
    if not np.isfinite(nu) or nu < 0.0:
        raise ReferenceSolverError(f"viscosity must be a finite number >= 0, got {viscosity!r}")
    t_eval = np.asarray(times, dtype=np.float64)
    if t_eval.ndim != 1 or t_eval.size == 0 or np.any(np.diff(t_eval) < 0) or t_eval[0] < 0:
        raise ReferenceSolverError("times must be a non-empty ascending sequence from >= 0")
    n, h = grid.n, grid.h
    y0 = initial_values(u0, grid)
    d1 = (fd_matrix(1, accuracy, n, h) if flux_operator is None
          else operator_matrix(flux_operator, n, h))
    viscous = None
    if nu > 0.0:
        d2 = (fd_matrix(2, accuracy, n, h) if diffusion_operator is None
              else operator_matrix(diffusion_operator, n, h))
        viscous = sp.csr_array(nu * d2)
    force = _forcing_function(forcing, np.asarray(grid.x, dtype=np.float64))
    t_final = float(t_eval[-1])
    if t_final == 0.0:
        return np.tile(y0, (t_eval.size, 1))

    def fun(t: float, u: np.ndarray) -> np.ndarray:
        out = -flux_values(form, d1, u)
        if viscous is not None:
            out += viscous @ u
        if force is not None:
            out += force(t)
        return out

    chosen = burgers_method(viscous, t_final) if method is None else method
    extra: dict[str, Any] = {}
    if chosen in IMPLICIT_METHODS:
        extra["jac"] = lambda t, u: burgers_jacobian(form, d1, viscous, u)
    with np.errstate(under="ignore"):  # solve_ivp's minimum-step test underflows near t = 0
        result = solve_ivp(_with_progress(fun, t_final, progress), (0.0, t_final), y0,
                           method=chosen, t_eval=t_eval, rtol=rtol, atol=atol, **extra)
    if not result.success:
        raise ReferenceSolverError(f"solve_ivp ({chosen}) failed: {result.message}")
    return result.y.T.copy()
