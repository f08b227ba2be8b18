"""Files: never destroy, never lose (issue 13).

Targets that are not regular files (folders, FIFOs) are refused and left as they were; a
symbolic link is written through (its target replaced, the link kept); nothing is overwritten
without ``--force`` / ``overwrite=True``; of concurrent writers to one new name exactly one
succeeds; the output folder is checked before any work; a result that cannot be saved is
kept in the temporary folder. Only paths under ``tmp_path`` are used.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from learned_ops import central_stencil, load_stencil, save_stencil
from learned_ops.atomic import TargetExistsError, atomic_write_text, check_target
from learned_ops.cli.main import main
from learned_ops.errors import OperatorFileError

TRAIN = ["train", "--offsets=-1,0,1", "--method", "lstsq", "--samples", "2000", "--quiet"]


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


# ----------------------------------------------------------------------------- the API
def test_fifo_and_folder_are_refused_and_untouched(tmp_path: Path, fifo: Path) -> None:
    with pytest.raises(OperatorFileError, match=r"FIFO.*not a regular file"):
        atomic_write_text(fifo, "x", overwrite=True)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(OperatorFileError, match="is a folder"):
        save_stencil(central_stencil(1, 2), tmp_path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.json"]


def test_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    save_stencil(central_stencil(1, 2), real)
    link.symlink_to(real.name)
    with pytest.raises(TargetExistsError, match="symbolic link points to"):
        save_stencil(central_stencil(1, 4), link)
    save_stencil(central_stencil(1, 4), link, overwrite=True)
    assert link.is_symlink()
    assert load_stencil(real) == central_stencil(1, 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to("new.json")
    save_stencil(central_stencil(1, 2), link)
    assert link.is_symlink()
    assert load_stencil(tmp_path / "new.json") == central_stencil(1, 2)


def test_symlink_to_a_fifo_is_refused(tmp_path: Path, fifo: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(fifo)
    with pytest.raises(OperatorFileError, match="not a regular file"):
        save_stencil(central_stencil(1, 2), link, overwrite=True)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_save_stencil_refuses_to_overwrite_by_default(tmp_path: Path) -> None:
    path = save_stencil(central_stencil(1, 2), tmp_path / "a.json")
    with pytest.raises(TargetExistsError, match="exists"):
        save_stencil(central_stencil(1, 4), path)
    assert load_stencil(path) == central_stencil(1, 2)
    save_stencil(central_stencil(1, 4), path, overwrite=True)
    assert load_stencil(path) == central_stencil(1, 4)


def test_name_taken_between_check_and_write_is_refused(tmp_path: Path, monkeypatch) -> None:
    """The final step itself refuses an existing name (the check before it is not enough)."""
    import learned_ops.atomic as atomic

    target = tmp_path / "a.json"
    real_check = atomic._check_kind
    calls = []

    def racing_check(shown: Path, real: Path, overwrite: bool) -> None:
        calls.append(shown)
        if len(calls) == 2:  # the re-check just before the link: another writer wins here
            real.write_text("the other run's file")
            return
        real_check(shown, real, overwrite)

    monkeypatch.setattr(atomic, "_check_kind", racing_check)
    with pytest.raises(TargetExistsError, match="meanwhile"):
        save_stencil(central_stencil(1, 2), target)
    assert target.read_text() == "the other run's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_concurrent_saves_exactly_one_wins(tmp_path: Path) -> None:
    target = tmp_path / "same.json"
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def save(k: int) -> None:
        barrier.wait()
        try:
            save_stencil(central_stencil(1, 2 + 2 * (k % 3)), target)
            outcomes.append("ok")
        except TargetExistsError:
            outcomes.append("exists")

    threads = [threading.Thread(target=save, args=(k,)) for k in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["exists"] * 19 + ["ok"]
    load_stencil(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same.json"]


def test_check_target_probe_finds_an_unwritable_folder(tmp_path: Path, monkeypatch) -> None:
    def refused(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    check_target(tmp_path / "a.json")  # no probe: names only
    with pytest.raises(OperatorFileError, match="cannot write in folder"):
        check_target(tmp_path / "a.json", probe=True)


# ----------------------------------------------------------------------------- the CLI
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_train_out_fifo_refused(fifo: Path, capsys, force: list[str]) -> None:
    assert main([*TRAIN, "--out", str(fifo), *force]) == 2
    assert "not a regular file" in _one_line_error(capsys)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_train_out_folder_says_folder(tmp_path: Path, capsys) -> None:
    assert main([*TRAIN, "--out", str(tmp_path)]) == 2
    err = _one_line_error(capsys)
    assert "is a folder" in err
    assert "--force" not in err


def test_train_checkpoint_fifo_is_not_a_regular_file(tmp_path: Path, fifo: Path,
                                                     capsys) -> None:
    argv = ["train", "--offsets=-1,0,1", "--quiet", "--out", str(tmp_path / "o.json"),
            "--checkpoint", str(fifo)]
    assert main(argv) == 2
    err = _one_line_error(capsys)
    assert "not a regular file" in err
    assert "interrupted" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.json"]


def test_train_symlink_force_writes_through(tmp_path: Path) -> None:
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    save_stencil(central_stencil(1, 4), real)
    link.symlink_to(real.name)
    assert main([*TRAIN, "--out", str(link), "--force"]) == 0
    assert link.is_symlink()
    assert load_stencil(real).offsets == (-1, 0, 1)


def test_train_checks_the_folder_before_any_work(tmp_path: Path, monkeypatch, capsys) -> None:
    import learned_ops.training as training

    def no_work(*args, **kwargs):
        raise AssertionError("training started before the output folder was checked")

    def refused(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(training, "fit_least_squares", no_work)
    monkeypatch.setattr(tempfile, "mkstemp", refused)
    assert main([*TRAIN, "--out", str(tmp_path / "o.json")]) == 2
    assert "cannot write in folder" in _one_line_error(capsys)


def test_train_keeps_the_result_when_the_final_write_fails(tmp_path: Path, monkeypatch,
                                                           capsys) -> None:
    rescue = tmp_path / "rescue"
    rescue.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(rescue))
    out_folder = tmp_path / "out"
    out_folder.mkdir()

    def broken_link(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "link", broken_link)
    assert main([*TRAIN, "--out", str(out_folder / "o.json")]) == 2
    err = _one_line_error(capsys)
    kept = list(rescue.iterdir())
    assert len(kept) == 1
    assert str(kept[0]) in err
    assert load_stencil(kept[0]).offsets == (-1, 0, 1)
    assert list(out_folder.iterdir()) == []


def test_inspect_plot_follows_the_force_rule(tmp_path: Path, capsys) -> None:
    plot = tmp_path / "p.png"
    plot.write_bytes(b"old")
    assert main(["inspect", "fd:1:-1,0,1", "--plot", str(plot), "--quiet"]) == 2
    assert "--force" in _one_line_error(capsys)
    assert plot.read_bytes() == b"old"
    assert main(["inspect", "fd:1:-1,0,1", "--plot", str(plot), "--quiet", "--force"]) == 0
    assert plot.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("argv", [
    ["simulate", "heat", "--operator", "fd:2:-1,0,1", "--n", "20", "--t-final", "0.01"],
    ["converge", "heat", "--operator", "fd:2:-1,0,1"],
])
def test_simulate_and_converge_plot_refuse_existing(tmp_path: Path, capsys,
                                                    argv: list[str]) -> None:
    plot = tmp_path / "p.png"
    plot.write_bytes(b"old")
    assert main([*argv, "--plot", str(plot), "--quiet"]) == 2
    assert "exists" in _one_line_error(capsys)
    assert plot.read_bytes() == b"old"


def test_plot_fifo_refused(fifo: Path, capsys) -> None:
    png = fifo.with_name("pipe.png")
    os.rename(fifo, png)
    assert main(["inspect", "fd:1:-1,0,1", "--plot", str(png), "--force", "--quiet"]) == 2
    assert "not a regular file" in _one_line_error(capsys)
    assert stat.S_ISFIFO(os.lstat(png).st_mode)


def test_demo_out_empty_refused(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--out", "", "--quiet"]) == 2
    assert "empty" in _one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- stress
@pytest.mark.slow
def test_twenty_concurrent_trains_exactly_one_succeeds(tmp_path: Path) -> None:
    """20 processes, one ``--out``: one writes it, 19 fail clearly, the file is whole."""
    out = tmp_path / "same.json"
    rescue = tmp_path / "rescue"
    rescue.mkdir()
    env = {**os.environ, "TMPDIR": str(rescue), "CUDA_VISIBLE_DEVICES": ""}
    cmd = [sys.executable, "-m", "learned_ops.cli.main", *TRAIN, "--out", str(out)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env, cwd=tmp_path) for _ in range(20)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(code for code, _out, _err in results)
    assert codes == [0] + [2] * 19, results
    for code, _stdout, stderr in results:
        if code == 2:
            assert len(stderr.strip().splitlines()) == 1, stderr
            assert "exists" in stderr
            assert "Traceback" not in stderr
    stencil = load_stencil(out)
    assert stencil.offsets == (-1, 0, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rescue", "same.json"]
