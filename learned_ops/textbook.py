"""Textbook (classical) finite-difference stencils: any derivative order, any offsets."""

from __future__ import annotations

from collections.abc import Sequence

from learned_ops.errors import StencilError
from learned_ops.fornberg import fornberg_weights
from learned_ops.stencil import Stencil

__all__ = ["backward_stencil", "central_stencil", "forward_stencil", "textbook_stencil"]


def textbook_stencil(derivative_order: int, offsets: Sequence[int], name: str = "") -> Stencil:
    """The classical stencil for the m-th derivative on the given offsets (Fornberg weights)."""
    offs = tuple(offsets)
    if isinstance(derivative_order, bool) or not isinstance(derivative_order, int):
        raise StencilError(f"derivative order must be an integer, got {derivative_order!r}")
    # Validate the offsets (integers, unique, sorted) before computing weights.
    Stencil(offs, [0.0] * len(offs), 0)
    weights = fornberg_weights(derivative_order, offs)
    label = name or f"fd:{derivative_order}:{','.join(str(o) for o in offs)}"
    return Stencil(
        offs,
        weights,
        derivative_order,
        name=label,
        description=f"textbook stencil (Fornberg weights), offsets {list(offs)}",
        provenance={"method": "fornberg"},
    )


def _check_accuracy(accuracy: object) -> int:
    if isinstance(accuracy, bool) or not isinstance(accuracy, int) or accuracy < 1:
        raise StencilError(f"accuracy order must be an integer >= 1, got {accuracy!r}")
    return accuracy


def central_stencil(derivative_order: int, accuracy: int) -> Stencil:
    """Central stencil of the given (even) accuracy order, e.g. (1, 2) -> [-1/2, 0, 1/2]."""
    p = _check_accuracy(accuracy)
    if p % 2:
        raise StencilError(
            f"central stencils have even accuracy orders; got {p}. Ask for {p - 1 or 2} or "
            f"{p + 1}, or use forward_stencil/backward_stencil for odd orders"
        )
    if derivative_order < 1:
        raise StencilError(f"derivative order must be >= 1, got {derivative_order}")
    radius = (derivative_order + 1) // 2 - 1 + p // 2
    return textbook_stencil(
        derivative_order, range(-radius, radius + 1), name=f"central-m{derivative_order}-p{p}"
    )


def forward_stencil(derivative_order: int, accuracy: int) -> Stencil:
    """One-sided forward stencil on offsets 0 .. m + p - 1."""
    p = _check_accuracy(accuracy)
    return textbook_stencil(
        derivative_order, range(derivative_order + p), name=f"forward-m{derivative_order}-p{p}"
    )


def backward_stencil(derivative_order: int, accuracy: int) -> Stencil:
    """One-sided backward stencil on offsets -(m + p - 1) .. 0."""
    p = _check_accuracy(accuracy)
    return textbook_stencil(
        derivative_order,
        range(-(derivative_order + p - 1), 1),
        name=f"backward-m{derivative_order}-p{p}",
    )
