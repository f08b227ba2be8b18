"""``learned-ops converge``: table, JSON, quiet, plot, strict, errors as one line + exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest

from learned_ops.cli.main import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["converge", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_documented_keys(capsys) -> None:
    code, out, err = _run(capsys, "advection", "--operator", "fd:1:-1,0,1", "--grids",
                          "50,100,200,400", "--json")
    assert code == 0
    data = json.loads(out)
    for key in ("grids", "h", "errors", "orders", "fitted_order", "expected_order",
                "fit_range", "converges"):
        assert key in data
    assert data["grids"] == [50, 100, 200, 400]
    assert set(data["errors"]) == {"l2", "linf"}
    assert data["expected_order"] == 2
    assert abs(data["fitted_order"] - 2.0) < 0.1
    assert data["converges"] is True
    assert "level n = 50" in err  # progress on stderr


def test_table_on_stdout_and_quiet_silences_stderr(capsys) -> None:
    code, out, err = _run(capsys, "heat", "--operator", "fd:2:-1,0,1", "--grids",
                          "50,100,200", "--quiet")
    assert code == 0
    assert "n |" in out
    assert "fitted" in out
    assert "verdict: meets the expected order" in out
    assert err == ""


def test_time_study_and_coupled_study(capsys) -> None:
    code, out, _ = _run(capsys, "advection", "--operator", "fd:1:-1,0", "--kind", "time",
                        "--stepper", "heun", "--n", "100", "--levels", "4", "--json",
                        "--quiet")
    data = json.loads(out)
    assert code == 0
    assert data["kind"] == "time"
    assert data["expected_order"] == 2
    assert abs(data["fitted_order"] - 2.0) < 0.1
    code, out, _ = _run(capsys, "advection", "--operator", "fd:1:-1,0", "--kind", "coupled",
                        "--stepper", "euler", "--ic", "mode:1", "--json", "--quiet")
    assert code == 0
    assert abs(json.loads(out)["fitted_order"] - 1.0) < 0.1


def test_heat_composes_a_first_derivative_with_itself(capsys) -> None:
    code, out, _ = _run(capsys, "heat", "--operator", "fd:1:-1,0,1", "--grids",
                        "50,100,200", "--json", "--quiet")
    assert code == 0
    assert "∘" in json.loads(out)["description"]


def test_a_non_converging_operator_is_a_result_and_strict_makes_it_exit_1(capsys,
                                                                          tmp_path) -> None:
    stencil = tmp_path / "seed-backward.json"
    from learned_ops import Stencil, save_stencil

    save_stencil(Stencil((-1, 0), [-1.01323, 0.94952], 1, name="seed-backward"), stencil)
    args = ["advection", "--operator", str(stencil), "--kind", "coupled", "--stepper",
            "euler", "--quiet"]
    code, out, _ = _run(capsys, *args)
    assert code == 0
    assert "DOES NOT CONVERGE" in out
    assert "mu_0" in out
    code, _, _ = _run(capsys, *args, "--strict")
    assert code == 1


def test_plot_is_written(capsys, tmp_path) -> None:
    target = tmp_path / "orders.png"
    code, out, _ = _run(capsys, "advection", "--operator", "fd:1:-1,0,1", "--grids",
                        "50,100,200", "--plot", str(target), "--json", "--quiet")
    assert code == 0
    assert json.loads(out)["plot"] == str(target)
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    rgb = matplotlib.image.imread(target)[..., :3]
    # the figure asked for: 6.4 x 4.6 in (plot_convergence) at 120 dpi (the CLI), +-1 px
    np.testing.assert_allclose(rgb.shape[:2], (4.6 * 120, 6.4 * 120), rtol=0, atol=1)
    colours, counts = np.unique(rgb.reshape(-1, 3), axis=0, return_counts=True)
    drawn = 1 - counts.max() / counts.sum()
    assert drawn >= 0.02, f"only {drawn:.1%} of the pixels differ from the background"
    assert len(colours) >= 10, f"{len(colours)} colours: no anti-aliased lines or text"
    # the error curves are coloured; axes, ticks and text are black or grey
    coloured = int(np.count_nonzero(rgb.max(axis=-1) - rgb.min(axis=-1) > 0.3))
    assert coloured >= 200, f"{coloured} coloured pixels: no error curve drawn"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


@pytest.mark.parametrize(("argv", "message"), [
    (["advection", "--operator", "fd:1:-1,0,1", "--grids", "50,x"], "comma-separated"),
    (["advection", "--operator", "fd:1:-1,0,1", "--grids", "100,50"], "increase"),
    (["advection", "--operator", "fd:1:-1,0", "--kind", "time", "--grids", "50,100"], "--n"),
    (["advection", "--operator", "fd:1:-1,0,1", "--plot", "x.txt"], "--plot"),
    (["advection", "--operator", "nonsense"], "unknown operator"),
    (["heat", "--operator", "fd:1:-1,0,1", "--operator", "fd:1:-1,0,1", "--operator",
      "fd:1:-1,0,1"], "one or two"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv: list[str], message: str) -> None:
    code, out, err = _run(capsys, *argv, "--quiet")
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_help_has_an_example() -> None:
    result = subprocess.run([sys.executable, "-m", "learned_ops.cli.main", "converge", "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "learned-ops converge advection --operator" in result.stdout


def test_a_two_grid_study_is_inconclusive_and_strict_exits_1(capsys) -> None:
    args = ["advection", "--operator", "fd:1:-1,0,1", "--grids", "100,200", "--quiet"]
    code, out, _ = _run(capsys, *args)
    assert code == 0
    assert "verdict: inconclusive: refine" in out
    code, out, _ = _run(capsys, *args, "--json", "--strict")
    assert code == 1
    data = json.loads(out)
    assert data["verdict"] == "inconclusive: refine"
    assert data["meets_expected"] is False


def test_agreement_reaches_the_study(capsys) -> None:
    """Orders on n = 50, 100, 200: L2 1.85, 1.98, max 1.78, 2.03: they agree within 0.3, not
    within 0.1."""
    base = ["advection", "--operator", "fd:1:-1,0,1", "--grids", "50,100,200", "--json",
            "--quiet"]
    _, out, _ = _run(capsys, *base)
    assert json.loads(out)["verdict"] == "inconclusive: refine"
    _, out, _ = _run(capsys, *base, "--agreement", "0.3")
    data = json.loads(out)
    assert data["agreement"] == 0.3
    assert data["fit_grids"] == [50, 100, 200]
