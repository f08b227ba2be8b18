"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Every file the project writes goes through these helpers. The data go to a temporary file in
the destination's own folder (so :func:`os.replace` is a same-filesystem rename), are flushed
and fsynced, and then replace the destination in one step. On any failure, including
``KeyboardInterrupt``, the temporary file is removed and the old destination is left intact.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from learned_ops.errors import OperatorFileError

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text", "check_target"]


def check_target(path: str | os.PathLike[str]) -> Path:
    """Fail early (before any work) if ``path`` cannot be written: a folder, or no folder.

    Raises:
        OperatorFileError: With what is wrong and what to do.
    """
    target = Path(path)
    if target.is_dir():
        raise OperatorFileError(f"{target}: is a folder; give a file name to write")
    folder = target.parent
    if not folder.is_dir():
        raise OperatorFileError(
            f"{target}: folder {folder} does not exist; create it first (mkdir -p {folder})"
        )
    return target


def _mkstemp(target: Path, suffix: str = ".tmp") -> tuple[int, Path]:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise OperatorFileError(
            f"{target}: cannot write in folder {target.parent} ({exc.strerror or exc}); "
            "choose a writable location or fix its permissions"
        ) from exc
    return fd, Path(name)


@contextlib.contextmanager
def _commit(tmp: Path, target: Path) -> Iterator[None]:
    """Run the body that fills ``tmp``, then rename it over ``target``; on any failure remove
    ``tmp`` and leave ``target`` as it was."""
    try:
        yield
        _replace(tmp, target)
    except OSError as exc:
        _remove_quietly(tmp)
        raise OperatorFileError(
            f"{target}: writing failed ({exc.strerror or exc}); the old file is unchanged"
        ) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _default_mode(target: Path) -> int:
    """The mode a plain ``open(target, "w")`` would give: the old file's, else 0o666 & ~umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _replace(tmp: Path, target: Path) -> None:
    try:
        os.chmod(tmp, _default_mode(target))  # mkstemp makes 0600 files; match a normal write
        os.replace(tmp, target)
    except OSError as exc:
        raise OperatorFileError(
            f"{target}: cannot replace the file ({exc.strerror or exc}); the old file is "
            "unchanged: check the destination's permissions and free space"
        ) from exc
    _fsync_folder(target.parent)


def _remove_quietly(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically.

    Args:
        path: The destination file; its folder must exist.
        data: The bytes to write.

    Raises:
        OperatorFileError: If the folder is missing or unwritable, or the write fails. The old
            file, if any, is left unchanged.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    target = check_target(path)
    fd, tmp = _mkstemp(target)
    with _commit(tmp, target), os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (UTF-8 by default, newlines untranslated)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    atomic_write_bytes(path, text.encode(encoding))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically.

    For writers that want a file name (``matplotlib``'s ``savefig``, ``np.save``...). The
    temporary file keeps the destination's suffix, so format detection by extension works.
    If the body raises, or leaves no file behind, the temporary is removed and ``path`` is
    left unchanged.

    Example:
        >>> with atomic_path("figure.png") as tmp:  # doctest: +SKIP
        ...     fig.savefig(tmp)

    Raises:
        OperatorFileError: If the folder is missing or unwritable, or the body wrote nothing.
    """
    target = check_target(path)
    fd, tmp = _mkstemp(target, f".tmp{target.suffix}")
    os.close(fd)
    with _commit(tmp, target):
        yield tmp
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise OperatorFileError(f"{target}: the writer produced no data; nothing was written")
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
