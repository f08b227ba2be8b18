"""Operator files: a :class:`Stencil` as human-readable, schema-versioned JSON (no pickle).

A version-1 file looks like::

    {
      "schema": "learned-ops/stencil",
      "version": 1,
      "name": "central-m1-p2",
      "description": "...",
      "derivative_order": 1,
      "offsets": [-1, 0, 1],
      "coefficients": [-0.5, 0.0, 0.5],
      "accuracy_order": 2,
      "provenance": {"method": "fornberg"}
    }

Coefficients are written with Python's shortest round-trip ``repr``, so they load back bit for
bit. ``accuracy_order`` is informational: it is recomputed from the moments on load and a
mismatch is refused (the file was edited by hand or corrupted). Loading validates everything
and raises :class:`~learned_ops.errors.OperatorFileError` naming the file, what is wrong and
what to do.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from learned_ops.atomic import atomic_write_text
from learned_ops.errors import OperatorFileError, StencilError
from learned_ops.stencil import MAX_TAPS, Stencil

__all__ = [
    "MAX_FILE_BYTES",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SUPPORTED_VERSIONS",
    "load_stencil",
    "save_stencil",
    "stencil_from_dict",
    "stencil_to_dict",
]

SCHEMA = "learned-ops/stencil"
"""The ``schema`` tag every operator file carries."""
SCHEMA_VERSION = 1
"""The version this library writes."""
SUPPORTED_VERSIONS: tuple[int, ...] = (1,)
"""Versions this library reads."""
MAX_FILE_BYTES = 1 << 20
"""Largest operator file accepted (1 MiB); checked before reading."""

_KEYS = (
    "schema",
    "version",
    "name",
    "description",
    "derivative_order",
    "offsets",
    "coefficients",
    "accuracy_order",
    "provenance",
)


# --------------------------------------------------------------------------- writing
def _jsonable(value: Any, where: str) -> Any:
    """Convert provenance values to plain JSON types (numpy scalars and arrays included)."""
    if value is None or isinstance(value, (str, bool, np.bool_)):
        return bool(value) if isinstance(value, np.bool_) else value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            raise OperatorFileError(
                f"provenance{where} is {number!r}; JSON cannot hold NaN or infinity: store "
                "it as a string (e.g. 'nan') or leave it out"
            )
        return number
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise OperatorFileError(
                f"provenance{where} is an array of dtype {value.dtype}; only boolean, integer "
                "and real arrays can be stored"
            )
        return [_jsonable(item, f"{where}[{k}]") for k, item in enumerate(value.tolist())]
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise OperatorFileError(
                    f"provenance{where} has key {key!r} of type {type(key).__name__}; JSON "
                    "object keys must be strings"
                )
            out[key] = _jsonable(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [_jsonable(item, f"{where}[{k}]") for k, item in enumerate(value)]
    raise OperatorFileError(
        f"provenance{where} has type {type(value).__name__}, which JSON cannot hold; convert "
        "it to a string, number, list or mapping"
    )


def stencil_to_dict(stencil: Stencil) -> dict[str, Any]:
    """The version-1 JSON-able mapping of ``stencil`` (keys in schema order).

    Raises:
        OperatorFileError: If the provenance holds values JSON cannot represent.
    """
    if not isinstance(stencil, Stencil):
        raise StencilError(f"expected a Stencil, got {type(stencil).__name__}")
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "name": stencil.name,
        "description": stencil.description,
        "derivative_order": stencil.derivative_order,
        "offsets": list(stencil.offsets),
        "coefficients": [float(c) for c in stencil.coefficients],
        "accuracy_order": stencil.accuracy_order,
        "provenance": _jsonable(stencil.provenance, ""),
    }


def stencil_to_json(stencil: Stencil) -> str:
    """The file text: indented JSON, one trailing newline, floats in round-trip ``repr``."""
    lines = []
    for key, value in stencil_to_dict(stencil).items():
        if key == "provenance":
            text = json.dumps(value, indent=2, allow_nan=False).replace("\n", "\n  ")
        else:  # scalars and the two lists on one line each, to read side by side
            text = json.dumps(value, allow_nan=False)
        lines.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def save_stencil(
    stencil: Stencil, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write ``stencil`` to ``path`` atomically as a version-1 operator file.

    The same rule as the command line's ``--force``: an existing file is replaced only when
    asked. The check and the write are one atomic step, so of two concurrent saves to the same
    new name exactly one succeeds. A symbolic link is written through (the file it points to
    is replaced, the link kept); folders, devices and FIFOs are refused.

    Args:
        stencil: The operator.
        path: Destination (conventionally ``*.json``); its folder must exist.
        overwrite: If True, replace an existing file; if False (the default), refuse it.

    Returns:
        The path written.

    Raises:
        TargetExistsError: If the file exists and ``overwrite`` is False (a subclass of
            :class:`~learned_ops.errors.OperatorFileError`).
        OperatorFileError: If the destination is a folder or a special file, the folder is
            not writable, or the provenance is not JSON-able.
    """
    target = Path(path)
    text = stencil_to_json(stencil)
    atomic_write_text(target, text, overwrite=overwrite)
    return target


# --------------------------------------------------------------------------- reading
class _FormatProblem(Exception):
    """Internal: what is wrong with a file's content (wrapped with the file name later)."""


def _reject_constant(token: str) -> Any:
    raise _FormatProblem(
        f"it contains the non-standard literal {token}; coefficients and provenance must be "
        "finite numbers"
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _FormatProblem(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require_int(data: Mapping[str, Any], key: str) -> int:
    value = data[key]
    if not _is_int(value):
        raise _FormatProblem(f"{key!r} must be an integer, got {json.dumps(value)}")
    return value


def _require_str(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise _FormatProblem(f"{key!r} must be a string, got {json.dumps(value)}")
    return value


def _check_header(data: Mapping[str, Any]) -> None:
    if not isinstance(data, Mapping):
        raise _FormatProblem(
            f"the top level is a JSON {type(data).__name__}, not an object; an operator file "
            "is one JSON object"
        )
    missing = [k for k in _KEYS if k not in data]
    if "schema" in data and data["schema"] != SCHEMA:
        raise _FormatProblem(
            f"schema is {json.dumps(data['schema'])}, expected {json.dumps(SCHEMA)}; this is "
            "not a learned-ops operator file"
        )
    if missing:
        raise _FormatProblem(f"missing key(s) {', '.join(missing)}")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise _FormatProblem(
            f"unknown key(s) {', '.join(unknown)}; put extra information under 'provenance'"
        )
    version = _require_int(data, "version")
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        hint = "upgrade learned-ops" if version > max(SUPPORTED_VERSIONS) else "re-save it"
        raise _FormatProblem(
            f"schema version {version} is not supported (this learned-ops reads version "
            f"{supported}); {hint}"
        )


def _check_lists(data: Mapping[str, Any]) -> tuple[list[int], list[float]]:
    offsets, coefficients = data["offsets"], data["coefficients"]
    for key, value in (("offsets", offsets), ("coefficients", coefficients)):
        if not isinstance(value, list):
            raise _FormatProblem(f"{key!r} must be a list, got {json.dumps(value)[:60]}")
        if len(value) > MAX_TAPS:
            raise _FormatProblem(
                f"{key!r} has {len(value)} entries; a stencil may have at most {MAX_TAPS} taps"
            )
    if not all(_is_int(o) for o in offsets):
        bad = next(o for o in offsets if not _is_int(o))
        raise _FormatProblem(f"offsets must be integers, got {json.dumps(bad)}")
    values = []
    for c in coefficients:
        if isinstance(c, bool) or not isinstance(c, (int, float)):
            raise _FormatProblem(f"coefficients must be numbers, got {json.dumps(c)[:60]}")
        if _is_int(c) and abs(c) > 2**53:
            raise _FormatProblem(f"coefficient {c} is not exactly representable as float64")
        value = float(c)
        if not math.isfinite(value):
            raise _FormatProblem(
                f"coefficient {c!r} overflows float64; coefficients must be finite"
            )
        values.append(value)
    if len(values) != len(offsets):
        raise _FormatProblem(
            f"{len(values)} coefficients for {len(offsets)} offsets; give one per offset"
        )
    return offsets, values


def _from_dict(data: Mapping[str, Any]) -> Stencil:
    _check_header(data)
    name, description = _require_str(data, "name"), _require_str(data, "description")
    order = _require_int(data, "derivative_order")
    recorded = _require_int(data, "accuracy_order")
    offsets, coefficients = _check_lists(data)
    provenance = data["provenance"]
    if not isinstance(provenance, Mapping):
        raise _FormatProblem(f"'provenance' must be an object, got {json.dumps(provenance)[:60]}")
    try:
        stencil = Stencil(tuple(offsets), coefficients, order, name, description, provenance)
    except StencilError as exc:
        raise _FormatProblem(f"it does not describe a valid stencil: {exc}") from exc
    if stencil.accuracy_order != recorded:
        raise _FormatProblem(
            f"it records accuracy order {recorded} but the moments verify "
            f"{stencil.accuracy_order}; the coefficients were edited or corrupted: regenerate "
            "the file (or correct 'accuracy_order')"
        )
    return stencil


def stencil_from_dict(data: Mapping[str, Any], *, source: str = "<mapping>") -> Stencil:
    """Build a :class:`Stencil` from a version-1 mapping, validating every field.

    Args:
        data: The parsed JSON object.
        source: What to call it in error messages (a file name).

    Raises:
        OperatorFileError: Naming ``source`` and saying what is wrong.
    """
    try:
        return _from_dict(data)
    except _FormatProblem as exc:
        raise OperatorFileError(f"{source}: invalid operator file: {exc}") from None


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise OperatorFileError(
            f"{path}: no such operator file; check the path (or run 'learned-ops list' for "
            "the pretrained names)"
        ) from None
    except OSError as exc:
        raise OperatorFileError(f"{path}: cannot access it ({exc.strerror or exc})") from exc
    if path.is_dir():
        raise OperatorFileError(f"{path}: is a folder, not an operator file")
    if size > MAX_FILE_BYTES:
        raise OperatorFileError(
            f"{path}: {size} bytes is too large for an operator file (limit {MAX_FILE_BYTES}); "
            "is this the right file?"
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise OperatorFileError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise OperatorFileError(f"{path}: grew beyond {MAX_FILE_BYTES} bytes while being read")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OperatorFileError(
            f"{path}: not UTF-8 text (bad byte at position {exc.start}); operator files are "
            "UTF-8 JSON: is this a binary or pickle file?"
        ) from None


def parse_stencil_json(text: str, *, source: str = "<string>") -> Stencil:
    """Parse operator-file text (see :func:`load_stencil`)."""
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except _FormatProblem as exc:
        raise OperatorFileError(f"{source}: invalid operator file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise OperatorFileError(
            f"{source}: malformed or truncated JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}); regenerate the file or fix it"
        ) from None
    except RecursionError:
        raise OperatorFileError(f"{source}: JSON nested too deeply") from None
    return stencil_from_dict(data, source=source)


def load_stencil(path: str | os.PathLike[str]) -> Stencil:
    """Read and validate an operator file.

    Args:
        path: A version-1 operator file (JSON).

    Returns:
        The stencil, with coefficients bit-identical to those saved.

    Raises:
        OperatorFileError: If the file is missing, too large, not UTF-8, malformed, of an
            unsupported schema or version, or does not describe a valid stencil. The message
            names the file and says what to do.
    """
    target = Path(path)
    return parse_stencil_json(_read_text(target), source=str(target))
