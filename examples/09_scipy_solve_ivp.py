"""Example 9: any problem as a scipy ``solve_ivp`` system, with its CSR Jacobian.

``solvers.scipy_system(problem)`` gives ``rhs(t, u)`` and ``jacobian(t, u)`` (a
``scipy.sparse.csr_array``; scipy's implicit methods refuse a ``LinearOperator``), so the
operators (here learned ones, by name) run inside scipy's adaptive and implicit integrators.
"""

import json
import math

import numpy as np
import scipy.integrate

import solvers
from solvers.scipy_system import scipy_system

# Forced viscous Burgers, skew-symmetric flux, learned 5-point stencils given by name.
grid = solvers.Grid.periodic(128, 0.0, 2.0 * math.pi)
forcing = solvers.TravellingWaves.random(0, 2.0 * math.pi, count=10)
problem = solvers.Burgers(0.05, "learned-d1-c5-o2", "learned-d2-c5-o2", grid, form="skew",
                          forcing=forcing, speed=1.5)
system = scipy_system(problem)


def u0(x):
    return np.sin(x) + 0.5 * np.cos(2.0 * x)


# An implicit method with the exact sparse Jacobian, and an explicit high-order one.
with np.errstate(under="ignore"):
    bdf = scipy.integrate.solve_ivp(system.rhs, (0.0, 2.0), system.initial_values(u0),
                                    method="BDF", jac=system.jacobian, rtol=1e-9, atol=1e-11)
    dop = scipy.integrate.solve_ivp(system.rhs, (0.0, 2.0), system.initial_values(u0),
                                    method="DOP853", rtol=1e-12, atol=1e-12)
ours = solvers.solve(problem, u0, 2.0, stepper="rk4", dt=1e-3)
bdf_vs_dop = float(np.max(np.abs(bdf.y[:, -1] - dop.y[:, -1])))
ours_vs_dop = float(np.max(np.abs(ours.final - dop.y[:, -1])))
print("burgers n = 128, learned-d1-c5-o2 / learned-d2-c5-o2, t = 2")
print(f"  BDF + CSR Jacobian: {bdf.t.size - 1} steps, {bdf.nfev} rhs, {bdf.njev} Jacobians; "
      f"max |BDF - DOP853| = {bdf_vs_dop:.2e}")
print(f"  our RK4 (dt = 1e-3, {ours.info.steps} steps): max |RK4 - DOP853| = {ours_vs_dop:.2e}")

# Stiff heat: the explicit limit needs thousands of steps; BDF with the constant matrix
# (system.jac is the matrix itself) takes far fewer, at the accuracy asked for.
heat = solvers.Heat(1.0, "fd:2:-1,0,1", solvers.Grid(400, -2.0, 2.0, "bounded"),
                    dirichlet=(1.0, 0.0))
stiff = scipy_system(heat)
ic = solvers.initial_condition("bump")
with np.errstate(under="ignore"):
    implicit = scipy.integrate.solve_ivp(stiff.rhs, (0.0, 0.5), stiff.initial_values(ic),
                                         method="BDF", jac=stiff.jac, rtol=1e-8, atol=1e-10)
exact = solvers.semidiscrete_solution(heat, ic, 0.5)
heat_error = float(np.max(np.abs(implicit.y[:, -1] - exact)))
explicit_steps = math.ceil(0.5 / solvers.stability_limit(heat, "rk4").dt)
print(f"heat n = 400, nu = 1: BDF {implicit.t.size - 1} steps (RK4 would need "
      f">= {explicit_steps}); max error vs the exact semi-discrete solution {heat_error:.2e}")

print(json.dumps({"burgers": {"bdf_vs_dop853": bdf_vs_dop, "rk4_vs_dop853": ours_vs_dop,
                              "bdf_steps": int(bdf.t.size - 1), "bdf_jacobians": int(bdf.njev)},
                  "heat": {"bdf_steps": int(implicit.t.size - 1),
                           "rk4_steps_at_limit": explicit_steps, "error": heat_error}}))
