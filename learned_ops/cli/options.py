"""Option checks shared by the CLI commands: refuse what would be silently ignored.

Every refusal raises :class:`UsageError`, which :func:`learned_ops.cli.main.main` reports as
one line on stderr with exit code 2, before any work starts and before any file is written.

Names and descriptions of operators (from ``--name``, operator files or pretrained files) are
refused at load when they hold control characters, ANSI escapes or bidi overrides, so that
nothing printed later can move the cursor, recolour the terminal or reorder a line.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

__all__ = [
    "UsageError",
    "ascii_int",
    "check_initial_condition",
    "check_steps",
    "check_text",
    "refuse",
    "resolve_checked",
]

_ASCII_INT = re.compile(r"[+-]?[0-9]+")
# Bidi embeddings, overrides, isolates and marks: they reorder what a terminal shows.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class UsageError(Exception):
    """Bad command-line usage; reported as one line with exit code 2."""


def refuse(message: str) -> None:
    """Raise :class:`UsageError` with the package prefix.

    Raises:
        UsageError: Always.
    """
    raise UsageError(f"learned-ops: error: {message}")


def ascii_int(text: str, option: str) -> int:
    """An integer spelled in ASCII digits (``int()`` also takes fullwidth and other digits).

    Raises:
        UsageError: If ``text`` is not an optionally signed run of ASCII digits.
    """
    if not _ASCII_INT.fullmatch(text.strip()):
        refuse(f"{option} {text!r}: expected an integer in ASCII digits")
    return int(text)


def check_initial_condition(text: str | None, option: str = "--ic") -> None:
    """Refuse ``mode:`` without K and a K that is not in ASCII digits.

    Raises:
        UsageError: On ``mode:`` with an empty or non-ASCII K.
    """
    if text is None:
        return
    key, colon, arg = text.strip().lower().partition(":")
    if key == "mode" and colon:
        if not arg.strip():
            refuse(f"{option} {text!r}: give the mode number after the colon (mode:K), or "
                   "plain 'mode' for K = 1")
        if not _ASCII_INT.fullmatch(arg.strip()):
            refuse(f"{option} {text!r}: K must be an integer in ASCII digits")


def check_steps(t_final: float, dt: float, option: str, given: float) -> None:
    """Refuse a time step that is zero after rounding or makes the step count overflow.

    Args:
        t_final: Final time of the run.
        dt: The time step the option implies.
        option: The option the user gave (``--dt``, ``--courant``, ``--number``).
        given: The value the user gave.

    Raises:
        UsageError: If ``dt`` is not > 0 or ``t_final / dt`` is not a finite number.
    """
    with_dt = "" if option == "--dt" else f" (dt = {dt:g})"
    if not dt > 0.0:
        refuse(f"{option} {given!r} gives a time step of zero{with_dt}; use a larger {option}")
    if not math.isfinite(t_final / dt):
        refuse(f"{option} {given!r} means t_final / dt = {t_final / dt:g} steps{with_dt}; "
               f"use a larger {option}")


def check_text(text: str, what: str) -> None:
    """Refuse text holding control characters, ANSI escapes or bidi overrides.

    Raises:
        UsageError: Naming the first offending character by its code point.
    """
    for char in text:
        if char in _BIDI or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            refuse(f"{what} {text!r} contains the control character U+{ord(char):04X}; "
                   "use printable characters only")


def resolve_checked(spec: str) -> Any:
    """:func:`learned_ops.resolve.resolve_operator`, with the name and description checked.

    Raises:
        UsageError: If the operator's name or description holds control characters.
    """
    from learned_ops.resolve import resolve_operator

    stencil = resolve_operator(spec)
    check_text(getattr(stencil, "name", "") or "", f"operator {spec!r}: name")
    check_text(getattr(stencil, "description", "") or "", f"operator {spec!r}: description")
    return stencil
