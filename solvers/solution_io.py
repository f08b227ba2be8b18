"""Saving and loading a :class:`~solvers.solution.Solution`: ``.npz`` always, NetCDF via xarray.

Both formats hold the same content: the saved ``times``, the nodes ``x``, the ``snapshots``
(float64, exactly as computed) and one metadata record: how the run went (the
:class:`~solvers.solution.SolveInfo` fields that are plain data), the problem's one-line
description, the caller's attributes and the provenance (library versions, Python, platform,
the time the file was written). In ``.npz`` the record is a JSON string (no pickle: files load
with ``allow_pickle=False``). In NetCDF (``.nc``, written by xarray's ``scipy`` engine, so no
netCDF C library is needed) ``u`` is a variable over the coordinates ``time`` and ``x``; the
record's scalar entries are also plain global attributes, for ``ncdump`` and xarray users,
and the full record is the ``solvers_metadata`` attribute.

Writes are atomic (a temporary file in the destination's folder, then one rename); an existing
file is refused unless ``overwrite=True``.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.metadata
import json
import math
import os
import platform
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from solvers.errors import SolverError

__all__ = ["FORMATS", "SolutionFileError", "load_solution", "save_solution"]

FORMATS: dict[str, str] = {".npz": "numpy", ".nc": "netcdf"}
"""File suffix -> format."""
SCHEMA = 1
"""Version of the metadata record; :func:`load_solution` refuses newer ones."""
_INFO_FIELDS = ("steps", "dt", "dt_limit", "stability_margin", "number", "number_name",
                "stepper", "kernel", "wall_time", "warnings")
_PROVENANCE_PACKAGES = ("learned-ops", "numpy", "scipy", "xarray")


class SolutionFileError(SolverError):
    """A solution file cannot be written or read (its name, format, content or folder)."""


def _format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SolutionFileError(f"{path}: unknown solution format {path.suffix!r}; use a file "
                                f"name ending in {' or '.join(FORMATS)}")
    return fmt


def _xarray() -> Any:
    try:
        import xarray
    except ImportError:
        raise SolutionFileError("NetCDF files need xarray: pip install xarray (or save to a "
                                ".npz file, which needs nothing more)") from None
    return xarray


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _plain(value: Any) -> Any:
    """JSON-ready: tuples as lists, numpy scalars as Python numbers, inf/NaN as strings."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # 'inf', '-inf', 'nan': float() reads them back
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise SolutionFileError(f"attribute value {value!r} ({type(value).__name__}) cannot be "
                            "saved: use numbers, strings, lists or dicts of them")


def metadata(solution: Any, attrs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The record saved with ``solution`` (see the module docstring)."""
    info = {name: getattr(solution.info, name) for name in _INFO_FIELDS}
    problem = solution.problem
    versions = {name: _version(name) for name in _PROVENANCE_PACKAGES}
    return _plain({
        "schema": SCHEMA,
        "complete": bool(solution.complete),
        "problem": problem.describe() if hasattr(problem, "describe") else None,
        "info": info,
        "attrs": dict(attrs or {}),
        "provenance": {
            "written": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "versions": {k: v for k, v in versions.items() if v is not None},
        },
    })


@contextlib.contextmanager
def _atomic_target(path: Path, overwrite: bool) -> Iterator[Path]:
    """A temporary path beside ``path``; on success it takes the name ``path`` in one step."""
    if path.is_dir():
        raise SolutionFileError(f"{path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise SolutionFileError(f"{path}: folder {path.parent} does not exist; create it first")
    if path.exists() and not overwrite:
        raise SolutionFileError(f"{path}: file exists; pass overwrite=True (--force on the "
                                "command line) to replace it, or choose another name")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}",
                                dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; match a plain open()
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the name was taken meanwhile
            tmp.unlink()
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise SolutionFileError(f"{path}: file exists (written meanwhile); pass "
                                "overwrite=True to replace it") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _netcdf_attrs(record: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {"solvers_metadata": json.dumps(record)}
    for group in ("info", "attrs"):
        for key, value in record[group].items():
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                flat[f"{group}_{key}"] = value
    flat["problem"] = record["problem"] or ""
    flat["written"] = record["provenance"]["written"]
    return flat


def save_solution(solution: Any, path: str | os.PathLike[str], *,
                  attrs: Mapping[str, Any] | None = None, overwrite: bool = False) -> Path:
    """Write ``solution`` to ``path`` (format from the suffix: ``.npz`` or ``.nc``).

    Args:
        solution: A :class:`~solvers.solution.Solution`.
        path: The file to write; its folder must exist.
        attrs: Extra attributes to store (numbers, strings, lists or dicts of them), e.g. the
            command line or the operator's name.
        overwrite: Replace an existing file.

    Returns:
        The path written.

    Raises:
        SolutionFileError: Unknown suffix, xarray missing for ``.nc``, an attribute that is
            not plain data, an existing file without ``overwrite``, or a missing folder.
    """
    target = Path(path)
    fmt = _format(target)
    reserved = sorted({"problem", "provenance"} & set(attrs or {}))
    if reserved:
        raise SolutionFileError(f"attrs {reserved} are reserved (Solution.load puts the "
                                "problem's description and the provenance there): rename them")
    record = metadata(solution, attrs)
    if fmt == "netcdf":
        xr = _xarray()
        data = xr.Dataset(
            {"u": (("time", "x"), solution.snapshots, {"long_name": "solution u(t, x)"})},
            coords={"time": ("time", solution.times, {"long_name": "saved time"}),
                    "x": ("x", solution.x, {"long_name": "grid node"})},
            attrs=_netcdf_attrs(record))
        with _atomic_target(target, overwrite) as tmp:
            data.to_netcdf(tmp, engine="scipy")
        return target
    with _atomic_target(target, overwrite) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, times=solution.times, x=solution.x, snapshots=solution.snapshots,
                 metadata=np.array(json.dumps(record)))
    return target


def _read(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    if not path.is_file():
        raise SolutionFileError(f"{path}: no such file")
    if _format(path) == "netcdf":
        xr = _xarray()
        with xr.open_dataset(path, engine="scipy") as data:
            if "u" not in data or "solvers_metadata" not in data.attrs:
                raise SolutionFileError(f"{path}: not a solution file written by "
                                        "Solution.save (no variable u or no solvers_metadata)")
            return (data["time"].values.astype(np.float64), data["x"].values.astype(np.float64),
                    data["u"].values.astype(np.float64), str(data.attrs["solvers_metadata"]))
    with np.load(path, allow_pickle=False) as data:
        missing = {"times", "x", "snapshots", "metadata"} - set(data.files)
        if missing:
            raise SolutionFileError(f"{path}: not a solution file written by Solution.save "
                                    f"(missing {sorted(missing)})")
        return data["times"], data["x"], data["snapshots"], str(data["metadata"])


def load_solution(path: str | os.PathLike[str]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a file written by :func:`save_solution`.

    Returns:
        ``(arrays, record)``: the float64 arrays ``times``, ``x``, ``snapshots``, and the
        metadata record (``info``, ``attrs``, ``problem``, ``provenance``, ``complete``).

    Raises:
        SolutionFileError: A missing file, unknown suffix, a file that is not a solution, or
            one written by a newer version.
    """
    source = Path(path)
    times, x, snapshots, text = _read(source)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SolutionFileError(f"{source}: its metadata is not valid JSON ({exc})") from None
    schema = record.get("schema") if isinstance(record, dict) else None
    if schema != SCHEMA:
        raise SolutionFileError(f"{source}: metadata schema {schema!r} is not {SCHEMA}; "
                                "upgrade learned-ops to read it")
    return {"times": times, "x": x, "snapshots": snapshots}, record
