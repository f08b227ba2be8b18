"""``learned-ops demo``: the table, the JSON, the figures, no TensorFlow, errors, --train."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from learned_ops.cli.demo_figures import FIGURES
from learned_ops.cli.main import main

DEMO = ("import sys; from learned_ops.cli.main import main; "
        "sys.exit(main(['demo', '--quiet', '--json']))")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, fresh_python) -> tuple[dict, Path, str]:
    """One demo run without --out, in a fresh interpreter in an empty folder (no TensorFlow
    allowed): JSON, that folder, stderr."""
    cwd = tmp_path_factory.mktemp("demo")
    run = fresh_python(DEMO, forbid=("tensorflow", "keras"), cwd=cwd,
                       env={**os.environ, "MPLBACKEND": "Agg"})
    return json.loads(run.stdout), cwd, run.stderr


def _rows(payload: dict, equation: str) -> dict[str, dict]:
    return {row["role"] + ":" + str(row["taps"]): row for row in payload["rows"]
            if row["equation"] == equation}


def _readme_default_folder() -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    found = re.search(r"figures in \./([\w.-]+)/", readme)
    assert found, "README no longer says where `make demo` puts the figures"
    return found.group(1)


def test_demo_without_tensorflow_writes_every_figure(demo_run) -> None:
    """Every figure is a PNG with a drawing in it: at least 300 x 300 pixels, and at least 2%
    of them neither the background nor one flat colour (lines, markers, text)."""
    payload, cwd, stderr = demo_run
    assert stderr == ""  # --quiet
    (out,) = cwd.iterdir()
    assert sorted(p.name for p in out.iterdir()) == sorted(FIGURES)
    for name in FIGURES:
        assert (out / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        pixels = matplotlib.image.imread(out / name)[..., :3]
        assert min(pixels.shape[:2]) >= 300, (name, pixels.shape)
        colours, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)
        drawn = 1 - counts.max() / counts.sum()
        assert drawn >= 0.02, f"{name}: only {drawn:.1%} of the pixels differ from the background"
        assert len(colours) >= 10, f"{name}: {len(colours)} colours"
    assert [Path(p).name for p in payload["figures"]] == list(FIGURES)


def test_default_out_is_the_folder_the_readme_names(demo_run, capsys) -> None:
    """Run without --out, the demo writes into ./<folder> as the README and --help say."""
    payload, cwd, _ = demo_run
    folder = _readme_default_folder()
    assert [p.name for p in cwd.iterdir()] == [folder]
    assert [Path(p) for p in payload["figures"]] == [Path(folder) / name for name in FIGURES]
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    unwrapped = "".join(capsys.readouterr().out.split())  # argparse wraps at hyphens
    assert f"default./{folder})" in unwrapped


@pytest.mark.parametrize("equation", ["advection", "heat"])
def test_demo_tells_the_story(demo_run, equation: str) -> None:
    rows = _rows(demo_run[0], equation)
    textbook, seed = rows["textbook:3"], rows["seed-learned:3"]
    learned, wide = rows["constrained:5"], rows["textbook:5"]
    for row in rows.values():
        assert row["conclusion"]
        assert row["l2_error_vs_exact"] > 0
        assert row["l2_error_vs_reference"] >= 0
    # Textbook: the promised order, and the scipy reference agrees with it.
    assert abs(textbook["convergence"]["fitted_orders"]["l2"] - 2) < 0.1
    assert textbook["l2_error_vs_reference"] < 1e-2 * textbook["l2_error_vs_exact"]
    # Seed: inconsistent, does not converge.
    assert seed["accuracy_order"] == 0
    assert not seed["convergence"]["converges"]
    assert seed["convergence"]["fitted_orders"]["l2"] < 0.5
    # Constrained: order 2 and far better than the textbook 3-point at the training spacing.
    assert learned["accuracy_order"] == 2
    assert abs(learned["convergence"]["fitted_orders"]["l2"] - 2) < 0.15
    assert learned["l2_error_vs_exact"] < textbook["l2_error_vs_exact"] / 10
    # The textbook of the same width wins under refinement (order 4).
    assert abs(wide["convergence"]["fitted_orders"]["l2"] - 4) < 0.1
    assert wide["convergence"]["errors"]["l2"][-1] < learned["convergence"]["errors"]["l2"][-1]


def test_demo_tells_the_burgers_story(demo_run) -> None:
    """Burgers on a coarse grid from the exact Cole-Hopf wave: the textbook pairs keep their
    orders and agree with the scipy reference, the learned pair beats the textbook 3-point at
    n = 50 and keeps order 2, the textbook 5-point wins under refinement; each conclusion
    quotes the JSON's own numbers."""
    payload = demo_run[0]
    rows = _rows(payload, "burgers")
    assert set(rows) == {"textbook:3", "constrained:5", "textbook:5"}
    textbook, learned, wide = rows["textbook:3"], rows["constrained:5"], rows["textbook:5"]
    settings = payload["settings"]["burgers"]
    assert settings["n"] == 50
    assert settings["initial_condition"] == "cole-hopf:A=1.5,k=1"
    assert "burgers u_t + (u^2/2)_x = 0.05 u_xx" in payload["settings"]["problems"]["burgers"]
    for row in rows.values():
        assert row["stable"]
        assert row["convergence"]["grids"] == settings["grids"]
        assert row["diffusion_operator"]["accuracy_order"] == row["accuracy_order"]
        assert row["diffusion_operator"]["offsets"] == row["offsets"]
    assert learned["flux_operator"] == "learned-d1-c5-o2"
    assert learned["diffusion_operator"]["operator"] == "learned-d2-c5-o2"
    assert abs(textbook["convergence"]["fitted_orders"]["l2"] - 2) < 0.1
    assert abs(wide["convergence"]["fitted_orders"]["l2"] - 4) < 0.1
    assert textbook["convergence"]["verdict"] == wide["convergence"]["verdict"] == "met"
    assert abs(learned["convergence"]["fitted_orders"]["l2"] - 2) < 0.15
    for row in (textbook, wide):  # the reference runs the same classical stencils
        assert row["l2_error_vs_reference"] < 1e-2 * row["l2_error_vs_exact"]
    assert learned["l2_error_vs_exact"] < textbook["l2_error_vs_exact"] / 10
    assert wide["convergence"]["errors"]["l2"][-1] < learned["convergence"]["errors"]["l2"][-1] / 10
    ratio = textbook["l2_error_vs_exact"] / learned["l2_error_vs_exact"]
    assert (f"{ratio:.1f}x smaller error than the textbook 3-point at n = 50"
            in learned["conclusion"])
    finest = wide["convergence"]["errors"]["l2"][-1]
    versus = learned["convergence"]["errors"]["l2"][-1] / finest
    assert f"{versus:.1f}x smaller error than it at n = 400" in wide["conclusion"]
    assert f"{textbook['l2_error_vs_reference']:.1e}" in textbook["conclusion"]
    # The front figure's runs: a steep front on 64 nodes, both pairs within 2% of its amplitude 0.5.
    front = payload["front"]
    assert front["n"] == 64
    assert front["times"][-1] == 1.0
    assert set(front["max_error"]) == {"fd:{1,2}:-2,-1,0,1,2", "learned-d{1,2}-c5-o2"}
    for errors in front["max_error"].values():
        assert errors[0] == 0.0
        assert 1e-4 < max(errors) < 1e-2


def test_seed_beats_textbook_at_training_resolution_for_advection(demo_run) -> None:
    rows = _rows(demo_run[0], "advection")
    assert rows["seed-learned:3"]["l2_error_vs_exact"] < rows["textbook:3"]["l2_error_vs_exact"]


def test_table_has_one_row_per_operator(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--no-figures", "--quiet"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    lines = out.out.splitlines()
    rows = [line for line in lines if line.startswith(("advection ", "heat ", "burgers "))]
    assert len(rows) == 11
    assert sum(line.startswith("burgers ") for line in rows) == 3
    assert any("inconsistent" in line for line in rows)
    assert not list(tmp_path.iterdir())


def test_unwritable_out_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["demo", "--out", str(blocker / "sub"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "learned-ops: error:" in err
    assert "Traceback" not in err
    assert main(["demo", "--out", str(blocker), "--quiet"]) == 2
    assert "not a folder" in capsys.readouterr().err
    if os.geteuid() != 0:  # root can write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert main(["demo", "--out", str(locked), "--quiet"]) == 2
        assert not list(locked.iterdir())


def test_failure_while_rendering_writes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    from learned_ops.cli import demo_figures

    def broken(result):
        raise RuntimeError("boom")

    monkeypatch.setitem(demo_figures.FIGURES, "modified_wavenumber.png", broken)
    out = tmp_path / "out"
    assert main(["demo", "--out", str(out), "--quiet"]) == 1
    assert "boom" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_help_has_an_example(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--help"])
    assert exc.value.code == 0
    assert "learned-ops demo --out" in capsys.readouterr().out


def test_bad_option_is_usage_error(capsys) -> None:
    assert main(["demo", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_train_uses_build_one_for_each_operator(monkeypatch, capsys) -> None:
    """--train: the seed's three stencils (seed recipe) and the constrained ones (default)."""
    from learned_ops.pretrained import build, load_pretrained

    calls = []

    def fake_build(spec, progress=False):
        calls.append((spec.name, spec.recipe))
        return load_pretrained(spec.name)

    monkeypatch.setattr(build, "build_one", fake_build)
    assert main(["demo", "--train", "--no-figures", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["trained"] is True
    assert calls == [("seed-forward", "seed"), ("seed-backward", "seed"),
                     ("seed-central", "seed"), ("learned-d1-c5-o2", "default"),
                     ("learned-d2-c5-o2", "default")]
    assert "training seed-forward (1/5" in captured.err
