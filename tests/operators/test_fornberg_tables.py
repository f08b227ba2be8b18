"""Fornberg weights against the published tables (Fornberg 1988; Wikipedia "Finite
difference coefficient"). The values below are typed from those tables, never computed."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from learned_ops import (
    backward_stencil,
    central_stencil,
    fornberg_weights,
    fornberg_weights_exact,
    forward_stencil,
)

# (derivative order, accuracy order) -> weights on offsets -r..r
CENTRAL = {
    (1, 2): [F(-1, 2), 0, F(1, 2)],
    (1, 4): [F(1, 12), F(-2, 3), 0, F(2, 3), F(-1, 12)],
    (1, 6): [F(-1, 60), F(3, 20), F(-3, 4), 0, F(3, 4), F(-3, 20), F(1, 60)],
    (1, 8): [F(1, 280), F(-4, 105), F(1, 5), F(-4, 5), 0, F(4, 5), F(-1, 5), F(4, 105), F(-1, 280)],
    (2, 2): [1, -2, 1],
    (2, 4): [F(-1, 12), F(4, 3), F(-5, 2), F(4, 3), F(-1, 12)],
    (2, 6): [F(1, 90), F(-3, 20), F(3, 2), F(-49, 18), F(3, 2), F(-3, 20), F(1, 90)],
    (2, 8): [
        F(-1, 560),
        F(8, 315),
        F(-1, 5),
        F(8, 5),
        F(-205, 72),
        F(8, 5),
        F(-1, 5),
        F(8, 315),
        F(-1, 560),
    ],
    (3, 2): [F(-1, 2), 1, 0, -1, F(1, 2)],
    (3, 4): [F(1, 8), -1, F(13, 8), 0, F(-13, 8), 1, F(-1, 8)],
    (3, 6): [
        F(-7, 240),
        F(3, 10),
        F(-169, 120),
        F(61, 30),
        0,
        F(-61, 30),
        F(169, 120),
        F(-3, 10),
        F(7, 240),
    ],
    (4, 2): [1, -4, 6, -4, 1],
    (4, 4): [F(-1, 6), 2, F(-13, 2), F(28, 3), F(-13, 2), 2, F(-1, 6)],
    (4, 6): [
        F(7, 240),
        F(-2, 5),
        F(169, 60),
        F(-122, 15),
        F(91, 8),
        F(-122, 15),
        F(169, 60),
        F(-2, 5),
        F(7, 240),
    ],
}

# (derivative order, accuracy order) -> weights on offsets 0..m+p-1
FORWARD = {
    (1, 1): [-1, 1],
    (1, 2): [F(-3, 2), 2, F(-1, 2)],
    (1, 3): [F(-11, 6), 3, F(-3, 2), F(1, 3)],
    (1, 4): [F(-25, 12), 4, -3, F(4, 3), F(-1, 4)],
    (1, 5): [F(-137, 60), 5, -5, F(10, 3), F(-5, 4), F(1, 5)],
    (1, 6): [F(-49, 20), 6, F(-15, 2), F(20, 3), F(-15, 4), F(6, 5), F(-1, 6)],
    (2, 1): [1, -2, 1],
    (2, 2): [2, -5, 4, -1],
    (2, 3): [F(35, 12), F(-26, 3), F(19, 2), F(-14, 3), F(11, 12)],
    (2, 4): [F(15, 4), F(-77, 6), F(107, 6), -13, F(61, 12), F(-5, 6)],
    (3, 1): [-1, 3, -3, 1],
    (3, 2): [F(-5, 2), 9, -12, 7, F(-3, 2)],
    (3, 3): [F(-17, 4), F(71, 4), F(-59, 2), F(49, 2), F(-41, 4), F(7, 4)],
    (3, 4): [F(-49, 8), 29, F(-461, 8), 62, F(-307, 8), 13, F(-15, 8)],
    (4, 1): [1, -4, 6, -4, 1],
    (4, 2): [3, -14, 26, -24, 11, -2],
    (4, 3): [F(35, 6), -31, F(137, 2), F(-242, 3), F(107, 2), -19, F(17, 6)],
    (4, 4): [F(28, 3), F(-111, 2), 142, F(-1219, 6), 176, F(-185, 2), F(82, 3), F(-7, 2)],
}


def _check(weights: list, offsets: tuple[int, ...], m: int) -> None:
    table = [F(w) for w in weights]
    assert fornberg_weights_exact(m, offsets) == tuple(table)
    floats = fornberg_weights(m, offsets)
    np.testing.assert_allclose(floats, [float(w) for w in table], rtol=0, atol=1e-13)


@pytest.mark.parametrize(("m", "p"), sorted(CENTRAL))
def test_central_matches_table(m: int, p: int) -> None:
    weights = CENTRAL[(m, p)]
    r = len(weights) // 2
    _check(weights, tuple(range(-r, r + 1)), m)
    stencil = central_stencil(m, p)
    assert stencil.offsets == tuple(range(-r, r + 1))
    assert stencil.accuracy_order == p
    assert stencil.coefficients.tolist() == [float(F(w)) for w in weights]


@pytest.mark.parametrize(("m", "p"), sorted(FORWARD))
def test_forward_and_backward_match_table(m: int, p: int) -> None:
    weights = FORWARD[(m, p)]
    _check(weights, tuple(range(len(weights))), m)
    assert forward_stencil(m, p).accuracy_order == p
    # Backward tables: reverse the forward ones, negated for odd derivative orders.
    sign = -1 if m % 2 else 1
    backward = [sign * F(w) for w in reversed(weights)]
    _check(backward, tuple(range(-(len(weights) - 1), 1)), m)
    stencil = backward_stencil(m, p)
    assert stencil.coefficients.tolist() == [float(w) for w in backward]
    assert stencil.accuracy_order == p
