"""Standard streams of the CLI: any encoding, a closed pipe, a closed or failing stdout.

- Text that the stream's encoding cannot hold (``LC_ALL=C``, ``PYTHONIOENCODING=latin-1``)
  is written with ASCII spellings of the known symbols (``∘`` -> ``o``, ``θ`` -> ``theta``)
  and ``\\uXXXX`` escapes for anything else, never a ``UnicodeEncodeError``.
- A reader that goes away (``| head -1``) ends the command quietly with exit code 141
  (128 + SIGPIPE, what a shell reports for tools killed by the signal).
- A stdout that is closed at start (``>&-``) is refused before any work (exit 2); a write
  that fails later (``> /dev/full``) is reported on stderr (exit 1).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = [
    "ERRORS",
    "PIPE_CLOSED_EXIT",
    "StdoutError",
    "ascii_spelling",
    "configure_streams",
    "guarded_stdout",
    "silence_stdout",
]

ERRORS = "learned_ops.ascii"
"""Name of the codec error handler that spells known symbols in ASCII."""

PIPE_CLOSED_EXIT = 141
"""Exit code when the reader of stdout went away: 128 + SIGPIPE."""

_SPELLINGS: dict[str, str] = {
    "∘": " o ", "θ": "theta", "σ": "sigma", "ν": "nu", "μ": "mu", "µ": "u", "…": "...",
    "∝": "~", "≈": "~=", "≤": "<=", "≥": ">=", "×": "x", "−": "-", "–": "-", "—": "--",
    "→": "->", "±": "+/-", "²": "^2", "‘": "'", "’": "'", "“": '"', "”": '"',
}


def ascii_spelling(char: str) -> str:
    """The ASCII spelling of one character: a known one, else a ``\\uXXXX`` escape."""
    if char in _SPELLINGS:
        return _SPELLINGS[char]
    return char.encode("ascii", "backslashreplace").decode("ascii")


def _fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(ascii_spelling(c) for c in bad), error.end


codecs.register_error(ERRORS, _fallback)


def configure_streams() -> None:
    """Make stdout and stderr write what their encoding cannot hold in ASCII spellings."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=ERRORS)


class StdoutError(Exception):
    """A write to stdout failed (other than a closed pipe); the result did not get out."""


class _Guarded:
    """Stdout whose failed writes raise :class:`StdoutError`, told apart from file errors."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutError(str(exc)) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutError(str(exc)) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def guarded_stdout() -> Iterator[None]:
    """Within the block, stdout write failures raise :class:`StdoutError`; restored after."""
    original = sys.stdout
    sys.stdout = _Guarded(original)  # type: ignore[assignment]
    try:
        yield
    finally:
        if isinstance(sys.stdout, _Guarded):
            sys.stdout = original


def silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush cannot fail.

    What the Python documentation advises after a ``BrokenPipeError`` on stdout.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        sys.stdout = None  # type: ignore[assignment]
