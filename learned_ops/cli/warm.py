"""Compile (or load from numba's disk cache) the solvers' fast kernels for common stencils.

Run once after installation (``make`` does it) so the first ``learned-ops demo`` or test run
does not pay the one-time compilation: ``python -m learned_ops.cli.warm``. Each stencil width
is compiled once and cached on disk; later runs load it in well under a second. The Burgers
kernel (:mod:`solvers.fast_semilinear`) is compiled once per pair of tap counts (flux taps,
other linear taps), whatever the flux form, forcing or stepper: the four shapes the demo and
the suite use are warmed, about 13 s of CPU each on a cold cache.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np

__all__ = ["main"]


def main() -> int:
    """Tiny solves with every stepper for first-derivative widths 2-7 and second-derivative
    widths 3-5, on periodic and bounded grids."""
    import solvers
    from learned_ops.textbook import textbook_stencil

    started = time.perf_counter()
    if solvers.warm_up() is None:
        print("fast kernels unavailable or disabled (LEARNED_OPS_NO_JIT); nothing to compile",
              file=sys.stderr)
        return 0
    first = [(0, 1), (-1, 0), (-1, 0, 1), (-2, -1, 0, 1), (-2, -1, 0, 1, 2),
             (-3, -2, -1, 0, 1, 2, 3)]
    second = [(-1, 0, 1), (-2, -1, 0, 1, 2)]
    warnings.simplefilter("ignore", solvers.SolverWarning)  # the tiny runs only compile
    for stepper in solvers.stepper_names():
        for kind in ("periodic", "bounded"):
            grid = solvers.Grid(32, -2.0, 2.0, kind)
            u0 = np.sin(np.pi * grid.x / 2)
            for offsets in first:
                problem = solvers.Advection(1.0, textbook_stencil(1, offsets), grid)
                solvers.solve(problem, u0, 1e-3, stepper=stepper, dt=1e-4,
                              allow_unstable=True)
            for offsets in second:
                problem = solvers.Heat(0.01, textbook_stencil(2, offsets), grid)
                solvers.solve(problem, u0, 1e-3, stepper=stepper, dt=1e-4)
    _warm_burgers()
    _warm_two_d()
    print(f"fast kernels ready ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


def _warm_burgers() -> None:
    """One tiny forced, viscous Burgers solve per stencil shape the demo and the suite use:
    central first and second derivatives of 3, 5, 7 and 9 points (the last for the forced-Burgers
    evaluation), and the 3-point flux with the
    5-point diffusion (the compiled loop is specialised on the tap counts only)."""
    import solvers
    from learned_ops.textbook import textbook_stencil

    grid = solvers.Grid.periodic(32, 0.0, 2.0 * np.pi)
    forcing = solvers.TravellingWaves.random(0, 2.0 * np.pi, count=2)
    for flux_half, diffusion_half in ((1, 1), (2, 2), (3, 3), (4, 4), (1, 2)):
        d1 = textbook_stencil(1, tuple(range(-flux_half, flux_half + 1)))
        d2 = textbook_stencil(2, tuple(range(-diffusion_half, diffusion_half + 1)))
        problem = solvers.Burgers(0.05, d1, d2, grid, forcing=forcing)
        solvers.solve(problem, np.sin(grid.x), 1e-3, stepper="rk4", dt=1e-4)


def _warm_two_d() -> None:
    """The compiled 2-D loops (one compile whatever the taps): the serial one on 32 x 32, the
    row-parallel one from 128 x 128 (:mod:`solvers.fast2d`)."""
    from learned_ops.textbook import textbook_stencil
    from solvers.grid2d import Grid2D
    from solvers.problems2d import Heat2D
    from solvers.stepping2d import solve_2d

    for n in (32, 128):
        grid = Grid2D.periodic(n, n)
        problem = Heat2D(0.01, textbook_stencil(2, (-1, 0, 1)), grid)
        solve_2d(problem, np.zeros((n, n)), 1e-3, stepper="rk4", dt=1e-4, kernel="compiled")


if __name__ == "__main__":
    sys.exit(main())
