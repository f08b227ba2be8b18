"""Protocol operators for the Burgers tests: the classical central weights (written out in
``solvers.reference``) as bare objects, so these tests do not need ``learned_ops``."""

from __future__ import annotations

from fractions import Fraction

from solvers.reference import CENTRAL_FIRST, CENTRAL_SECOND


class Op:
    """A bare protocol operator: offsets -r..r with the given weights."""

    def __init__(self, derivative_order: int, weights: list[Fraction]) -> None:
        radius = len(weights) // 2
        self.offsets = list(range(-radius, radius + 1))
        self.coefficients = [float(w) for w in weights]
        self.derivative_order = derivative_order


def d1(accuracy: int) -> Op:
    """The central first derivative of ``accuracy`` 2, 4 or 6."""
    return Op(1, CENTRAL_FIRST[accuracy])


def d2(accuracy: int) -> Op:
    """The central second derivative of ``accuracy`` 2, 4 or 6."""
    return Op(2, CENTRAL_SECOND[accuracy])
