"""``learned-ops simulate``: tables, JSON, refusals, plots, and a TensorFlow-free import."""

from __future__ import annotations

import json

import pytest

from learned_ops.cli.main import main

JSON_KEYS = {"equation", "operator", "n", "t_final", "dt", "steps", "stepper", "errors",
             "reference_errors", "warnings", "seconds"}


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["simulate", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_output(capsys) -> None:
    code, out, err = _run(capsys, "advection", "--operator", "fd:1:-2,-1,0,1,2", "--ic",
                          "mode:2", "--n", "100", "--courant", "0.5", "--json", "--quiet")
    assert code == 0
    assert err == ""
    result = json.loads(out)
    assert JSON_KEYS <= set(result)
    for key in ("analytic", "reference"):
        assert set(result["errors"][key]) >= {"l2", "linf", "rel_l2"}
    assert result["errors"]["analytic"]["rel_l2"] < 1e-3
    # Same spatial scheme: the difference is RK4's time error (omega dt)**4 omega t / 120
    # = 1.3e-5 for omega = 2 pi, dt = 0.02.
    assert result["errors"]["reference"]["rel_l2"] < 3e-5
    assert result["dt"] == pytest.approx(0.5 * 4 / 100)
    assert result["steps"] == 50


def test_table_output_and_heat_composition(capsys) -> None:
    code, out, _ = _run(capsys, "heat", "--operator", "fd:1:0,1", "--operator", "fd:1:-1,0",
                          "--n", "60", "--ic", "bump", "--stepper", "euler")
    assert code == 0
    assert "ours vs exact" in out
    assert "reference vs exact" in out
    assert "ours vs reference" in out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["advection", "--operator", "fd:1:-1,0,1", "--stepper", "euler"], "no stable time step"),
        (["advection", "--operator", "fd:1:-1,0,1", "--courant", "3"], "exceeds the stability"),
        (["advection", "--operator", "fd:1:0,1"], "downwind"),
        (["heat", "--operator", "fd:2:-1,0,1", "--ic", "wave"], "unknown initial condition"),
        (["heat", "--operator", "fd:2:-1,0,1", "--stepper", "rk45"], "valid names"),
        (["heat", "--operator", "fd:2:-1,0,1", "--plot", "out.txt"], "--plot"),
    ],
)
def test_refusals_are_one_line_and_exit_2(capsys, argv: list[str], match: str) -> None:
    code, out, err = _run(capsys, *argv, "--quiet")
    assert code == 2
    assert out == ""
    assert match in err
    assert len(err.strip().splitlines()) == 1


def test_inconsistent_operator_warning_reaches_json(capsys, tmp_path) -> None:
    from learned_ops import Stencil
    from learned_ops.operator_file import save_stencil

    path = save_stencil(Stencil((-1, 0, 1), [-0.51914, 0.00012, 0.51902], 1, name="seed"),
                        tmp_path / "seed.json")
    code, out, _ = _run(capsys, "advection", "--operator", str(path), "--json", "--quiet",
                        "--n", "50")
    assert code == 0
    result = json.loads(out)
    assert any("inconsistent" in w and "mu_1" in w for w in result["warnings"])


def test_plot_is_written_atomically(capsys, tmp_path) -> None:
    target = tmp_path / "final.png"
    code, _, _ = _run(capsys, "heat", "--operator", "fd:2:-1,0,1", "--n", "40", "--boundary",
                      "bounded", "--plot", str(target), "--quiet")
    assert code == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["final.png"]


def test_import_solvers_stays_light(fresh_python) -> None:
    """solvers imports neither learned_ops nor anything heavy (numba only when it runs)."""
    fresh_python("import solvers",
                 forbid=("tensorflow", "keras", "numba", "matplotlib", "learned_ops"))
