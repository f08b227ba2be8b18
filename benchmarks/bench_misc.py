"""Start-up and end-to-end costs: ``import solvers``, compiled warm-up, demo, convergence study.

- ``import solvers`` in a fresh interpreter (best of five; target < 0.5 s; numba must not be
  imported by it);
- warm-up of the compiled kernel in a fresh interpreter: the first compiled ``solve`` (numba
  import plus loading the kernel from the on-disk cache; target < 1 s);
- ``learned-ops demo --out TMP --quiet`` wall time, via a subprocess ("absent" if the
  command does not exist);
- the five-grid convergence study of :mod:`benchmarks.bench_convergence` (its periodic heat
  case, reused), with the compiled kernel and with ``LEARNED_OPS_NO_JIT=1``, side by side.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["run"]

SECTION = "misc"
_ROOT = Path(__file__).resolve().parents[1]
_WARM = (
    "import time; t = time.perf_counter(); import numpy as np; "
    "from solvers import Grid, Heat, solve; "
    "p = Heat(1.0, type('S', (), {'offsets': (-1, 0, 1), 'coefficients': np.array([1., -2., 1.]),"
    " 'derivative_order': 2})(), Grid.periodic(64)); t0 = time.perf_counter(); "
    "s = solve(p, np.sin(p.grid.x), 1e-3); print(time.perf_counter() - t0, s.info.kernel)"
)


def _python(code: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=_ROOT, env=env)
    return out.stdout.strip()


def _import_rows() -> list[dict]:
    code = ("import time, sys; t = time.perf_counter(); import solvers; "
            "print(time.perf_counter() - t, 'numba' in sys.modules)")
    best, numba = float("inf"), False
    for _ in range(5):
        seconds, loaded = _python(code).split()
        best = min(best, float(seconds))
        numba = numba or loaded == "True"
    return [{"section": SECTION, "case": "import solvers", "value": best, "unit": "s",
             "target": "< 0.5 s", "meets": bool(best < 0.5 and not numba),
             "note": f"fresh interpreter, best of 5; numba imported: {numba}"}]


def _warm_rows() -> list[dict]:
    _python(_WARM)  # make sure the disk cache is filled
    best, kernel = float("inf"), ""
    for _ in range(3):
        seconds, kernel = _python(_WARM).split()
        best = min(best, float(seconds))
    return [{"section": SECTION, "case": "compiled warm-up (first solve, fresh process)",
             "value": best, "unit": "s", "target": "< 1 s",
             "meets": bool(best < 1.0 and kernel == "numba-rk"),
             "note": f"numba import + kernel from the disk cache; kernel {kernel}"}]


def _demo_rows() -> list[dict]:
    exe = shutil.which("learned-ops") or str(Path(sys.executable).with_name("learned-ops"))
    probe = subprocess.run([exe, "demo", "--help"], capture_output=True, text=True,
                           cwd=_ROOT) if Path(exe).exists() else None
    if probe is None or probe.returncode != 0:
        return [{"section": SECTION, "case": "learned-ops demo", "value": float("nan"),
                 "unit": "s", "note": "absent"}]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        done = subprocess.run([exe, "demo", "--out", tmp, "--quiet"], capture_output=True,
                              text=True, cwd=_ROOT)
        seconds = time.perf_counter() - started
    note = "wall time, subprocess" if done.returncode == 0 else \
        f"exit {done.returncode}: {done.stderr.strip()[-200:]}"
    return [{"section": SECTION, "case": "learned-ops demo", "value": seconds, "unit": "s",
             "note": note}]


def _convergence_rows() -> list[dict]:
    from benchmarks import bench_convergence
    from learned_ops import central_stencil
    from solvers import Grid, Heat

    problem: Any = Heat(0.1, central_stencil(2, 2), Grid.periodic(50))
    fast, _ = bench_convergence._time(problem, 0.1)
    old = os.environ.get("LEARNED_OPS_NO_JIT")
    os.environ["LEARNED_OPS_NO_JIT"] = "1"
    try:
        slow, _ = bench_convergence._time(problem, 0.1)
    finally:
        if old is None:
            os.environ.pop("LEARNED_OPS_NO_JIT")
        else:
            os.environ["LEARNED_OPS_NO_JIT"] = old
    return [
        {"section": SECTION, "case": "convergence study heat periodic (5 grids): compiled",
         "value": fast, "unit": "s", "note": "bench_convergence's case, reused"},
        {"section": SECTION, "case": "convergence study heat periodic (5 grids): NumPy",
         "value": slow, "unit": "s", "ratio": slow / fast,
         "note": "LEARNED_OPS_NO_JIT=1; ratio NumPy / compiled"},
    ]


def run() -> list[dict]:
    """Benchmark rows for :mod:`benchmarks.run`."""
    return _import_rows() + _warm_rows() + _demo_rows() + _convergence_rows()


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
