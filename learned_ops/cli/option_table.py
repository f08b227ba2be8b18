"""One command-line option as data: its flags and argparse settings, declared once.

Commands add options from tables of :class:`Option` (:mod:`learned_ops.cli.shared_options`,
:mod:`learned_ops.cli.equations`) in the order their help lists them, so an option shared by
``simulate`` and ``converge`` has one flag, type, default and help text. Where the help (or a
default) means something different in one command, :attr:`Option.per_command` says so.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Option"]


@dataclass(frozen=True)
class Option:
    """One option, as :meth:`argparse.ArgumentParser.add_argument` takes it.

    Attributes:
        flags: The option strings, e.g. ``("--t-final",)``.
        help: The help text shared by every command.
        settings: Other ``add_argument`` keywords (``type``, ``default``, ``action``...).
        per_command: Keywords (``help`` included) that replace the shared ones in one command,
            keyed by the command's name.
    """

    flags: tuple[str, ...]
    help: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
    per_command: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def flag(self) -> str:
        """The first option string (the one messages name)."""
        return self.flags[0]

    @property
    def dest(self) -> str:
        """The attribute the parsed value lands in, e.g. ``t_final``."""
        return self.flag.lstrip("-").replace("-", "_")

    def keywords(self, command: str) -> dict[str, Any]:
        """The ``add_argument`` keywords of this option in ``command``."""
        return {"help": self.help, **self.settings, **self.per_command.get(command, {})}

    def add_to(self, parser: argparse.ArgumentParser | Any, command: str) -> None:
        """Add this option to ``parser`` (a parser or an argument group) of ``command``."""
        parser.add_argument(*self.flags, **self.keywords(command))
