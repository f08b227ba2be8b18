"""Example 7: viscous Burgers with a learned flux operator, and a shock the solver stops.

u_t + (u^2/2)_x = nu u_xx on the periodic interval [-2, 2). The flux goes through a
first-derivative operator in one of three forms (conservative, skew, advective), the viscous
term through a second-derivative one; here both are the constrained learned 5-point stencils.
An exact Cole-Hopf wave measures each form's error. Without viscosity a smooth sine steepens
into a shock that no central stencil carries: the solver stops the run and says why.
"""

import json

import numpy as np

import solvers
from learned_ops import resolve_operator
from solvers.errors import SchemeFailureError

flux = resolve_operator("learned-d1-c5-o2")
diffusion = resolve_operator("learned-d2-c5-o2")

# 1. The three flux forms against the exact Cole-Hopf wave (nu = 0.05, t = 1, n = 100).
nu = 0.05
grid = solvers.Grid.periodic(100)
u0 = solvers.initial_condition("cole-hopf:A=1.5,k=1", viscosity=nu)
forms = {}
for form in ("conservative", "skew", "advective"):
    problem = solvers.Burgers(nu, flux, diffusion, grid, form=form)
    solution = solvers.solve(problem, u0, 1.0)
    exact = solvers.exact_solution(problem, u0, solution.times)
    forms[form] = solvers.error_norms(solution.final, exact[-1], grid.h).l2
    print(f"{form:<13} L2 vs exact {forms[form]:.3e}")

# The same problem with the textbook 3-point pair, for scale.
textbook = solvers.Burgers(nu, resolve_operator("fd:1:-1,0,1"), resolve_operator("fd:2:-1,0,1"),
                           grid)
solution = solvers.solve(textbook, u0, 1.0)
textbook_error = solvers.error_norms(
    solution.final, solvers.exact_solution(textbook, u0, [1.0])[-1], grid.h).l2
print(f"textbook fd:1:-1,0,1 + fd:2:-1,0,1 (conservative): L2 vs exact {textbook_error:.3e}")

# 2. Inviscid: u0 = sin x on [0, 2 pi) breaks into a shock at t = 1. The run is stopped there.
inviscid = solvers.Burgers(0.0, flux, None, solvers.Grid.periodic(200, 0.0, 2 * np.pi))
try:
    solvers.solve(inviscid, np.sin, 2.0)
    shock = None
except SchemeFailureError as error:
    print(f"inviscid sine stopped: {error}")
    shock = {"time": error.time, "measure": error.measure, "complete": error.partial.complete}

# Key numbers on one line.
print(json.dumps({"forms": forms, "textbook_l2": textbook_error, "shock": shock}))
