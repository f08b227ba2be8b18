"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Every file the project writes goes through these helpers. The data go to a temporary file in
the destination's own folder (so the final step is a same-filesystem rename or link), are
flushed and fsynced, and then take the destination's name in one step. On any failure,
including ``KeyboardInterrupt``, the temporary file is removed and the old destination is left
intact.

What a destination may be:

* a regular file, or a name that does not exist yet;
* a symbolic link: the write goes *through* the link to the file it points to (the link is
  kept, as ``cp``, shell redirection and most editors do); a dangling link creates its target;
* never a folder, a device, a FIFO or a socket: those are refused, naming what they are, and
  are never replaced by a regular file.

With ``overwrite=False`` the check that the name is free and the write are one atomic step
(a hard link of the finished temporary file to the final name, which fails if the name exists;
``O_EXCL`` creation where the filesystem has no hard links), so of two concurrent writers
exactly one succeeds and the other gets :class:`TargetExistsError`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from learned_ops.errors import OperatorFileError

__all__ = [
    "TargetExistsError",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_target",
]

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


class TargetExistsError(OperatorFileError):
    """The destination exists and overwriting was not allowed."""


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _resolve(path: str | os.PathLike[str]) -> Path:
    """The file a write to ``path`` lands in: symbolic links followed (dangling ones too)."""
    target = Path(path)
    if target.is_symlink():
        return Path(os.path.realpath(target))
    return target


def _check_kind(shown: Path, real: Path, overwrite: bool) -> None:
    """Refuse folders and special files; refuse an existing file unless ``overwrite``."""
    try:
        mode = os.stat(real).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return  # a free name (a missing folder is reported by the caller)
    except OSError as exc:
        raise OperatorFileError(f"{shown}: cannot inspect it ({exc.strerror or exc})") from exc
    via = "" if shown == real else f" (the symbolic link points to {real})"
    if stat.S_ISDIR(mode):
        raise OperatorFileError(f"{shown}: is a folder{via}; give a file name to write")
    if not stat.S_ISREG(mode):
        raise OperatorFileError(
            f"{shown}: is {_kind(mode)}{via}, not a regular file; refusing to replace it: "
            "give a regular file name"
        )
    if not overwrite:
        raise TargetExistsError(
            f"{shown}: file exists{via}; pass --force (overwrite=True in Python) to replace "
            "it, or choose another name"
        )


def check_target(
    path: str | os.PathLike[str], *, overwrite: bool = True, probe: bool = False
) -> Path:
    """Fail early (before any work) if ``path`` cannot be written.

    Args:
        path: The destination file.
        overwrite: If False, an existing file is refused too.
        probe: Also create and remove a scratch file in the folder, to prove it is writable
            (catches read-only mounts and immutable folders that permission bits miss).

    Returns:
        The file that will be written: ``path`` with symbolic links followed.

    Raises:
        TargetExistsError: If the file exists and ``overwrite`` is False.
        OperatorFileError: If ``path`` is a folder, a device, a FIFO or a socket, its folder
            is missing, or (with ``probe``) the folder is not writable.
    """
    shown = Path(path)
    if str(path) == "":
        raise OperatorFileError("the output file name is empty; give a file name")
    real = _resolve(shown)
    _check_kind(shown, real, overwrite)
    folder = real.parent
    if not folder.is_dir():
        raise OperatorFileError(
            f"{shown}: folder {folder} does not exist; create it first (mkdir -p {folder})"
        )
    if probe:
        fd, tmp = _mkstemp(real, shown=shown)
        os.close(fd)
        _remove_quietly(tmp)
    return real


def _mkstemp(target: Path, suffix: str = ".tmp", shown: Path | None = None) -> tuple[int, Path]:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise OperatorFileError(
            f"{shown or target}: cannot write in folder {target.parent} "
            f"({exc.strerror or exc}); choose a writable location or fix its permissions"
        ) from exc
    return fd, Path(name)


@contextlib.contextmanager
def _commit(tmp: Path, target: Path, shown: Path, overwrite: bool) -> Iterator[None]:
    """Run the body that fills ``tmp``, then give it the name ``target``; on any failure remove
    ``tmp`` and leave ``target`` as it was."""
    try:
        yield
        _finish(tmp, target, shown, overwrite)
    except OSError as exc:
        _remove_quietly(tmp)
        raise OperatorFileError(
            f"{shown}: writing failed ({exc.strerror or exc}); the old file is unchanged"
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


def _link_exclusive(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the name ``target`` only if that name is free, in one atomic step."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                             errno.EMLINK, errno.ENOSYS):
            raise
        # no hard links here: claim the name exclusively, then rename over our own claim
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def _finish(tmp: Path, target: Path, shown: Path, overwrite: bool) -> None:
    _check_kind(shown, target, overwrite)  # again: something may have appeared meanwhile
    try:
        os.chmod(tmp, _default_mode(target))  # mkstemp makes 0600 files; match a normal write
        if overwrite:
            os.replace(tmp, target)
        else:
            _link_exclusive(tmp, target)
    except FileExistsError as exc:
        raise TargetExistsError(
            f"{shown}: file exists (written by someone else meanwhile); pass --force "
            "(overwrite=True in Python) to replace it, or choose another name"
        ) from exc
    except OSError as exc:
        raise OperatorFileError(
            f"{shown}: cannot replace the file ({exc.strerror or exc}); the old file is "
            "unchanged: check the destination's permissions and free space"
        ) from exc
    _fsync_folder(target.parent)


def _remove_quietly(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, overwrite: bool = True
) -> None:
    """Write ``data`` to ``path`` atomically.

    Args:
        path: The destination file; its folder must exist. A symbolic link is written
            through (its target is replaced, the link kept).
        data: The bytes to write.
        overwrite: If False, refuse an existing file; the check and the write are one atomic
            step, so of concurrent writers exactly one succeeds.

    Raises:
        TargetExistsError: If the file exists and ``overwrite`` is False.
        OperatorFileError: If the destination is a folder or a special file, the folder is
            missing or unwritable, or the write fails. The old file, if any, is unchanged.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    shown = Path(path)
    target = check_target(shown, overwrite=overwrite)
    fd, tmp = _mkstemp(target, shown=shown)
    with _commit(tmp, target, shown, overwrite), os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write_text(
    path: str | os.PathLike[str], text: str, encoding: str = "utf-8", *, overwrite: bool = True
) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8 by default, newlines untranslated).

    See :func:`atomic_write_bytes` for ``overwrite`` and what a destination may be.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    atomic_write_bytes(path, text.encode(encoding), overwrite=overwrite)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; on success it takes the name ``path`` atomically.

    For writers that want a file name (``matplotlib``'s ``savefig``, ``np.save``...). The
    temporary file keeps the destination's suffix, so format detection by extension works.
    If the body raises, or leaves no file behind, the temporary is removed and ``path`` is
    left unchanged. ``overwrite`` and symbolic links behave as in :func:`atomic_write_bytes`.

    Example:
        >>> with atomic_path("figure.png") as tmp:  # doctest: +SKIP
        ...     fig.savefig(tmp)

    Raises:
        TargetExistsError: If the file exists and ``overwrite`` is False.
        OperatorFileError: If the destination is a folder or a special file, the folder is
            missing or unwritable, or the body wrote nothing.
    """
    shown = Path(path)
    target = check_target(shown, overwrite=overwrite)
    fd, tmp = _mkstemp(target, f".tmp{target.suffix}", shown=shown)
    os.close(fd)
    with _commit(tmp, target, shown, overwrite):
        yield tmp
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise OperatorFileError(f"{shown}: the writer produced no data; nothing was written")
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
