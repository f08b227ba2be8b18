"""Shared fixtures: strict floating-point errors, a seeded RNG, a non-interactive matplotlib,
and a fresh interpreter that reports what a piece of code imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from learned_ops import Stencil
from tests.solvers.fakes import SEED_BACKWARD, SEED_CENTRAL, SEED_FORWARD

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(autouse=True)
def _raise_on_float_errors():
    """Silent overflow, invalid operations and division by zero fail the test."""
    old = np.seterr(all="raise")
    try:
        yield
    finally:
        np.seterr(**old)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator, new for each test."""
    return np.random.default_rng(20261127)


@pytest.fixture
def seed_forward() -> Stencil:
    """The seed's inconsistent forward stencil (mu_0 = +0.0637); upwind for a < 0."""
    return Stencil(*SEED_FORWARD, 1, name="seed-forward")


@pytest.fixture
def seed_backward() -> Stencil:
    """The seed's inconsistent backward stencil (mu_0 = -0.0637); upwind for a > 0."""
    return Stencil(*SEED_BACKWARD, 1, name="seed-backward")


@pytest.fixture
def seed_central() -> Stencil:
    """The seed's inconsistent central stencil (mu_1 = 1.038)."""
    return Stencil(*SEED_CENTRAL, 1, name="seed-central")


HEAVY_MODULES = frozenset({"tensorflow", "keras", "numba", "matplotlib"})
"""Packages that importing, applying or simulating must not pull in (see ``fresh_python``)."""

_REPORT_IMPORTS = (
    "import atexit as _a, json as _j, sys as _s\n"
    "_a.register(lambda: open({path!r}, 'w').write(_j.dumps(sorted("
    "{{m.partition('.')[0] for m in _s.modules}}))))\n"
)


@dataclass(frozen=True)
class FreshRun:
    """What a fresh interpreter did with a piece of code.

    Attributes:
        returncode: Its exit status.
        stdout: What it printed.
        stderr: What it wrote to stderr.
        imported: Top-level packages it had imported when it exited (any exit but a crash).
    """

    returncode: int
    stdout: str
    stderr: str
    imported: frozenset[str]


def run_fresh_python(code: str, forbid: Iterable[str] = HEAVY_MODULES, timeout: float = 120,
                     env: dict[str, str] | None = None, cwd: Path | None = None) -> FreshRun:
    """Run ``code`` in a new interpreter (in ``cwd``, default the repository root); fail the
    test unless it exits 0 and imported none of the top-level packages in ``forbid``."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "imported.json"
        script = _REPORT_IMPORTS.format(path=str(report)) + code
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=timeout, env=env,
                              cwd=cwd or Path(__file__).resolve().parents[1],
                              check=False)
        assert report.exists(), f"the interpreter died before reporting: {proc.stderr}"
        imported = frozenset(json.loads(report.read_text()))
    assert proc.returncode == 0, proc.stderr
    bad = sorted(imported & set(forbid))
    assert not bad, f"importing/running this pulled in {bad}:\n{code}"
    return FreshRun(proc.returncode, proc.stdout, proc.stderr, imported)


@pytest.fixture(scope="session")
def fresh_python() -> Callable[..., FreshRun]:
    """:func:`run_fresh_python`: the one place the "import stays light" checks are written."""
    return run_fresh_python
