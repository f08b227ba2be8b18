"""Atomic writes: the old file survives any failure, and no temporary file is left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from learned_ops import (
    OperatorFileError,
    atomic_path,
    atomic_write_bytes,
    atomic_write_text,
    central_stencil,
    load_stencil,
    save_stencil,
)


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "twö")
    assert target.read_text(encoding="utf-8") == "twö"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert _only(tmp_path) == ["a.txt"]


def test_failed_replace_keeps_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "op.json"
    save_stencil(central_stencil(1, 2), target)

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OperatorFileError, match="old file is unchanged"):
        save_stencil(central_stencil(1, 4), target, overwrite=True)
    monkeypatch.undo()
    assert load_stencil(target) == central_stencil(1, 2)
    assert _only(tmp_path) == ["op.json"]


def test_failing_writer_midway_keeps_old_file(tmp_path: Path) -> None:
    target = tmp_path / "fig.png"
    target.write_bytes(b"old")

    def failing_writer() -> None:
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half a fi")
            raise RuntimeError("writer died")

    with pytest.raises(RuntimeError, match="writer died"):
        failing_writer()
    assert target.read_bytes() == b"old"
    assert _only(tmp_path) == ["fig.png"]


def test_keyboard_interrupt_removes_temporary(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    real_fsync = os.fsync

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert target.read_text() == "old"
    assert _only(tmp_path) == ["a.txt"]


def test_atomic_path_keeps_suffix_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "plot.png"
    with atomic_path(target) as tmp:
        assert tmp.suffix == ".png"
        assert tmp.parent == tmp_path
        tmp.write_bytes(b"\x89PNG")
    assert target.read_bytes() == b"\x89PNG"
    assert _only(tmp_path) == ["plot.png"]


def test_atomic_path_refuses_empty_output(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError, match="no data"), atomic_path(tmp_path / "x.png"):
        pass
    assert _only(tmp_path) == []


@pytest.mark.parametrize("sub", ["missing/deeper/a.json", "afile/a.json"])
def test_unwritable_folder_is_a_clear_error(tmp_path: Path, sub: str) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OperatorFileError, match=r"does not exist|cannot write"):
        atomic_write_text(tmp_path / sub, "x")


def test_folder_target_refused(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError, match="is a folder"):
        atomic_write_text(tmp_path, "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(tmp_path: Path) -> None:  # pragma: no cover - not run as root
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OperatorFileError, match="cannot write"):
            atomic_write_text(folder / "a.txt", "x")
    finally:
        folder.chmod(0o700)


def test_written_files_get_normal_permissions(tmp_path) -> None:
    """mkstemp creates 0600 files; the result must look like a plain write (umask applied)."""
    import os

    from learned_ops.atomic import atomic_path, atomic_write_text

    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
        with atomic_path(tmp_path / "b.txt") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "b.txt").stat().st_mode & 0o777 == 0o644
    (tmp_path / "a.json").chmod(0o600)
    atomic_write_text(tmp_path / "a.json", "{}")  # an existing file keeps its mode
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o600
