"""Example 2: one advection problem, operators swapped in and out.

u_t + u_x = 0 on the periodic interval [-2, 2) at the seed's training spacing (n = 400), from a
function of the seed's own training family. Every operator runs through the same solver and is
compared with the exact solution and with the independent scipy reference.
"""

import json
import warnings

import solvers
from learned_ops import resolve_operator

# The grid, the initial condition (seed family) and the operators to compare.
grid = solvers.Grid.periodic(400)
u0 = solvers.Sinusoid.random(0)
names = ["fd:1:-1,0,1", "seed-central", "learned-d1-c5-o2", "fd:1:-2,-1,0,1,2",
         "fd:1:-1,0", "learned-d1-upwind4-o2"]

# Solve with each operator at Courant number 0.5 (RK4) and measure the errors at t = 1.
results = {}
for name in names:
    operator = resolve_operator(name)
    problem = solvers.Advection(1.0, operator, grid)
    limit = solvers.stability_limit(problem, "rk4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the seed's stencil is inconsistent: we know
        solution = solvers.solve(problem, u0, 1.0, courant=0.5, allow_unstable=not limit.stable)
    exact = solvers.exact_solution(problem, u0, solution.times)
    reference = solvers.reference_solution(problem, u0, solution.times)
    final = solvers.compare(solution, exact, reference).final()
    results[name] = {"l2_exact": final["analytic"]["l2"], "l2_reference": final["reference"]["l2"],
                     "order": operator.accuracy_order, "stable": limit.stable}
    print(f"{name:<24} p={operator.accuracy_order}  L2 vs exact {final['analytic']['l2']:.3e}  "
          f"vs scipy {final['reference']['l2']:.3e}  stable dt exists: {limit.stable}")

# Key numbers on one line.
print(json.dumps(results))
