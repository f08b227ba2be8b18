"""py-pde with our operators (:mod:`solvers.pypde_adapter`) equals our solver.

py-pde compiles a PDE's operators with numba on first use (20-30 s here), so py-pde runs in a
fresh interpreter with ``NUMBA_DISABLE_JIT=1`` (the same arithmetic, interpreted); its results
come back in a ``.npz`` file. Skipped without py-pde (it is in the ``test`` extra).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import solvers
from solvers.errors import OperatorError

pytest.importorskip("pde")

ROOT = Path(__file__).resolve().parents[2]
N, DT, T_FINAL = 64, 2.0**-8, 1.0  # a whole number of steps

SCRIPT = """
import math, sys
import numpy as np
import pde
from solvers.errors import OperatorError
from solvers.pypde_adapter import register_operator

n, dt, t_final, path = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
register_operator("learned-d1-c5-o2", "d_dx_learned")
grid = pde.CartesianGrid([[0.0, 2.0 * math.pi]], [n], periodic=True)
x = grid.axes_coords[0]
state = pde.ScalarField(grid, np.sin(x) + 0.5 * np.cos(2.0 * x))
eq = pde.PDE({"u": "-0.7 * d_dx_learned(u)"})
final = eq.solve(state, t_range=t_final, dt=dt, solver="runge-kutta", adaptive=False,
                 tracker=None, backend="numpy")
# 2-D: a 7-point first derivative along y, a 5-point Laplacian over both axes
register_operator("fd:1:-3,-2,-1,0,1,2,3", "d_dy_c7", axes=1)
register_operator("fd:2:-2,-1,0,1,2", "laplace_c5", axes=(0, 1))
plane = pde.CartesianGrid([[0.0, 1.0], [0.0, 2.0]], [8, 16], periodic=True)
rng = np.random.default_rng(3)
field = pde.ScalarField(plane, rng.standard_normal(plane.shape))
d_dy = field.apply_operator("d_dy_c7", bc="periodic").data
lap = field.apply_operator("laplace_c5", bc="periodic").data
bounded = pde.CartesianGrid([[0.0, 1.0]], [16], periodic=False)
try:
    pde.ScalarField(bounded, 1.0).apply_operator("d_dx_learned", bc="neumann")
    refusal = ""
except OperatorError as exc:
    refusal = str(exc)
np.savez(path, x=x, u0=state.data, final=final.data, plane=field.data, d_dy=d_dy, lap=lap,
         refusal=np.array(refusal))
"""


@pytest.fixture(scope="module")
def pypde_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    path = Path(tmp_path_factory.mktemp("pypde")) / "run.npz"
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(N), repr(DT), repr(T_FINAL),
                           str(path)], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def test_pypde_with_a_learned_operator_by_name_equals_our_solver(pypde_run) -> None:
    # py-pde's grid is cell-centred (x_i = (i + 1/2) h), ours starts at the lower end; the
    # discrete system is translation invariant, so ours takes py-pde's initial values as data
    grid = solvers.Grid.periodic(N, 0.0, 2.0 * math.pi)
    problem = solvers.Advection(0.7, "learned-d1-c5-o2", grid)
    ours = solvers.solve(problem, pypde_run["u0"], T_FINAL, stepper="rk4", dt=DT,
                         kernel="numpy")
    assert ours.info.steps == round(T_FINAL / DT)
    assert np.max(np.abs(ours.final - pypde_run["final"])) <= 1e-10


def _periodic(u: np.ndarray, weights: dict[int, float], axis: int, h: float) -> np.ndarray:
    return sum(w * np.roll(u, -o, axis=axis) for o, w in weights.items()) / h


def test_2d_operators_wrap_past_the_single_ghost_cell(pypde_run) -> None:
    u = pypde_run["plane"]
    hx, hy = 1.0 / 8, 2.0 / 16
    c7 = {-3: -1 / 60, -2: 3 / 20, -1: -3 / 4, 1: 3 / 4, 2: -3 / 20, 3: 1 / 60}
    c5 = {-2: -1 / 12, -1: 4 / 3, 0: -5 / 2, 1: 4 / 3, 2: -1 / 12}
    np.testing.assert_allclose(pypde_run["d_dy"], _periodic(u, c7, 1, hy), rtol=0, atol=1e-12)
    expected = _periodic(u, c5, 0, hx**2) + _periodic(u, c5, 1, hy**2)
    np.testing.assert_allclose(pypde_run["lap"], expected, rtol=0, atol=1e-10)


def test_a_non_periodic_grid_is_refused(pypde_run) -> None:
    assert "axis 0 of the grid is not periodic" in str(pypde_run["refusal"])


@pytest.mark.parametrize(("name", "operator", "axes", "says"), [
    ("d-dx", "fd:1:-1,0,1", 0, "must be an identifier"),
    ("d_dx_bad", "no-such-operator", 0, "unknown operator"),
    ("d_dx_obj", 3.0, 0, "does not follow the operator protocol"),
])
def test_bad_registrations_are_refused(name, operator, axes, says) -> None:
    from solvers.pypde_adapter import register_operator

    with pytest.raises(OperatorError, match=says):
        register_operator(operator, name, axes=axes)
