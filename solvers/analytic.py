"""Exact solutions of the model problems.

- Advection on a periodic domain: the exact shift ``u0(x - a t)`` (for functions), or a Fourier
  phase shift (for sampled data: exact for the band-limited interpolant).
- Heat on a periodic domain: each Fourier mode decays by ``exp(-nu k**2 t)``.
- Heat with Dirichlet values: the steady line plus a sine series whose terms decay exactly.
- Advection on a bounded grid with a constant inflow value.

Functions are sampled on a grid refined to at least ``FINE_POINTS`` nodes before the series are
taken, so their truncation error is far below any discretisation error we measure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from solvers.cole_hopf import ColeHopfModes, ColeHopfSolution, ColeHopfWave
from solvers.errors import ProblemError
from solvers.grid import Grid
from solvers.initial_conditions import initial_values
from solvers.problems import Advection, AdvectionDiffusion, Burgers, Heat, Problem

__all__ = [
    "advection_inflow",
    "advection_periodic",
    "burgers_cole_hopf",
    "exact_solution",
    "fourier_periodic",
    "heat_dirichlet",
    "heat_periodic",
]

FINE_POINTS = 4096


def _check_time(t: float) -> float:
    value = float(t)
    if not (math.isfinite(value) and value >= 0.0):
        raise ProblemError(f"time must be finite and >= 0, got {t!r}")
    return value


def _fine(u0: Any, grid: Grid) -> tuple[np.ndarray, int]:
    """Values on a grid refined by an integer factor r (r = 1 for arrays), and r."""
    if not callable(u0):
        return initial_values(u0, grid), 1
    intervals = grid.n if grid.is_periodic else grid.n - 1
    r = max(1, math.ceil(FINE_POINTS / intervals))
    fine = Grid(intervals * r + (0 if grid.is_periodic else 1), grid.lower, grid.upper, grid.kind)
    return initial_values(u0, fine), r


def fourier_periodic(u0: Any, grid: Grid, t: float, velocity: float = 0.0,
                     diffusivity: float = 0.0) -> np.ndarray:
    """u_t + a u_x = nu u_xx on a periodic grid, by exact evolution of each Fourier mode."""
    if not grid.is_periodic:
        raise ProblemError("fourier_periodic needs a periodic grid")
    t = _check_time(t)
    values, r = _fine(u0, grid)
    m = values.size
    k = 2.0 * np.pi * np.fft.rfftfreq(m, d=grid.length / m)
    with np.errstate(under="ignore"):
        factor = np.exp(-diffusivity * k**2 * t) * np.exp(-1j * k * velocity * t)
        evolved = np.fft.irfft(np.fft.rfft(values) * factor, n=m)
    return evolved[::r].copy()


def advection_periodic(u0: Any, velocity: float, t: float, grid: Grid) -> np.ndarray:
    """u0(x - a t) on a periodic grid: exact for functions, spectral shift for arrays."""
    t = _check_time(t)
    if not grid.is_periodic:
        raise ProblemError("advection_periodic needs a periodic grid; see advection_inflow")
    if callable(u0):
        shifted = grid.lower + np.mod(grid.x - velocity * t - grid.lower, grid.length)
        return np.asarray(u0(shifted), dtype=np.float64)
    return fourier_periodic(u0, grid, t, velocity=velocity)


def heat_periodic(u0: Any, diffusivity: float, t: float, grid: Grid) -> np.ndarray:
    """The heat equation on a periodic grid: each Fourier mode decays exactly."""
    return fourier_periodic(u0, grid, t, diffusivity=diffusivity)


def heat_dirichlet(u0: Any, diffusivity: float, t: float, grid: Grid,
                   dirichlet: Sequence[float] = (0.0, 0.0)) -> np.ndarray:
    """The heat equation on a bounded grid with constant end values.

    ``u = s(x) + sum_m b_m exp(-nu (m pi / L)**2 t) sin(m pi (x - lower) / L)`` where ``s`` is
    the steady line through the boundary values and ``b_m`` are the sine coefficients of
    ``u0 - s`` (computed with a type-I discrete sine transform).
    """
    from scipy.fft import dst, idst

    if grid.is_periodic:
        raise ProblemError("heat_dirichlet needs a bounded grid; see heat_periodic")
    t = _check_time(t)
    left, right = (float(v) for v in dirichlet)
    values, r = _fine(u0, grid)
    m = values.size
    xi = np.linspace(0.0, 1.0, m)
    steady = left + (right - left) * xi
    interior = (values - steady)[1:-1]
    modes = np.arange(1, m - 1)
    with np.errstate(under="ignore"):
        decay = np.exp(-diffusivity * (modes * np.pi / grid.length) ** 2 * t)
        evolved = idst(dst(interior, type=1) * decay, type=1)
    out = steady.copy()
    out[1:-1] += evolved
    return out[::r].copy()


def advection_inflow(u0: Callable[[np.ndarray], np.ndarray], velocity: float, t: float,
                     grid: Grid, inflow: float = 0.0) -> np.ndarray:
    """u0(x - a t) where that point started inside the domain, else the inflow value."""
    t = _check_time(t)
    if not callable(u0):
        raise ProblemError(
            "the exact solution of bounded advection needs the initial condition as a function"
        )
    x = grid.x
    origin = x - velocity * t
    inside = origin >= grid.lower if velocity > 0 else origin <= grid.upper
    values = np.asarray(u0(np.where(inside, origin, x)), dtype=np.float64)
    return np.where(inside, values, float(inflow))


def burgers_cole_hopf(problem: Burgers, u0: Any,
                      times: Sequence[float] | np.ndarray) -> np.ndarray:
    """Unforced viscous Burgers by the Cole-Hopf transform (:mod:`solvers.cole_hopf`).

    A :class:`~solvers.cole_hopf.ColeHopfWave` or :class:`~solvers.cole_hopf.ColeHopfModes`
    of the problem's viscosity is evaluated in closed form; any other smooth zero-mean
    periodic ``u0`` (function or samples) by the heat evolution of ``phi``.

    Raises:
        ProblemError: Inviscid or forced problems (no exact solution here), or a ``u0`` the
            transform refuses (nonzero mean, unresolved).
    """
    if problem.forcing is not None:
        raise ProblemError("forced Burgers has no exact solution here; compare with the scipy "
                           "reference (solvers.reference_solution) instead")
    if problem.viscosity == 0.0:
        raise ProblemError("inviscid Burgers has no exact solution here (it forms shocks); "
                           "give a viscosity > 0")
    grid = problem.grid
    closed = (ColeHopfWave, ColeHopfModes)
    if isinstance(u0, closed) and u0.viscosity == problem.viscosity:
        solution = u0.solution
    else:
        general = ColeHopfSolution(u0, problem.viscosity, grid.lower, grid.upper)
        solution = general.solution
    return np.array([solution(grid.x, float(t))
                     for t in np.atleast_1d(np.asarray(times, dtype=np.float64))])


def exact_solution(problem: Problem, u0: Any, times: Sequence[float] | np.ndarray) -> np.ndarray:
    """The exact solution of ``problem`` from ``u0`` at each time: shape (len(times), n).

    Raises:
        ProblemError: For a problem without a known exact solution here (advection-diffusion
            on a bounded grid; bounded advection from sampled data; forced or inviscid
            Burgers).
    """
    grid = problem.grid
    if isinstance(problem, Burgers):
        return burgers_cole_hopf(problem, u0, times)
    rows = []
    for t in np.atleast_1d(np.asarray(times, dtype=np.float64)):
        if isinstance(problem, Advection):
            if grid.is_periodic:
                rows.append(advection_periodic(u0, problem.velocity, t, grid))
            else:
                rows.append(advection_inflow(u0, problem.velocity, t, grid, problem.inflow))
        elif isinstance(problem, Heat):
            if grid.is_periodic:
                rows.append(heat_periodic(u0, problem.diffusivity, t, grid))
            else:
                rows.append(heat_dirichlet(u0, problem.diffusivity, t, grid, problem.dirichlet))
        elif isinstance(problem, AdvectionDiffusion) and grid.is_periodic:
            rows.append(fourier_periodic(u0, grid, t, problem.velocity, problem.diffusivity))
        else:
            raise ProblemError(f"no exact solution is known here for {problem.describe()}")
    return np.array(rows)
