"""Example 10: a learned operator inside py-pde, by name, against our own solver.

``solvers.pypde_adapter.register_operator`` registers any operator (here the pretrained
``learned-d1-c5-o2``) as a py-pde operator on periodic Cartesian grids; a py-pde PDE then uses
it in its expression. py-pde's arrays carry one ghost cell per side, so the 5-point stencil
wraps periodically itself. py-pde compiles the PDE with numba on first use (tens of seconds;
set NUMBA_DISABLE_JIT=1 to skip compiling, as the test does).
"""

import json
import math

import numpy as np
import pde

import solvers
from solvers.pypde_adapter import register_operator

# Register the learned stencil and the textbook 3-point one under py-pde names.
register_operator("learned-d1-c5-o2", "d_dx_learned")
register_operator("fd:1:-1,0,1", "d_dx_c3")

# u_t + u_x = 0 on [0, 2 pi), periodic, 32 cells, RK4 with a fixed step, to t = 2 pi.
grid = pde.CartesianGrid([[0.0, 2.0 * math.pi]], [32], periodic=True)
x = grid.axes_coords[0]
u0 = pde.ScalarField(grid, np.sin(x) + 0.5 * np.cos(2.0 * x))
dt, t_final = 2.0 * math.pi / 512, 2.0 * math.pi  # one period: the exact solution is u0
results, finals = {}, {}
for name in ("d_dx_learned", "d_dx_c3"):
    finals[name] = pde.PDE({"u": f"-{name}(u)"}).solve(u0, t_range=t_final, dt=dt,
                                                      solver="runge-kutta", adaptive=False,
                                                      tracker=None, backend="numpy")
    error = float(np.max(np.abs(finals[name].data - u0.data)))
    results[name] = {"error_vs_exact": error}
    print(f"py-pde with {name:<13} max error after one period {error:.3e}")

# The same run in our solver (py-pde's cell-centred values as data): the same numbers.
problem = solvers.Advection(1.0, "learned-d1-c5-o2", solvers.Grid.periodic(32, 0.0, t_final))
ours = solvers.solve(problem, u0.data, t_final, stepper="rk4", dt=dt, kernel="numpy")
agreement = float(np.max(np.abs(ours.final - finals["d_dx_learned"].data)))
print(f"ours vs py-pde, same learned operator: max difference {agreement:.1e}")
print(json.dumps({**results, "ours_vs_pypde": agreement}))
