"""``learned-ops list`` and ``learned-ops inspect`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import learned_ops.pretrained as pretrained
from learned_ops import Stencil, central_stencil, save_stencil
from learned_ops.cli.main import main

KEYS = {
    "name",
    "offsets",
    "coefficients",
    "derivative_order",
    "accuracy_order",
    "consistent",
    "moments",
    "band",
}


def test_inspect_json(capsys) -> None:
    assert main(["inspect", "fd:1:-1,0,1", "--json", "--quiet"]) == 0
    out, err = capsys.readouterr()
    info = json.loads(out)
    assert KEYS <= set(info)
    assert info["accuracy_order"] == 2
    assert info["consistent"] is True
    assert info["coefficients"] == [-0.5, 0.0, 0.5]
    assert set(info["band"]) == {"0.01", "0.001"}
    assert info["band"]["0.01"]["points_per_wavelength"] > 20
    assert err == ""


def test_inspect_human_shows_textbook_and_reason(tmp_path: Path, capsys) -> None:
    seed = Stencil((0, 1), [-0.94952, 1.01323], 1, name="seed-forward")
    path = save_stencil(seed, tmp_path / "seed.json")
    assert main(["inspect", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "textbook" in out
    assert "-0.94952" in out
    assert "consistent: NO" in out
    assert "mu_0" in out
    assert "inspecting" in err


def test_inspect_inconsistent_json(tmp_path: Path, capsys) -> None:
    path = save_stencil(Stencil((-1, 0, 1), [-0.5183, -0.0015, 0.5199], 1), tmp_path / "s.json")
    assert main(["inspect", str(path), "--json", "--quiet"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["consistent"] is False
    assert info["accuracy_order"] == 0
    assert "mu_0" in info["inconsistency"]
    assert info["band"]["0.01"]["points_per_wavelength"] is None


@pytest.mark.parametrize("spec", ["fd:1:-2,-1,0,1", "fd:2:-2,-1,0,1,2", "fd:3:-2,-1,0,1,2"])
def test_inspect_plot_is_png(spec: str, tmp_path: Path, capsys) -> None:
    target = tmp_path / "symbol.png"
    assert main(["inspect", spec, "--plot", str(target), "--quiet"]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["symbol.png"]
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["inspect", "nope"],
        ["inspect", "fd:1:1,0"],
        ["inspect", "missing.json"],
        ["inspect", "fd:1:-1,0,1", "--plot", "x.gif"],
        ["inspect", "fd:1:-1,0,1", "--plot", "/nonexistent-folder/x.png"],
    ],
)
def test_errors_are_one_line_exit_2(argv, capsys) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("learned-ops: error:")


def test_list(tmp_path: Path, monkeypatch, capsys) -> None:
    assert main(["list", "--json"]) == 0
    assert "pretrained" in json.loads(capsys.readouterr().out)
    save_stencil(central_stencil(1, 4), tmp_path / "c4.json")
    monkeypatch.setattr(pretrained, "_folder", lambda: tmp_path)
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["pretrained"]
    assert [r["name"] for r in rows] == ["c4"]
    assert rows[0]["accuracy_order"] == 4
    assert main(["list"]) == 0
    assert "c4" in capsys.readouterr().out
