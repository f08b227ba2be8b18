"""Bad input, everywhere: every case ends in the package's own error with a useful message.

One parametrised table for the Python API (each row: a call and a phrase the message must
contain) and one for the command line (each row: argv, exit code 2, one stderr line, no
traceback, no output file left behind). The number of cases is reported by pytest.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import solvers
from learned_ops import (
    LearnedOpsError,
    Stencil,
    central_stencil,
    load_stencil,
    resolve_operator,
    textbook_stencil,
)
from learned_ops.cli.main import main
from learned_ops.data import BandFamily, SeedFamily, Splits, make_splits
from learned_ops.fornberg import fornberg_weights
from learned_ops.pretrained import load_pretrained
from learned_ops.training import fit_least_squares
from learned_ops.training.constraints import stencil_space
from solvers import Advection, Grid, Heat, SolverError, convergence_study, solve

OWN_ERRORS = (LearnedOpsError, SolverError)
C2 = central_stencil(1, 2)
D2 = central_stencil(2, 2)
U = np.sin(np.linspace(0, 2 * np.pi, 40, endpoint=False))


def _advection(n: int = 40) -> Advection:
    return Advection(1.0, C2, Grid.periodic(n))


API_CASES: list[tuple[str, object, str]] = [
    # arrays handed to operators
    ("nan in array", lambda: C2(np.array([0.0, np.nan, 1.0, 2.0])), "NaN"),
    ("inf in array", lambda: C2(np.array([0.0, np.inf, 1.0, 2.0])), "NaN or infinite"),
    ("empty array", lambda: C2(np.array([])), "needs at least"),
    ("0-d array", lambda: C2(np.float64(1.0)), "scalar"),
    ("integer dtype", lambda: C2(np.arange(10)), "integer dtype"),
    ("complex dtype", lambda: C2(np.ones(10, dtype=complex)), "complex"),
    ("bool dtype", lambda: C2(np.ones(10, dtype=bool)), "boolean"),
    ("object dtype", lambda: C2(np.array(["a", "b", "c"])), "dtype"),
    ("shorter than stencil", lambda: central_stencil(1, 6)(np.ones(5)), "needs at least"),
    ("bad axis", lambda: C2(np.ones((3, 10)), axis=2), "axis"),
    ("zero spacing", lambda: C2(U, 0.0), "h must be finite and > 0"),
    ("negative spacing", lambda: C2(U, -0.1), "> 0"),
    ("nan spacing", lambda: C2(U, float("nan")), "finite"),
    ("unknown boundary", lambda: C2(U, boundary="reflect"), "unknown boundary"),
    ("matrix n too small", lambda: C2.matrix(2), "too small"),
    ("matrix n not int", lambda: C2.matrix(10.5), "integer"),
    # stencils
    ("duplicate offsets", lambda: Stencil((0, 0, 1), [1, 2, 3], 1), "unique"),
    ("unsorted offsets", lambda: Stencil((1, 0), [1, -1], 1), "sorted"),
    ("non-integer offsets", lambda: Stencil((0, 0.5), [1, -1], 1), "integers"),
    ("string offsets", lambda: Stencil(("a", "b"), [1, -1], 1), "integers"),
    ("nan coefficient", lambda: Stencil((0, 1), [np.nan, 1], 1), "finite"),
    ("complex coefficient", lambda: Stencil((0, 1), [1j, 1], 1), "real"),
    ("coefficient count", lambda: Stencil((0, 1), [1, 2, 3], 1), "one per offset"),
    ("negative derivative", lambda: Stencil((0, 1), [1, 2], -1), ">= 0"),
    ("too few taps", lambda: Stencil((0, 1), [1, 2], 2), "at least 3"),
    ("absurd size", lambda: Stencil(tuple(range(100)), np.ones(100), 1), "at most"),
    ("fornberg order", lambda: textbook_stencil(3, (0, 1, 2)), "at least 4"),
    ("odd central order", lambda: central_stencil(1, 3), "even"),
    ("zero accuracy", lambda: central_stencil(1, 0), ">= 1"),
    ("impossible order", lambda: stencil_space((-1, 0, 1), 1, 5), "cannot give"),
    ("nothing to learn", lambda: stencil_space((-1, 0, 1), 1, 2), "nothing to learn"),
    ("add different orders", lambda: C2 + D2, "derivative orders"),
    ("band eps", lambda: C2.resolving_band(2.0), "eps"),
    ("wavenumber of 2nd derivative", lambda: D2.modified_wavenumber(0.3), "first derivatives"),
    # operator names and files
    ("unknown operator", lambda: resolve_operator("fourier"), "fd:"),
    ("bad fd spec", lambda: resolve_operator("fd:x:1,2"), "fd:"),
    ("unknown pretrained", lambda: load_pretrained("nope"), "available"),
    ("missing file", lambda: load_stencil("/nonexistent/op.json"), "no such operator file"),
    # data
    ("zero dx", lambda: SeedFamily(dx=0.0), "dx"),
    ("band above nyquist", lambda: BandFamily(theta_max=4.0), "theta_max"),
    ("negative seed", lambda: make_splits(SeedFamily(), 100, -1), "seed"),
    ("unknown family", lambda: __import__("learned_ops.data").data.family_from_dict(
        {"family": "x"}), "unknown family"),
    # grids and problems
    ("grid too small", lambda: Grid.periodic(1), "n"),
    ("grid non-integer n", lambda: Grid.periodic(10.5), "integer"),
    ("grid reversed", lambda: Grid(10, 1.0, -1.0), "lower"),
    ("grid nan bound", lambda: Grid(10, float("nan"), 1.0), "finite"),
    ("unknown grid kind", lambda: Grid(10, 0.0, 1.0, "spherical"), "kind"),
    ("nan velocity", lambda: Advection(float("nan"), C2, Grid.periodic(20)), "finite"),
    ("negative diffusivity", lambda: Heat(-1.0, D2, Grid.periodic(20)), "> 0|positive"),
    ("heat with first derivative", lambda: Heat(1.0, C2, Grid.periodic(20)), "second"),
    ("advection with second derivative", lambda: Advection(1.0, D2, Grid.periodic(20)),
     "first"),
    ("not an operator", lambda: Advection(1.0, 42, Grid.periodic(20)), "operator"),
    ("unknown operator name", lambda: Advection(1.0, "no-such-operator", Grid.periodic(20)),
     "no-such-operator"),
    # solving
    ("dt zero", lambda: solve(_advection(), U, 1.0, dt=0.0), "dt"),
    ("dt negative", lambda: solve(_advection(), U, 1.0, dt=-0.1), "dt"),
    ("dt nan", lambda: solve(_advection(), U, 1.0, dt=float("nan")), "dt"),
    ("t_final negative", lambda: solve(_advection(), U, -1.0), "t_final"),
    ("t_final inf", lambda: solve(_advection(), U, math.inf), "t_final"),
    ("dt and courant", lambda: solve(_advection(), U, 1.0, dt=0.01, courant=0.5), "courant"),
    ("unknown stepper", lambda: solve(_advection(), U, 1.0, stepper="rk45"), "rk4"),
    ("unstable dt", lambda: solve(_advection(), U, 1.0, courant=5.0), "limit"),
    ("central + euler", lambda: solve(_advection(), U, 1.0, stepper="euler"), "unstable|no "),
    ("u0 wrong length", lambda: solve(_advection(), U[:-1], 1.0), "40"),
    ("u0 nan", lambda: solve(_advection(), np.full(40, np.nan), 1.0), "NaN|finite"),
    ("u0 integer", lambda: solve(_advection(), np.arange(40), 1.0), "dtype|float"),
    ("u0 complex", lambda: solve(_advection(), U.astype(complex), 1.0), "complex|dtype|real"),
    ("save time outside", lambda: solve(_advection(), U, 1.0, save_times=[2.0]), "save"),
    ("unknown initial condition", lambda: solvers.initial_condition("square"), "sinusoid"),
    ("convergence grid list", lambda: convergence_study(_advection(), 0.5, grids=(50,)), "grid"),
    ("convergence kind", lambda: convergence_study(_advection(), 0.5, kind="both"), "kind"),
    # review findings
    ("fornberg fractional offset", lambda: fornberg_weights(1, (0, 1.5)), "integers"),
    ("fornberg fractional order", lambda: fornberg_weights(1.7, (0, 1, 2)), "integer"),
    ("rank-deficient least squares", lambda: fit_least_squares(
        (-2, -1, 0, 1, 2), 1, splits=make_splits(SeedFamily(k_min=3, k_max=4), 300, 0)),
     "rank-deficient"),
    ("empty training split", lambda: fit_least_squares(
        (0, 1), 1, splits=Splits(SeedFamily(), 0, 0, 5, 5)), "empty"),
]


@pytest.mark.parametrize(("label", "call", "phrase"), API_CASES, ids=[c[0] for c in API_CASES])
def test_api_bad_input_raises_the_packages_own_error(label: str, call, phrase: str) -> None:
    with pytest.raises(OWN_ERRORS) as info:
        call()
    message = str(info.value)
    assert any(p.lower() in message.lower() for p in phrase.split("|")), message
    assert type(info.value) not in (LearnedOpsError, SolverError), "use a specific subclass"


def _bad_files(tmp: Path) -> dict[str, Path]:
    good = json.loads(Path(__file__).parents[2].joinpath(
        "learned_ops/pretrained/learned-d1-c5-o2.json").read_text())
    cases = {
        "truncated": '{"schema": "learned-ops/stencil", "vers',
        "malformed": "not json at all",
        "wrong_version": json.dumps({**good, "version": 99}),
        "nan": json.dumps(good).replace('"coefficients": [', '"coefficients": [NaN, '),
        "missing_key": json.dumps({k: v for k, v in good.items() if k != "offsets"}),
        "wrong_type": json.dumps({**good, "derivative_order": "one"}),
        "huge": json.dumps({**good, "offsets": list(range(100)),
                            "coefficients": [0.0] * 100}),
        "binary": b"\x80\x04\x95pickle".decode("latin-1"),
    }
    paths = {}
    for name, text in cases.items():
        path = tmp / f"{name}.json"
        path.write_text(text, encoding="latin-1" if name == "binary" else "utf-8")
        paths[name] = path
    big = tmp / "oversized.json"
    big.write_text(" " * (2 * 1024 * 1024) + "{}")
    paths["oversized"] = big
    return paths


CLI_CASES: list[tuple[str, list[str]]] = [
    ("no command", []),
    ("unknown command", ["frobnicate"]),
    ("inspect unknown operator", ["inspect", "nope"]),
    ("inspect bad fd", ["inspect", "fd:1:0,0"]),
    ("inspect missing file", ["inspect", "/nonexistent/x.json"]),
    ("inspect plot into missing folder", ["inspect", "fd:1:-1,0,1", "--plot", "{missing}/a.png"]),
    ("simulate unknown equation", ["simulate", "wave", "--operator", "fd:1:-1,0,1"]),
    ("simulate unknown stepper", ["simulate", "advection", "--operator", "fd:1:-1,0,1",
                                  "--stepper", "rk45"]),
    ("simulate n too small", ["simulate", "advection", "--operator", "fd:1:-1,0,1", "--n", "1"]),
    ("simulate negative t", ["simulate", "advection", "--operator", "fd:1:-1,0,1",
                             "--t-final", "-1"]),
    ("simulate zero dt", ["simulate", "advection", "--operator", "fd:1:-1,0,1", "--dt", "0"]),
    ("simulate unstable dt", ["simulate", "advection", "--operator", "fd:1:-1,0,1",
                              "--courant", "5"]),
    ("simulate central euler", ["simulate", "advection", "--operator", "fd:1:-1,0,1",
                                "--stepper", "euler"]),
    ("simulate unknown ic", ["simulate", "advection", "--operator", "fd:1:-1,0,1", "--ic",
                             "square"]),
    ("simulate wrong derivative", ["simulate", "advection", "--operator", "fd:2:-1,0,1"]),
    ("simulate plot into missing folder", ["simulate", "heat", "--operator", "fd:2:-1,0,1",
                                           "--plot", "{missing}/s.png"]),
    ("converge bad grids", ["converge", "advection", "--operator", "fd:1:-1,0,1", "--grids",
                            "50,abc"]),
    ("converge one grid", ["converge", "advection", "--operator", "fd:1:-1,0,1", "--grids",
                           "50"]),
    ("converge unknown kind", ["converge", "advection", "--operator", "fd:1:-1,0,1", "--kind",
                               "both"]),
    ("converge plot into missing folder", ["converge", "heat", "--operator", "fd:2:-1,0,1",
                                           "--plot", "{missing}/c.png"]),
    ("train bad offsets", ["train", "--offsets=a,b"]),
    ("train nothing to learn", ["train", "--offsets=-1,0,1", "--order", "2"]),
    ("train negative samples", ["train", "--offsets=0,1", "--samples", "-5"]),
    ("train unknown recipe", ["train", "--offsets=0,1", "--recipe", "adamw"]),
    ("demo into a file path", ["demo", "--out", "{file}"]),
    ("reproduce-seed bad samples", ["reproduce-seed", "--samples", "0"]),
]
FILE_CASES = ["truncated", "malformed", "wrong_version", "nan", "missing_key", "wrong_type",
              "huge", "binary", "oversized"]


def _check_cli(argv: list[str], capsys, tmp_path: Path) -> None:
    before = set(tmp_path.rglob("*"))
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, (argv, captured.err)
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert set(tmp_path.rglob("*")) <= before, "a partial output file was left behind"


@pytest.mark.parametrize(("label", "argv"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input_is_one_line_exit_2(label: str, argv: list[str], tmp_path,
                                          capsys) -> None:
    afile = tmp_path / "a_file"
    afile.write_text("x")
    argv = [a.format(missing=tmp_path / "missing", file=afile) for a in argv]
    _check_cli(argv, capsys, tmp_path)


@pytest.mark.parametrize("case", FILE_CASES)
@pytest.mark.parametrize("command", ["inspect", "simulate", "converge"])
def test_cli_bad_operator_files_are_one_line_exit_2(case: str, command: str, tmp_path,
                                                    capsys) -> None:
    path = _bad_files(tmp_path)[case]
    argv = {"inspect": ["inspect", str(path)],
            "simulate": ["simulate", "advection", "--operator", str(path)],
            "converge": ["converge", "advection", "--operator", str(path)]}[command]
    _check_cli(argv, capsys, tmp_path)
    with pytest.raises(LearnedOpsError):
        load_stencil(path)
