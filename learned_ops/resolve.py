"""Turn a user's operator spec (CLI argument, config value) into a :class:`Stencil`.

Three forms are accepted:

- a pretrained name, e.g. ``central5`` (see :func:`learned_ops.pretrained.list_pretrained`);
- a path to an operator file: anything ending in ``.json`` or containing a path separator;
- a textbook spec ``fd:M:OFFSETS``, e.g. ``fd:1:-1,0,1`` or ``fd:2:-2,-1,0,1,2``.
"""

from __future__ import annotations

import os
import re

from learned_ops.errors import StencilError
from learned_ops.operator_file import load_stencil
from learned_ops.pretrained import list_pretrained, load_pretrained
from learned_ops.stencil import Stencil
from learned_ops.textbook import textbook_stencil

__all__ = ["FORMS_HELP", "parse_fd_spec", "resolve_operator"]

FORMS_HELP = (
    "give a pretrained name, a path to an operator file (*.json), or a textbook spec "
    "fd:M:OFFSETS such as fd:1:-1,0,1"
)
_INT = re.compile(r"[+-]?[0-9]+")


def _available() -> str:
    names = list_pretrained()
    return ", ".join(names) if names else "none yet (run 'make pretrained')"


def _looks_like_path(spec: str) -> bool:
    separators = {"/", os.sep} | ({os.altsep} if os.altsep else set())
    return spec.lower().endswith(".json") or any(s in spec for s in separators)


def parse_fd_spec(spec: str) -> Stencil:
    """Build the textbook stencil for ``fd:M:OFFSETS`` (offsets comma-separated, ascending).

    Raises:
        StencilError: If the spec is malformed or the offsets cannot carry order M.
    """
    parts = spec.split(":")
    if len(parts) != 3 or parts[0] != "fd":
        raise StencilError(
            f"bad textbook spec {spec!r}: expected fd:M:OFFSETS, e.g. fd:1:-1,0,1 or "
            "fd:2:-2,-1,0,1,2"
        )
    order_text, offsets_text = parts[1].strip(), parts[2]
    if not _INT.fullmatch(order_text):
        raise StencilError(
            f"bad textbook spec {spec!r}: derivative order {order_text!r} is not an integer"
        )
    tokens = [t.strip() for t in offsets_text.split(",")]
    bad = [t for t in tokens if not _INT.fullmatch(t)]
    if bad:
        raise StencilError(
            f"bad textbook spec {spec!r}: offsets must be comma-separated integers, got {bad[0]!r}"
        )
    try:
        return textbook_stencil(int(order_text), [int(t) for t in tokens], name=spec)
    except StencilError as exc:
        raise StencilError(f"bad textbook spec {spec!r}: {exc}") from None


def resolve_operator(spec: str) -> Stencil:
    """The operator a spec names: textbook ``fd:...``, an operator file, or a pretrained name.

    Args:
        spec: ``fd:M:OFFSETS``, a path (ends with ``.json`` or contains a separator), or a
            pretrained name.

    Raises:
        StencilError: If the spec is not a string, is malformed, or names nothing known; the
            message lists the three forms and the pretrained names.
        OperatorFileError: If a named file is missing or invalid.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise StencilError(
            f"no operator given ({spec!r}); {FORMS_HELP}; pretrained: {_available()}"
        )
    if spec.startswith("fd:"):
        return parse_fd_spec(spec)
    if _looks_like_path(spec):
        return load_stencil(spec)
    if spec in list_pretrained():
        return load_pretrained(spec)
    raise StencilError(f"unknown operator {spec!r}; {FORMS_HELP}. Pretrained: {_available()}")
