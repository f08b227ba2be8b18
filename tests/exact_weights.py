"""Classical finite-difference weights in exact rationals, written for the tests alone.

Independent of ``learned_ops`` (Fornberg's recursion) and ``solvers`` (Lagrange polynomials):
the moment equations are solved here by Gauss-Jordan elimination on ``fractions.Fraction``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import factorial


def exact_weights(offsets: Sequence[int], m: int) -> list[Fraction]:
    """Weights w with sum_j w_j j**q = q! delta(q, m) for every q < len(offsets).

    Offsets are measured from the point where the derivative is taken (shift them to take it
    elsewhere, e.g. ``[x - at for x in nodes]`` for a one-sided closure at node ``at``).
    """
    n = len(offsets)
    rows = [[Fraction(o) ** q for o in offsets] + [Fraction(factorial(m) if q == m else 0)]
            for q in range(n)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                f = rows[r][col] / rows[col][col]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[k][n] / rows[k][k] for k in range(n)]
