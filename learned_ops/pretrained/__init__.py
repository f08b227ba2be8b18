"""The pretrained operators shipped with the package: ``<name>.json`` files in this folder.

The files are produced by ``make pretrained`` (``learned_ops.pretrained.build``) and read here
through :mod:`importlib.resources`, so they work from a wheel or a zip as well as a checkout.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from learned_ops.errors import OperatorFileError
from learned_ops.operator_file import load_stencil
from learned_ops.stencil import Stencil

__all__ = ["list_pretrained", "load_pretrained"]

_SUFFIX = ".json"


def _folder() -> Traversable:
    """Where the operator files live (a function, so tests can point it elsewhere)."""
    return resources.files(__name__)


def list_pretrained() -> list[str]:
    """Names of the shipped operators, sorted (empty until ``make pretrained`` has run)."""
    folder = _folder()
    return sorted(
        entry.name[: -len(_SUFFIX)]
        for entry in folder.iterdir()
        if entry.name.endswith(_SUFFIX) and not entry.name.startswith(".") and entry.is_file()
    )


def load_pretrained(name: str) -> Stencil:
    """Load the shipped operator ``name`` (see :func:`list_pretrained`).

    Raises:
        OperatorFileError: If there is no such operator (the message lists the valid names)
            or its file is invalid.
    """
    names = list_pretrained()
    if not isinstance(name, str) or name not in names:
        available = ", ".join(names) if names else "none yet (run 'make pretrained')"
        raise OperatorFileError(f"no pretrained operator named {name!r}; available: {available}")
    with resources.as_file(_folder() / f"{name}{_SUFFIX}") as path:
        return load_stencil(path)
