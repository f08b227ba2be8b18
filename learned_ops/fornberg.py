"""Textbook finite-difference weights by Fornberg's algorithm, in exact rational arithmetic.

Fornberg (1988), "Generation of finite difference formulas on arbitrarily spaced grids".
Offsets are integers, so the recursion runs on :class:`fractions.Fraction` and every weight is
the correctly rounded float of the exact rational: the tables are reproduced bit for bit.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np

from learned_ops.errors import StencilError

__all__ = ["fornberg_weights", "fornberg_weights_exact"]


def fornberg_weights_exact(
    derivative_order: int, offsets: tuple[int, ...], x0: Fraction | int = 0
) -> tuple[Fraction, ...]:
    """Exact weights approximating the derivative at ``x0`` from values at ``offsets``.

    Args:
        derivative_order: The derivative order m >= 0.
        offsets: Distinct integer node positions (unit spacing).
        x0: Where the derivative is approximated, in units of the spacing.

    Returns:
        One exact rational weight per offset.

    Raises:
        StencilError: If the offsets cannot support the derivative order.
    """
    if isinstance(derivative_order, bool) or not isinstance(derivative_order, (int, np.integer)):
        raise StencilError(f"derivative order must be an integer, got {derivative_order!r}")
    nodes = []
    for o in offsets:
        if isinstance(o, bool) or not isinstance(o, (int, np.integer, float, np.floating)) or (
            not float(o).is_integer()
        ):
            raise StencilError(f"offsets must be integers, got {o!r} (no rounding is done)")
        nodes.append(int(o))
    try:
        point = Fraction(x0)
    except (TypeError, ValueError, OverflowError):
        raise StencilError(f"x0 must be a finite number, got {x0!r}") from None
    return _weights(int(derivative_order), tuple(nodes), point)


@lru_cache(maxsize=1024)
def _weights(m: int, nodes: tuple[int, ...], x0: Fraction) -> tuple[Fraction, ...]:
    if m < 0:
        raise StencilError(f"derivative order must be >= 0, got {m}")
    if len(set(nodes)) != len(nodes):
        raise StencilError(f"offsets must be distinct, got {list(nodes)}")
    if len(nodes) < m + 1:
        raise StencilError(
            f"a derivative of order {m} needs at least {m + 1} offsets, got {len(nodes)} "
            f"({list(nodes)}); add offsets"
        )
    n = len(nodes)
    delta = [[[Fraction(0)] * n for _ in range(n)] for _ in range(m + 1)]
    delta[0][0][0] = Fraction(1)
    c1 = Fraction(1)
    for i in range(1, n):
        c2 = Fraction(1)
        for j in range(i):
            c3 = Fraction(nodes[i] - nodes[j])
            c2 *= c3
            for k in range(min(i, m) + 1):
                prev = delta[k - 1][i - 1][j] if k > 0 else Fraction(0)
                delta[k][i][j] = ((nodes[i] - x0) * delta[k][i - 1][j] - k * prev) / c3
        for k in range(min(i, m) + 1):
            prev = delta[k - 1][i - 1][i - 1] if k > 0 else Fraction(0)
            delta[k][i][i] = c1 / c2 * (k * prev - (nodes[i - 1] - x0) * delta[k][i - 1][i - 1])
        c1 = c2
    return tuple(delta[m][n - 1])


def fornberg_weights(
    derivative_order: int, offsets: tuple[int, ...] | list[int], x0: float | Fraction = 0
) -> np.ndarray:
    """Float64 weights (correctly rounded from the exact rationals); see the exact variant."""
    exact = fornberg_weights_exact(derivative_order, tuple(offsets), Fraction(x0))
    return np.array([float(w) for w in exact], dtype=np.float64)
