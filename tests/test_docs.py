"""The API reference builds from the docstrings with warnings as errors (``make docs``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_api_reference_builds_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(ROOT / "docs"), str(tmp_path / "html"), "-d", str(tmp_path / "doctrees")],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    pages = {p.name for p in (tmp_path / "html" / "api").glob("*.html")}
    assert pages == {"solvers.html", "ecosystem.html", "learned_ops.html"}
    ecosystem = (tmp_path / "html" / "api" / "ecosystem.html").read_text(encoding="utf-8")
    for name in ("solvers.eoc.assert_order", "solvers.scipy_system.scipy_system",
                 "solvers.pypde_adapter.register_operator", "solvers.solution_io.save_solution"):
        assert f'id="{name}"' in ecosystem, name
