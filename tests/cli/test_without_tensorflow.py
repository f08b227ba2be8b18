"""Without TensorFlow (no ``train`` extra): everything but training works, training says why.

A fresh interpreter where ``tensorflow`` and ``keras`` cannot be imported (``None`` in
``sys.modules``: ``import tensorflow`` raises ``ModuleNotFoundError`` and ``find_spec`` finds
nothing, as in an environment installed without the extra).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import contextlib, io, json, sys
sys.modules["tensorflow"] = None  # unimportable, as if not installed
sys.modules["keras"] = None
import solvers, learned_ops
from learned_ops.cli.main import main
from learned_ops.optional import MissingDependencyError
from learned_ops.training import train_stencil

out = {}
try:
    import tensorflow  # noqa: F401
    out["import_tensorflow"] = "imported"
except ImportError:
    out["import_tensorflow"] = "ImportError"
grid = solvers.Grid.periodic(100)
problem = solvers.Advection(1.0, "learned-d1-c5-o2", grid)
ic = solvers.initial_condition("mode:1")
solution = solvers.solve(problem, ic, 0.5, stepper="rk4", courant=0.5)
exact = solvers.exact_solution(problem, ic, solution.times)
out["simulation_error"] = solvers.compare(solution, exact).final()["analytic"]["l2"]
study = solvers.convergence_study(solvers.Advection(1.0, "fd:1:-1,0,1", grid), 1.0,
                                  grids=(50, 100, 200, 400))
out["fitted_order"] = study.fitted_orders["l2"]
try:
    train_stencil((-1, 0, 1))
    out["train"] = "trained"
except MissingDependencyError as exc:
    out["train"] = str(exc)
err = io.StringIO()
with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
    out["cli_code"] = main(["train", "--offsets=-1,0,1", "--samples", "200", "--quiet"])
out["cli_stderr"] = err.getvalue()
err = io.StringIO()
with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
    out["trajectory_code"] = main(["train", "--objective", "trajectory", "--equation", "heat",
                                   "--offsets=-1,0,1", "--quiet"])
out["trajectory_stderr"] = err.getvalue()
out["tensorflow_loaded"] = sys.modules.get("tensorflow") is not None
print(json.dumps(out))
"""


def test_simulate_and_converge_work_and_training_says_what_to_install() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["import_tensorflow"] == "ImportError"
    assert not out["tensorflow_loaded"]
    assert out["simulation_error"] < 1e-3  # learned-d1-c5-o2, n = 100, mode 1: converged
    assert abs(out["fitted_order"] - 2.0) < 0.1
    assert "training needs TensorFlow" in out["train"]
    assert "pip install 'learned-ops[train]'" in out["train"]
    assert out["cli_code"] == 2
    lines = out["cli_stderr"].strip().splitlines()
    assert len(lines) == 1, out["cli_stderr"]
    assert lines[0].startswith("learned-ops: error: training needs TensorFlow")
    assert out["trajectory_code"] == 2
    lines = out["trajectory_stderr"].strip().splitlines()
    assert len(lines) == 1, out["trajectory_stderr"]
    assert "training through the solver needs TensorFlow" in lines[0]
