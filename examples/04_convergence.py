"""Example 4: what refinement does to textbook, seed-learned and constrained learned stencils.

A spatial convergence study refines the grid (n = 50 .. 1600) with a time step small enough that
only the spatial error is measured, and fits the observed order.
"""

import json

import solvers
from learned_ops import resolve_operator

# The three operators on periodic advection, t = 1, RK4.
results = {}
for name in ("fd:1:-1,0,1", "seed-central", "learned-d1-c5-o2"):
    problem = solvers.Advection(1.0, resolve_operator(name), solvers.Grid.periodic(50))
    stable = solvers.stability_limit(problem).stable
    # The seed's stencil has no stable time step (it grows at theta = pi, slowly): run it anyway.
    # Six grids: the learned stencil's pairwise orders settle only from n = 200 on, and a
    # verdict needs three grids whose orders agree.
    study = solvers.convergence_study(problem, 1.0, grids=[50, 100, 200, 400, 800, 1600],
                                      number=None if stable else 0.5, allow_unstable=not stable)
    print(study.table(), end="\n\n")
    results[name] = {"fitted_order": study.fitted_orders["l2"], "converges": study.converges,
                     "verdict": study.verdict,
                     "errors": list(study.errors["l2"])}

# Key numbers on one line.
print(json.dumps(results))
