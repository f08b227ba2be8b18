"""Bounded work (issue 13): what cannot finish is refused up front, in one line, at once.

Each row is a command line whose run (or study) would take hours to centuries; it must exit 2
within a couple of seconds with the estimate and the way out (``--allow-long``), one line on
stderr, no traceback, nothing on stdout and no ``--plot`` file. ``--allow-long`` is passed
through (checked with a lowered limit), and ``converge --expected 100`` is a documented
success: dt is refined as for the operator's verified order, with a note saying so.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import pytest

from learned_ops.cli.main import main

ADV = ("advection", "--operator", "fd:1:-1,0,1")
HEAT = ("heat", "--operator", "fd:2:-1,0,1")
HEAT2 = ("heat", "--operator", "fd:1:0,1", "--operator", "fd:1:-1,0")
SECONDS = 5.0
"""In-process refusal must come well within this (it takes about 0.1 s)."""

SIMULATE: list[tuple[str, tuple[str, ...]]] = [
    ("heat --diffusivity 1e300", (*HEAT, "--diffusivity", "1e300")),
    ("heat --diffusivity 1e12", (*HEAT, "--diffusivity", "1e12")),
    ("heat composed --diffusivity 1e300", (*HEAT2, "--diffusivity", "1e300")),
    ("heat bounded --diffusivity 1e300", (*HEAT, "--boundary", "bounded",
                                          "--diffusivity", "1e300")),
    ("heat --dt 1e-12", (*HEAT, "--dt", "1e-12")),
    ("heat --courant 1e-12", (*HEAT, "--courant", "1e-12")),
    ("heat --t-final 1e15", (*HEAT, "--t-final", "1e15")),
    ("heat euler --diffusivity 1e9", (*HEAT, "--stepper", "euler", "--diffusivity", "1e9")),
    ("advection --velocity 1e300", (*ADV, "--velocity", "1e300")),
    ("advection --velocity -1e300", (*ADV, "--velocity=-1e300")),
    ("advection --velocity 1e9", (*ADV, "--velocity", "1e9")),
    ("advection bounded --velocity 1e300", (*ADV, "--boundary", "bounded",
                                            "--velocity", "1e300")),
    ("advection --dt 1e-12", (*ADV, "--dt", "1e-12")),
    ("advection --courant 1e-12", (*ADV, "--courant", "1e-12")),
    ("advection --t-final 1e12", (*ADV, "--t-final", "1e12")),
    ("advection ssprk3 --courant 1e-10", (*ADV, "--stepper", "ssprk3", "--courant", "1e-10")),
    ("advection ssprk3 --dt 1e-11", (*ADV, "--stepper", "ssprk3", "--dt", "1e-11")),
    ("advection --json --dt 1e-12", (*ADV, "--json", "--dt", "1e-12")),
    ("advection --quiet --dt 1e-12", (*ADV, "--quiet", "--dt", "1e-12")),
]

CONVERGE: list[tuple[str, tuple[str, ...]]] = [
    ("heat --diffusivity 1e6", (*HEAT, "--diffusivity", "1e6")),
    ("heat --diffusivity 1e300", (*HEAT, "--diffusivity", "1e300")),
    ("heat composed --diffusivity 1e6", (*HEAT2, "--diffusivity", "1e6")),
    ("heat bounded --diffusivity 1e6", (*HEAT, "--boundary", "bounded",
                                        "--diffusivity", "1e6")),
    ("heat coupled --diffusivity 1e6", (*HEAT, "--kind", "coupled", "--diffusivity", "1e6")),
    ("heat time --diffusivity 1e6", (*HEAT, "--kind", "time", "--diffusivity", "1e6")),
    ("heat time --n 2000 --levels 20", (*HEAT, "--kind", "time", "--n", "2000",
                                       "--levels", "20")),
    ("heat --json --diffusivity 1e6", (*HEAT, "--json", "--diffusivity", "1e6")),
    ("advection --velocity 1e300", (*ADV, "--velocity", "1e300")),
    ("advection --velocity 1e9", (*ADV, "--velocity", "1e9")),
    ("advection --t-final 1e9", (*ADV, "--t-final", "1e9")),
    ("advection --grids 50,2000000", (*ADV, "--grids", "50,2000000", "--t-final", "100")),
    ("advection coupled --number 1e-9", (*ADV, "--kind", "coupled", "--number", "1e-9")),
    ("advection time --number 1e-9", (*ADV, "--kind", "time", "--number", "1e-9")),
    ("advection space --number 1e-9", (*ADV, "--number", "1e-9")),
    ("advection time --t-final 1e7", (*ADV, "--kind", "time", "--t-final", "1e7")),
    ("advection --quiet --velocity 1e9", (*ADV, "--quiet", "--velocity", "1e9")),
]

CASES = [(f"simulate {name}", ("simulate", *argv)) for name, argv in SIMULATE] + [
    (f"converge {name}", ("converge", *argv)) for name, argv in CONVERGE]


@pytest.mark.parametrize("argv", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_up_front(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str],
                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    code = main([*argv, "--plot", "p.png"])
    seconds = time.perf_counter() - started
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert "point updates" in lines[0], lines[0]
    assert "--allow-long" in lines[0], lines[0]
    assert "allow_long=True" not in lines[0], lines[0]
    assert "Traceback" not in err
    assert out == ""
    assert list(tmp_path.iterdir()) == []
    assert seconds < SECONDS, f"refused only after {seconds:.1f} s"


@pytest.fixture
def low_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A limit of 1e3 point updates, so a small run is 'long'."""
    for name in ("solvers.work", "solvers.convergence.levels"):  # modules, not re-exports
        monkeypatch.setattr(importlib.import_module(name), "LONG_RUN_UPDATES", 1e3)


@pytest.mark.usefixtures("low_limit")
@pytest.mark.parametrize("argv", [
    ("simulate", *ADV, "--n", "100", "--t-final", "0.5", "--quiet"),
    ("converge", *ADV, "--grids", "50,100,200", "--quiet"),
], ids=["simulate", "converge"])
def test_allow_long_runs_it(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(list(argv)) == 2
    assert "--allow-long" in capsys.readouterr().err
    assert main([*argv, "--allow-long"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert out


def test_expected_100_is_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    """A documented success: the schedule follows the verified order 2, a note says so."""
    started = time.perf_counter()
    code = main(["converge", *ADV, "--expected", "100"])
    seconds = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "not the expected order 100" in err
    assert "expected order 100" in out
    assert seconds < 4 * SECONDS, f"took {seconds:.1f} s"


# --------------------------------------------------------------------------- long silent phases
@pytest.mark.parametrize("quiet", [False, True], ids=["announced", "quiet"])
def test_first_compilation_is_announced(quiet: bool, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A width numba has not compiled is announced once before compiling (never with
    --quiet); the cache check itself is numba's, so 'not compiled' is simulated here."""
    fast = importlib.import_module("solvers.fast_kernels")
    if not fast.jit_available():
        pytest.skip("numba unavailable or disabled: nothing is compiled")
    monkeypatch.setattr(fast, "_will_compile", lambda dispatcher, taps: True)
    monkeypatch.setattr(fast, "_noticed", set())
    argv = ["simulate", *ADV, "--n", "50", "--t-final", "0.1", *(["--quiet"] if quiet else [])]
    assert main(argv) == 0
    assert main(argv) == 0  # same width again: no second announcement
    err = capsys.readouterr().err
    expected = 0 if quiet else 1
    assert err.count("compiling the kernel for 2 taps (once, cached)") == expected, err
    fast.on_compile(None)


@pytest.mark.parametrize("quiet", [False, True], ids=["progress", "quiet"])
def test_reference_reports_progress(quiet: bool, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The scipy reference reports how far it is (here after every evaluation)."""
    monkeypatch.setattr(importlib.import_module("solvers.reference"), "PROGRESS_SECONDS", 0.0)
    argv = ["simulate", *ADV, "--n", "50", "--t-final", "0.5", *(["--quiet"] if quiet else [])]
    assert main(argv) == 0
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("scipy")]
    if quiet:
        assert lines == []
        return
    assert lines, "no reference progress"
    shown = [float(ln.split("t = ")[1].split(" /")[0]) for ln in lines]
    assert shown == sorted(shown)  # the furthest time reached, never stepping back
    assert 0.0 < shown[-1] <= 0.5
