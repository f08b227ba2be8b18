"""``simulate --save / --animate / --frames``: files that load back, refusals before the run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from learned_ops.cli.main import main
from solvers import Solution

RUN = ("advection", "--operator", "fd:1:-1,0,1", "--n", "32", "--courant", "0.5", "--ic",
       "mode:1", "--quiet")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["simulate", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_save_writes_the_run_with_its_settings_and_errors(capsys, tmp_path) -> None:
    path = tmp_path / "run.npz"
    code, out, _ = _run(capsys, *RUN, "--json", "--save", str(path), "--frames", "5")
    assert code == 0
    result = json.loads(out)
    assert result["save"] == str(path)
    saved = Solution.load(path)
    assert saved.times.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert saved.snapshots.shape == (5, 32)
    assert saved.attrs["operator"] == result["operator"]
    assert saved.attrs["errors"] == result["errors"]
    assert saved.info.steps == result["steps"]
    # the first snapshot is the initial condition mode:1 = sin(pi x)
    np.testing.assert_allclose(saved.snapshots[0], np.sin(np.pi * saved.x), atol=1e-15)


def test_animate_writes_one_gif_frame_per_snapshot(capsys, tmp_path) -> None:
    image = pytest.importorskip("PIL.Image")
    path = tmp_path / "run.gif"
    code, _, _ = _run(capsys, *RUN, "--animate", str(path), "--frames", "4")
    assert code == 0
    with image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == 4


@pytest.mark.parametrize(("extra", "says"), [
    (["--frames", "5"], "--frames only applies with --save or --animate"),
    (["--save", "{tmp}/run.npz", "--frames", "1"], "--frames must be at least 2"),
    (["--save", "{tmp}/run.txt"], "--save {tmp}/run.txt: use a file name ending in .npz or .nc"),
    (["--animate", "{tmp}/run.png"], "use a file name ending in .gif or .mp4"),
    (["--save", "{tmp}/old.npz"], "old.npz: file exists; pass --force"),
    (["--save", "{tmp}/nofolder/run.npz"], "does not exist"),
])
def test_unusable_outputs_are_refused_before_the_run(capsys, tmp_path, extra, says) -> None:
    (tmp_path / "old.npz").write_bytes(b"keep")
    code, out, err = _run(capsys, *RUN, *(a.format(tmp=tmp_path) for a in extra))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert says.format(tmp=tmp_path) in err
    assert (tmp_path / "old.npz").read_bytes() == b"keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.npz"]


def test_force_replaces_an_existing_save(capsys, tmp_path) -> None:
    path = tmp_path / "run.npz"
    path.write_bytes(b"old")
    code, _, _ = _run(capsys, *RUN, "--save", str(path), "--force")
    assert code == 0
    assert Solution.load(path).times.size == 51  # the default number of frames


def test_mp4_without_ffmpeg_is_refused_before_the_run(capsys, tmp_path, monkeypatch) -> None:
    from matplotlib import animation

    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    code, _, err = _run(capsys, *RUN, "--animate", str(tmp_path / "run.mp4"))
    assert code == 2
    assert "mp4 needs ffmpeg on the PATH" in err
    assert list(tmp_path.iterdir()) == []
