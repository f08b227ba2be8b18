"""The two implementations of the moment rule agree: ``learned_ops.moments`` and
``solvers.operators``.

``solvers`` must stay usable without ``learned_ops``, so it verifies accuracy orders itself
(with an independent route to the exact classical weights: Lagrange polynomials instead of
Fornberg's recursion). Nothing but this test keeps the two in step: on random stencils, on the
exact textbook (Fornberg) stencils, on least-squares stencils of every order below the cap, and
on all of these perturbed to either side of the round-off tolerance, both must report the same
accuracy order, the same consistency verdict and the same first defective moment.
"""

from __future__ import annotations

from math import factorial
from types import SimpleNamespace

import numpy as np
import pytest

from learned_ops import moments as lo
from learned_ops.fornberg import fornberg_weights
from learned_ops.textbook import backward_stencil, central_stencil, forward_stencil
from solvers import operators as so

EPS = float(np.finfo(np.float64).eps)
RATIOS = (0.25, 0.5, 0.9, 0.99, 1.01, 1.1, 2.0, 4.0)
"""Perturbations as multiples of the allowed round-off of the moment they target."""


def _protocol(offsets, coefficients, m: int) -> SimpleNamespace:
    """A bare protocol object: no ``is_consistent`` of its own, so ``solvers`` judges it."""
    return SimpleNamespace(offsets=np.asarray(offsets, dtype=np.int64),
                           coefficients=np.asarray(coefficients, dtype=np.float64),
                           derivative_order=m)


def _verdicts(offsets, coefficients, m: int) -> tuple[tuple, tuple]:
    """(order, consistent, first defect index) by each implementation."""
    offsets = np.asarray(offsets, dtype=np.int64)
    coefficients = np.asarray(coefficients, dtype=np.float64)
    defect = lo.first_defect(offsets, coefficients, m)
    learned = (lo.accuracy_order(offsets, coefficients, m),
               defect is None or defect.index > m,
               None if defect is None else defect.index)
    op = _protocol(offsets, coefficients, m)
    own = so._first_defect(op.offsets, op.coefficients, m)
    ours = (so.accuracy_order_of(op), so.consistency_problem(op) is None,
            None if own is None else own[0])
    return learned, ours


def _random_offsets(rng: np.random.Generator, m: int) -> np.ndarray:
    n = int(rng.integers(max(2, m + 1), 10))  # 2..9 distinct offsets in [-5, 5]
    offsets = rng.choice(np.arange(-5, 6), size=n, replace=False)
    return offsets if rng.random() < 0.5 else np.sort(offsets)


def _least_squares(offsets: np.ndarray, m: int, rows: int) -> np.ndarray:
    """Least-norm float stencil meeting mu_q = delta(q, m) for q < rows (order >= rows - m)."""
    j = offsets.astype(np.float64)
    vander = np.array([j**q / factorial(q) for q in range(rows)])
    target = (np.arange(rows) == m).astype(np.float64)
    return np.linalg.lstsq(vander, target, rcond=None)[0]


def _near_the_tolerance(rng: np.random.Generator, offsets: np.ndarray,
                        c: np.ndarray, m: int) -> list[np.ndarray]:
    """``c`` with one coefficient moved by about the allowed round-off of one moment."""
    out = []
    cap = lo.order_cap(tuple(int(o) for o in offsets), m)
    top = 3 * len(offsets) if cap is None else cap
    for ratio in RATIOS:
        q = int(rng.integers(0, max(1, top)))
        candidates = np.flatnonzero(offsets != 0) if q > 0 else np.arange(len(offsets))
        k = int(rng.choice(candidates))
        powers = offsets.astype(np.float64) ** q / factorial(q)
        allowed = lo.DEFAULT_MOMENT_TOLERANCE * EPS * len(offsets) * np.sum(np.abs(c * powers))
        step = ratio * allowed / abs(powers[k]) * (1 if rng.random() < 0.5 else -1)
        moved = c.copy()
        moved[k] += step
        out.append(moved)
    for scale in (1e-15, 1e-13, 1e-12, 1e-11, 1e-9):  # relative noise on every weight
        out.append(c * (1.0 + scale * rng.standard_normal(c.size)))
    return out


def _cases(seed: int, count: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        m = int(rng.integers(1, 3))
        offsets = _random_offsets(rng, m)
        n = len(offsets)
        kind = rng.random()
        if kind < 0.15:  # arbitrary weights: almost always inconsistent
            c = rng.standard_normal(n)
        elif kind < 0.45:  # the exact Fornberg stencil on these offsets, rounded
            c = fornberg_weights(m, tuple(int(o) for o in offsets))
        else:  # a stencil of order rows - m, in float64 from a least-squares solve
            c = _least_squares(offsets, m, int(rng.integers(m, n + 1)))
        yield offsets, c, m
        for moved in _near_the_tolerance(rng, offsets, c, m):
            yield offsets, moved, m


def _textbook():
    for m in (1, 2):
        for p in (2, 4, 6, 8):
            yield central_stencil(m, p)
        for p in range(1, 8 - m):
            yield forward_stencil(m, p)
            yield backward_stencil(m, p)


@pytest.mark.parametrize("seed", range(4))
def test_random_stencils_and_their_perturbations(seed: int) -> None:
    disagreements = []
    orders: set[int] = set()
    verdicts: set[bool] = set()
    for offsets, c, m in _cases(seed, 60):
        learned, ours = _verdicts(offsets, c, m)
        if learned != ours:
            disagreements.append((offsets.tolist(), c.tolist(), m, learned, ours))
        orders.add(learned[0])
        verdicts.add(learned[1])
    assert not disagreements, disagreements[:5]
    assert verdicts == {True, False}
    assert len(orders) >= 5, orders


def test_textbook_stencils_exact_and_perturbed() -> None:
    rng = np.random.default_rng(2024)
    kept = dropped = 0
    for stencil in _textbook():
        offsets = np.asarray(stencil.offsets, dtype=np.int64)
        c = np.asarray(stencil.coefficients, dtype=np.float64)
        m = int(stencil.derivative_order)
        learned, ours = _verdicts(offsets, c, m)
        assert learned == ours, (stencil, learned, ours)
        assert learned[0] == stencil.accuracy_order >= 1
        for moved in _near_the_tolerance(rng, offsets, c, m):
            learned_moved, ours_moved = _verdicts(offsets, moved, m)
            assert learned_moved == ours_moved, (stencil, moved.tolist())
            if learned_moved[0] == learned[0]:
                kept += 1
            else:
                dropped += 1
    # the perturbations straddle the tolerance boundary
    assert kept
    assert dropped


def test_order_caps_agree_on_every_small_offset_set() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        m = int(rng.integers(1, 3))
        offsets = tuple(int(o) for o in _random_offsets(rng, m))
        assert lo.order_cap(offsets, m) == so._order_cap(offsets, m), offsets
