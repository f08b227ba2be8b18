"""Pieces shared by the CLI commands that build a problem from ``--operator`` options."""

from __future__ import annotations

from typing import Any

__all__ = ["equation_operator"]


def equation_operator(equation: str, specs: list[str], notes: list[str] | None = None) -> Any:
    """The operator an equation needs from one or two ``--operator`` specs.

    Advection takes one first-derivative operator. Heat takes a second-derivative operator,
    two first-derivative ones (composed: outer after inner), or one first-derivative operator,
    which is composed with itself (a note says so).

    Raises:
        ProblemError: On the wrong number of operators.
    """
    from learned_ops.cli.options import resolve_checked
    from solvers.errors import ProblemError

    ops = [resolve_checked(spec) for spec in specs]
    if equation == "advection":
        if len(ops) != 1:
            raise ProblemError(f"advection takes one --operator, got {len(ops)}")
        return ops[0]
    if len(ops) > 2:
        raise ProblemError(f"heat takes one or two --operator options, got {len(ops)}")
    if len(ops) == 2:
        return ops[0], ops[1]
    if ops[0].derivative_order == 1:
        if notes is not None:
            notes.append(f"composing {ops[0].name} with itself for u_xx")
        return ops[0], ops[0]
    return ops[0]
