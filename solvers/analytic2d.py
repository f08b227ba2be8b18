"""Exact solutions on a periodic 2-D grid: advection by an exact shift, heat by Fourier decay.

For sampled (band-limited) data both are exact in Fourier space: the mode
``exp(i (kx x + ky y))`` is multiplied by ``exp(-i (kx ax + ky ay) t)`` (advection) or by
``exp(-nu (kx**2 + ky**2) t)`` (heat). Given a callable ``f(X, Y)``, advection evaluates it at
the shifted nodes instead (exact for any periodic profile).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from solvers.errors import ProblemError
from solvers.grid2d import Grid2D

__all__ = ["advection_2d", "exact_solution_2d", "heat_2d", "semidiscrete_2d"]


def _wavenumbers(grid: Grid2D) -> tuple[np.ndarray, np.ndarray]:
    """(KX, KY) of ``numpy.fft.fft2``'s layout, shape (ny, nx)."""
    kx = 2.0 * np.pi * np.fft.fftfreq(grid.nx, d=grid.hx)
    ky = 2.0 * np.pi * np.fft.fftfreq(grid.ny, d=grid.hy)
    return np.meshgrid(kx, ky, indexing="xy")


def _nyquist_free(grid: Grid2D, spectrum: np.ndarray) -> None:
    """Refuse data with energy at an even axis' Nyquist mode (its shift is not real)."""
    scale = float(np.max(np.abs(spectrum))) if spectrum.size else 0.0
    for n, index in ((grid.nx, (..., slice(None), grid.nx // 2)),
                     (grid.ny, (..., grid.ny // 2, slice(None)))):
        if n % 2 == 0 and np.max(np.abs(spectrum[index])) > 1e-12 * max(scale, 1e-300):
            raise ProblemError(
                "the sampled data has energy at the Nyquist mode, whose exact shift is not "
                "resolved on the grid; give the profile as a callable f(X, Y) instead"
            )


def advection_2d(u0: Callable[[np.ndarray, np.ndarray], np.ndarray] | np.ndarray,
                 velocity: tuple[float, float], t: float, grid: Grid2D) -> np.ndarray:
    """u(x, y, t) = u0(x - ax t, y - ay t), periodic.

    Args:
        u0: A periodic callable ``f(X, Y)`` (evaluated at the shifted nodes), or sampled values
            [..., ny, nx] (shifted exactly in Fourier space).
        velocity: (ax, ay).
        t: Time.
        grid: The grid.
    """
    ax, ay = (float(v) for v in velocity)
    if callable(u0):
        xx, yy = grid.mesh()
        wx = grid.x_axis.lower + np.mod(xx - ax * t - grid.x_axis.lower, grid.x_axis.length)
        wy = grid.y_axis.lower + np.mod(yy - ay * t - grid.y_axis.lower, grid.y_axis.length)
        return np.asarray(u0(wx, wy), dtype=np.float64)
    u = grid.check_field(u0, "initial values")
    spectrum = np.fft.fft2(u)
    _nyquist_free(grid, spectrum)
    kx, ky = _wavenumbers(grid)
    return np.fft.ifft2(spectrum * np.exp(-1j * (kx * ax + ky * ay) * t)).real


def heat_2d(u0: Callable[[np.ndarray, np.ndarray], np.ndarray] | np.ndarray,
            diffusivity: float, t: float, grid: Grid2D) -> np.ndarray:
    """u(x, y, t) from exact Fourier decay ``exp(-nu |k|**2 t)`` of the sampled data."""
    values = u0(*grid.mesh()) if callable(u0) else u0
    u = grid.check_field(values, "initial values")
    kx, ky = _wavenumbers(grid)
    with np.errstate(under="ignore"):
        decay = np.exp(-float(diffusivity) * (kx**2 + ky**2) * t)
    return np.fft.ifft2(np.fft.fft2(u) * decay).real


def exact_solution_2d(problem: object, u0: object, t: float) -> np.ndarray:
    """The exact solution of an Advection2D or Heat2D problem at time ``t``.

    Raises:
        ProblemError: For another problem or a bad time.
    """
    if not (isinstance(t, (int, float)) and math.isfinite(t) and t >= 0):
        raise ProblemError(f"t must be a finite time >= 0, got {t!r}")
    from solvers.problems2d import Advection2D, Heat2D

    if isinstance(problem, Advection2D):
        return advection_2d(u0, problem.velocity, t, problem.grid)
    if isinstance(problem, Heat2D):
        return heat_2d(u0, problem.diffusivity, t, problem.grid)
    raise ProblemError(f"no exact 2-D solution for {type(problem).__name__}")


def semidiscrete_2d(problem: object, u0: object, t: float) -> np.ndarray:
    """The exact solution of the semi-discrete system ``u' = L u`` at ``t`` (no time error).

    Every Fourier mode is an eigenvector of the per-axis stencils: it is multiplied by
    ``exp(t lambda)`` with ``lambda = sum_axis sum_j w_j exp(i o_j k_axis h_axis)``.
    """
    from solvers.stepping2d import discretize_2d

    grid = problem.grid
    values = u0(*grid.mesh()) if callable(u0) else u0
    u = grid.check_field(values, "initial values")
    kx, ky = _wavenumbers(grid)
    lam = np.zeros(grid.shape, dtype=np.complex128)
    for (offsets, weights), theta in zip(discretize_2d(problem).stencils,
                                         (kx * grid.hx, ky * grid.hy), strict=True):
        for o, w in zip(offsets, weights, strict=True):
            lam += w * np.exp(1j * o * theta)
    with np.errstate(under="ignore"):
        factor = np.exp(t * lam)
    return np.fft.ifft2(np.fft.fft2(u) * factor).real
