"""Example 3: the heat equation, periodic and with Dirichlet ends.

u_t = nu u_xx with a second-derivative stencil, or with two first-derivative stencils composed
(u_xx = D(D u)), as the seed's learned forward and backward stencils would be used.
"""

import json
import warnings

import solvers
from learned_ops import load_pretrained, textbook_stencil

# Periodic: textbook 3-point, the seed's forward o backward, constrained learned 5-point.
grid = solvers.Grid.periodic(200)
u0 = solvers.Sinusoid.random(3)
operators = {
    "fd:2:-1,0,1": textbook_stencil(2, [-1, 0, 1]),
    "seed-forward o seed-backward": (load_pretrained("seed-forward"),
                                     load_pretrained("seed-backward")),
    "learned-d2-c5-o2": load_pretrained("learned-d2-c5-o2"),
}
periodic = {}
for name, operator in operators.items():
    problem = solvers.Heat(0.01, operator, grid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solution = solvers.solve(problem, u0, 0.5)
    exact = solvers.exact_solution(problem, u0, solution.times)
    reference = solvers.reference_solution(problem, u0, solution.times)
    final = solvers.compare(solution, exact, reference).final()
    periodic[name] = final["analytic"]["l2"]
    print(f"periodic  {name:<30} L2 vs exact {final['analytic']['l2']:.3e}  "
          f"vs scipy {final['reference']['l2']:.3e}")

# Dirichlet: u = 1 at x = -2 and u = 0 at x = 2; the stencil's one-sided closures near the ends.
bounded = solvers.Grid.bounded(101)
problem = solvers.Heat(0.1, textbook_stencil(2, [-1, 0, 1]), bounded, dirichlet=(1.0, 0.0))
u0_dirichlet = solvers.default_initial_condition(problem)
solution = solvers.solve(problem, u0_dirichlet, 1.0)
exact = solvers.exact_solution(problem, u0_dirichlet, solution.times)
reference = solvers.reference_solution(problem, u0_dirichlet, solution.times)
final = solvers.compare(solution, exact, reference).final()
print(f"dirichlet fd:2:-1,0,1 n = 101: L2 vs exact {final['analytic']['l2']:.3e}, vs scipy "
      f"{final['reference']['l2']:.3e}, ends {solution.final[0]:g} and {solution.final[-1]:g}")

# Key numbers on one line.
print(json.dumps({"periodic": periodic, "dirichlet": {
    "l2_exact": final["analytic"]["l2"], "l2_reference": final["reference"]["l2"],
    "ends": [float(solution.final[0]), float(solution.final[-1])]}}))
