"""The options ``simulate`` and ``converge`` share, each declared once.

A command adds them with :func:`add_shared` in the order its help lists them; the options of
each equation (``--velocity``, ``--diffusivity``...) come from :mod:`learned_ops.cli.equations`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from learned_ops.cli.option_table import Option

__all__ = ["PLOT_SUFFIXES", "SHARED_OPTIONS", "add_shared", "check_plot_target"]

PLOT_SUFFIXES: tuple[str, ...] = (".png", ".pdf", ".svg")

_OPTIONS: tuple[Option, ...] = (
    Option(
        ("--operator",),
        settings={"action": "append", "required": True, "metavar": "OPERATOR"},
        per_command={
            "simulate": {"help": "name, file or fd:M:OFFSETS (heat: give two first-derivative "
                                 "operators to compose them)"},
            "converge": {"help": "name, file or fd:M:OFFSETS (heat: one or two first-derivative "
                                 "operators are composed)"},
        },
    ),
    Option(
        ("--t-final",),
        settings={"type": float, "default": None},
        per_command={
            "simulate": {"help": "final time (default 1, the same problem as converge and demo)"},
            "converge": {"help": "final time (default 1, the same problem as simulate and demo)"},
        },
    ),
    Option(("--stepper",), "euler, heun (ssprk2), ssprk3 or rk4 (default rk4)",
           {"default": "rk4"}),
    Option(
        ("--ic",),
        per_command={
            "simulate": {"help": "initial condition: sinusoid (seeded seed family), mode[:K], "
                                 "bump, cole-hopf[:A=1.5,k=1] (burgers' exact wave; default "
                                 "sinusoid, burgers: cole-hopf)"},
            "converge": {"help": "initial condition: mode[:K], bump, sinusoid or (burgers) "
                                 "cole-hopf[:A=1.5,k=1] (default: a smooth one chosen for the "
                                 "problem)"},
        },
    ),
    Option(("--boundary",),
           "periodic, or bounded: Dirichlet ends (heat) / inflow (advection), values taken from "
           "the initial condition",
           {"choices": ("periodic", "bounded"), "default": "periodic"}),
    Option(
        ("--allow-unstable",),
        settings={"action": "store_true"},
        per_command={
            "simulate": {"help": "run even with a dt beyond the stability limit"},
            "converge": {"help": "run beyond the stability limit (needs --number) to see a "
                                 "divergence"},
        },
    ),
    Option(("--allow-long",),
           "run even when the estimated work is over half an hour (2e12 point updates); without "
           "it such a run is refused up front with the estimate",
           {"action": "store_true"}),
    Option(
        ("--plot",),
        settings={"metavar": "FILE.png"},
        per_command={
            "simulate": {"help": "plot the final state to FILE"},
            "converge": {"help": "log-log plot of error against h / dt"},
        },
    ),
    Option(("--force",), "overwrite an existing --plot file", {"action": "store_true"}),
    Option(("--json",), "print one JSON object on stdout", {"action": "store_true"}),
    Option(
        ("--quiet",),
        settings={"action": "store_true"},
        per_command={
            "simulate": {"help": "no progress or warnings on stderr"},
            "converge": {"help": "no progress or notes on stderr"},
        },
    ),
)

SHARED_OPTIONS: dict[str, Option] = {option.flag: option for option in _OPTIONS}
"""Flag -> option, for every option ``simulate`` and ``converge`` share."""


def add_shared(parser: argparse.ArgumentParser, command: str, *flags: str) -> None:
    """Add the shared options named by ``flags`` to ``command``'s parser, in that order.

    Raises:
        KeyError: On a flag that is not a shared option.
    """
    for flag in flags:
        SHARED_OPTIONS[flag].add_to(parser, command)


def check_plot_target(plot: str | None, *, overwrite: bool) -> None:
    """Refuse a ``--plot`` file name of the wrong kind, or one that cannot be written, up front.

    Raises:
        SolverError: If the name does not end in one of :data:`PLOT_SUFFIXES`.
        OperatorFileError: If the file exists (without ``overwrite``) or its folder is not
            writable.
    """
    if not plot:
        return
    import solvers
    from learned_ops.atomic import check_target

    if Path(plot).suffix.lower() not in PLOT_SUFFIXES:
        raise solvers.SolverError(
            f"--plot {plot}: use a file name ending in {', '.join(PLOT_SUFFIXES)}"
        )
    check_target(plot, overwrite=overwrite, probe=True)  # before any work
