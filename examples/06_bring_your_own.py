"""Example 6: bring your own operator.

The solvers need only the operator protocol: ``offsets``, ``coefficients`` (dimensionless, for unit
spacing) and ``derivative_order``. So a Stencil you type in, a bare object of your own, or (through
the kernel hook) any Python callable computing the right-hand side plugs in.
"""

import json
from dataclasses import dataclass

import numpy as np

import solvers
from learned_ops import Stencil
from solvers.kernels import FunctionRhs, RungeKuttaKernel

grid = solvers.Grid.periodic(100)
u0 = solvers.SineMode(3)


def final_error(problem, **options):
    """L2 error against the exact solution at t = 1."""
    solution = solvers.solve(problem, u0, 1.0, **options)
    exact = solvers.exact_solution(problem, u0, [1.0])[-1]
    return solvers.error_norms(solution.final, exact, grid.h).l2


# 1. A Stencil typed in by hand: the fourth-order central first derivative.
mine = Stencil((-2, -1, 0, 1, 2), [1 / 12, -2 / 3, 0.0, 2 / 3, -1 / 12], 1, name="my-central4")
print(f"{mine}: verified accuracy order {mine.accuracy_order}")
err_stencil = final_error(solvers.Advection(1.0, mine, grid), courant=0.5)


# 2. A bare object of your own that follows the protocol (no learned_ops involved).
@dataclass(frozen=True)
class MyOperator:
    offsets: tuple = (-2, -1, 0, 1, 2)
    coefficients: tuple = (1 / 12, -2 / 3, 0.0, 2 / 3, -1 / 12)
    derivative_order: int = 1


err_bare = final_error(solvers.Advection(1.0, MyOperator(), grid), courant=0.5)


# 3. A callable: a spectral (FFT) derivative as the right-hand side, through the kernel hook.
k = 2 * np.pi * np.fft.fftfreq(grid.n, d=grid.h)


def spectral_rhs(u, t, out):
    out[...] = -np.real(np.fft.ifft(1j * k * np.fft.fft(u)))  # u_t = -u_x


def spectral_kernel(disc, tableau):
    return RungeKuttaKernel(FunctionRhs(spectral_rhs, grid.n), tableau)


# The problem's stencil only sets the stable dt here; the kernel computes the right-hand side.
problem = solvers.Advection(1.0, mine, grid)
err_spectral = final_error(problem, dt=0.2 * grid.h, kernel=spectral_kernel)

print(f"hand-typed Stencil  L2 error {err_stencil:.3e}")
print(f"bare protocol object L2 error {err_bare:.3e}")
print(f"spectral callable   L2 error {err_spectral:.3e}")

# Key numbers on one line.
print(json.dumps({"stencil": err_stencil, "bare": err_bare, "spectral": err_spectral,
                  "order": mine.accuracy_order}))
