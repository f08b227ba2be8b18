"""Sphinx configuration of the API reference (``make docs``; the README stays the tour)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

project = "learned-ops"
author = "learned-ops developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon"]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_mock_imports = ["tensorflow", "keras"]
exclude_patterns = ["_build", "figures", "*.md"]
html_theme = "alabaster"
suppress_warnings = ["ref.python"]  # cross-references to names outside the documented API


def _escape_bars(app: object, what: str, name: str, obj: object, options: object,
                 lines: list[str]) -> None:
    """Docstrings write absolute values as ``|x|``; reST would read a substitution: escape."""
    for i, line in enumerate(lines):
        parts = line.split("``")
        lines[i] = "``".join(p if k % 2 else p.replace("|", r"\|")
                             for k, p in enumerate(parts))


def setup(app: object) -> None:
    """Register the docstring filter."""
    app.connect("autodoc-process-docstring", _escape_bars)  # type: ignore[attr-defined]
