"""Viscous Burgers: our RK4 against py-pde's fixed-step Runge-Kutta, same grid and dt.

py-pde solves ``u_t = -u * d_dx(u) + nu * laplace(u)`` with its own 3-point central operators
on a periodic cell-centred grid (``x_i = (i + 1/2) h``) and its classical RK4 at a fixed step
(``solver="runge-kutta", adaptive=False``). That is our advective form with the textbook
3-point D1 and D2; the discrete system is translation invariant, so ours gets py-pde's initial
values as an array and the two runs should agree to round-off.

py-pde compiles its operators with numba on first use (about 30 s here), so it runs in a
fresh interpreter with ``NUMBA_DISABLE_JIT=1`` (well under a second); the arithmetic is the
same. Skipped when py-pde is not installed (it is in the optional ``bench`` extra).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from solvers import Burgers, Grid, solve
from solvers.reference import CENTRAL_FIRST, CENTRAL_SECOND
from tests.burgers.stencils import Op

pytest.importorskip("pde")

N, NU, DT, STEPS = 128, 0.1, 2.0**-10, 512
T_FINAL = STEPS * DT  # a whole number of steps: py-pde takes round((t_end - t0) / dt) of them

PYPDE_SCRIPT = """
import math, sys
import numpy as np
import pde

n, nu, dt, t_final, path = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), \\
    float(sys.argv[4]), sys.argv[5]
grid = pde.CartesianGrid([[0.0, 2.0 * math.pi]], [n], periodic=True)
x = grid.axes_coords[0]
state = pde.ScalarField(grid, np.sin(x) + 0.5 * np.cos(2.0 * x))
eq = pde.PDE({"u": f"-u * d_dx(u) + {nu!r} * laplace(u)"})
final = eq.solve(state, t_range=t_final, dt=dt, solver="runge-kutta", adaptive=False,
                 tracker=None, backend="numpy")
np.savez(path, x=x, u0=state.data, final=final.data, version=pde.__version__)
"""


@pytest.fixture(scope="module")
def pypde_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    path = Path(tmp_path_factory.mktemp("pypde")) / "run.npz"
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PYPDE_SCRIPT, str(N), repr(NU), repr(DT), repr(T_FINAL),
         str(path)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def ours(form: str, u0: np.ndarray) -> np.ndarray:
    grid = Grid.periodic(N, 0.0, 2.0 * math.pi)
    problem = Burgers(NU, Op(1, CENTRAL_FIRST[2]), Op(2, CENTRAL_SECOND[2]), grid, form=form)
    return solve(problem, u0, T_FINAL, stepper="rk4", dt=DT, kernel="numpy").final


def rel_l2(value: np.ndarray, reference: np.ndarray) -> float:
    return float(np.linalg.norm(value - reference) / np.linalg.norm(reference))


def test_pypde_grid_is_cell_centred(pypde_run: dict[str, np.ndarray]) -> None:
    h = 2.0 * math.pi / N
    assert np.allclose(pypde_run["x"], (np.arange(N) + 0.5) * h, rtol=0, atol=1e-14)


def test_advective_form_agrees_with_pypde(pypde_run: dict[str, np.ndarray]) -> None:
    final = pypde_run["final"]
    diff = rel_l2(ours("advective", pypde_run["u0"]), final)
    assert diff <= 1e-10, f"py-pde {pypde_run['version']}: relative L2 {diff:.3g}"
    assert rel_l2(final, pypde_run["u0"]) > 0.05  # the run did evolve


@pytest.mark.parametrize("form", ["conservative", "skew"])
def test_other_forms_differ_from_pypde(form: str, pypde_run: dict[str, np.ndarray]) -> None:
    """The comparison can fail: the conservative and skew forms (same operators, same dt)
    are measurably different discrete systems (about 1.8e-3 and 1.2e-3 here)."""
    assert rel_l2(ours(form, pypde_run["u0"]), pypde_run["final"]) > 1e-4
