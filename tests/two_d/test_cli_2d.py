"""``simulate`` and ``converge`` with ``--dims 2``: the 1-D JSON keys, images, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from learned_ops.cli.main import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_simulate_2d_has_the_1d_keys_and_matches_the_predicted_error(capsys) -> None:
    code, out, _ = _run(capsys, "simulate", "advection", "--operator", "fd:1:-1,0,1",
                        "--json", "--quiet")
    keys_1d = set(json.loads(out))
    code, out, err = _run(capsys, "simulate", "advection", "--dims", "2", "--n", "32",
                          "--ny", "24", "--velocity", "1,0.5", "--operator", "fd:1:-1,0,1",
                          "--courant", "0.2", "--json", "--quiet")
    assert code == 0, err
    result = json.loads(out)
    assert keys_1d <= set(result)
    assert (result["n"], result["ny"], result["dims"]) == (32, 24, 2)
    # wave sin(pi (x + 2 y) / 2) moved by the central symbol's phase speeds: the semi-discrete
    # error of the single mode is |1 - exp(i t (omega_exact - omega_discrete))| (amplitude 1)
    hx, hy = 4 / 32, 4 / 24
    kx, ky = np.pi / 2, np.pi
    phase = (kx - np.sin(kx * hx) / hx) + 0.5 * (ky - np.sin(ky * hy) / hy)
    predicted = abs(1 - np.exp(1j * phase))
    assert result["errors"]["analytic"]["rel_l2"] == pytest.approx(predicted, rel=0.01)
    assert result["reference_errors"]["rel_l2"] == pytest.approx(predicted, rel=1e-6)


def test_converge_2d_meets_order_4_and_plots(capsys, tmp_path: Path) -> None:
    plot = tmp_path / "study.png"
    code, out, err = _run(capsys, "converge", "heat", "--dims", "2", "--operator",
                          "fd:2:-2,-1,0,1,2", "--diffusivity", "0.1", "--t-final", "0.5",
                          "--plot", str(plot), "--json", "--quiet")
    assert code == 0, err
    result = json.loads(out)
    assert result["verdict"] == "met"
    assert abs(result["fitted_orders"]["l2"] - 4) <= 0.1
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_simulate_2d_plot_is_not_clobbered_without_force(capsys, tmp_path: Path) -> None:
    plot = tmp_path / "field.png"
    argv = ("simulate", "heat", "--dims", "2", "--n", "16", "--operator", "fd:2:-1,0,1",
            "--plot", str(plot), "--quiet")
    assert _run(capsys, *argv)[0] == 0
    first = plot.read_bytes()
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1
    assert plot.read_bytes() == first


@pytest.mark.parametrize(("argv", "match"), [
    (("simulate", "advection", "--dims", "2", "--velocity", "1"), "--velocity ax,ay"),
    (("simulate", "advection", "--velocity", "1,2"), "--dims 2"),
    (("simulate", "burgers", "--dims", "2"), "advection and heat"),
    (("simulate", "heat", "--dims", "2", "--boundary", "bounded"), "periodic"),
    (("simulate", "heat", "--dims", "2", "--ic", "sinusoid"), "wave, bump"),
    (("simulate", "advection", "--dims", "2", "--stepper", "euler"), "unstable for every dt"),
    (("simulate", "heat", "--dims", "2", "--courant", "0.6", "--stepper", "euler",
      "--diffusivity", "1"),
     "beyond the stability limit"),
])
def test_refusals_are_one_line_and_exit_2(capsys, argv: tuple[str, ...], match: str) -> None:
    ops = ("--operator", "fd:2:-1,0,1" if "heat" in argv else "fd:1:-1,0,1")
    code, _, err = _run(capsys, *argv, *ops, "--n", "16", "--quiet")
    assert code == 2
    assert err.count("\n") == 1, err
    assert match in err
    assert "Traceback" not in err
