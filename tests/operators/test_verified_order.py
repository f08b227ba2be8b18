"""The verified accuracy order: capped at what the offsets allow, judged relative to round-off.

Expected orders come from an exact Vandermonde solve written here (Gaussian elimination in
fractions.Fraction), independent of Fornberg's recursion (``learned_ops``) and of the Lagrange
route (``solvers``).
"""

from __future__ import annotations

import json
from fractions import Fraction
from math import factorial

import numpy as np
import pytest

import solvers.operators as sops
from learned_ops import Stencil, central_stencil, forward_stencil, textbook_stencil
from learned_ops import moments as lmoments
from learned_ops.errors import NothingToLearnError, OperatorFileError
from learned_ops.operator_file import parse_stencil_json, stencil_to_dict
from learned_ops.pretrained import list_pretrained, load_pretrained
from learned_ops.training.constraints import stencil_space
from tests.exact_weights import exact_weights


def true_order(offsets: tuple[int, ...], m: int) -> int | None:
    """Exact order of the classical stencil (None: exact on every polynomial tried)."""
    w = exact_weights(offsets, m)
    for q in range(4 * len(offsets) + 4):
        if sum(wj * Fraction(o) ** q for wj, o in zip(w, offsets, strict=True)) != (
            factorial(m) if q == m else 0
        ):
            return q - m
    return None


def _offset_sets() -> list[tuple[tuple[int, ...], int]]:
    cases = []
    for n in (3, 5, 8, 11, 16, 21, 25, 29, 31):
        for m in (1, 2, 3):
            if n > m:
                cases += [(tuple(range(-(n // 2), n - n // 2)), m), (tuple(range(n)), m),
                          (tuple(range(-1, n - 1)), m)]
    cases += [((-2, 0, 2), 1), ((-3, -1, 1, 3), 2), ((-4, -1, 0, 1, 4), 1), ((0, 2, 5), 2)]
    return cases


TEXTBOOK = _offset_sets()


@pytest.mark.parametrize(("offsets", "m"), TEXTBOOK, ids=str)
def test_textbook_order_is_the_exact_one(offsets, m) -> None:
    """Case 6: never above what the offsets allow; never below for the classical stencil."""
    want = true_order(offsets, m)
    stencil = textbook_stencil(m, offsets)
    assert stencil.accuracy_order == want, f"{offsets}, m={m}: exact order {want}"
    assert sops.accuracy_order_of(stencil) == want
    assert lmoments.order_cap(offsets, m) == want + m


@pytest.mark.parametrize(("stencil", "order"), [
    (central_stencil(1, 28), 28), (central_stencil(1, 30), 30), (forward_stencil(1, 24), 24),
    (central_stencil(2, 2), 2), (forward_stencil(2, 1), 1),
])
def test_issue_cases(stencil: Stencil, order: int) -> None:
    """29 and 31 central taps: orders 28 and 30 (not 29, 31); 25 one-sided taps: 24 (not 28)."""
    assert stencil.accuracy_order == order
    defect = stencil.leading_defect()
    assert defect is not None
    assert defect.index == stencil.derivative_order + order
    want = exact_weights(stencil.offsets, stencil.derivative_order)
    mu = sum(w * Fraction(o) ** defect.index for w, o in zip(want, stencil.offsets, strict=True))
    mu /= factorial(defect.index)
    # the value is the exact moment of the rounded weights: the classical defect up to rounding
    bound = sum(abs(w) * abs(o) ** defect.index for w, o in zip(want, stencil.offsets, strict=True))
    assert abs(defect.value - float(mu)) <= 2 * np.finfo(float).eps * float(
        bound / factorial(defect.index)
    )


def test_file_recording_thirty_for_31_central_taps_loads() -> None:
    """A correct file is not called 'corrupted'; one recording the old overclaim is refused."""
    stencil = central_stencil(1, 30)
    data = stencil_to_dict(stencil)
    data["accuracy_order"] = true_order(stencil.offsets, 1)  # 30, computed independently
    assert parse_stencil_json(json.dumps(data)) == stencil
    data["accuracy_order"] = 31
    with pytest.raises(OperatorFileError, match="records accuracy order 31"):
        parse_stencil_json(json.dumps(data))


def _top_moment_stencil(offsets: tuple[int, ...], q: int) -> np.ndarray:
    """Weights whose moments are delta(k, q) for k < taps (exact, then rounded)."""
    return np.array([float(w) for w in exact_weights(offsets, q)])


@pytest.mark.parametrize(("offsets", "m"), [((-3, -2, -1, 0, 1, 2, 3), 1),
                                            ((-2, -1, 0, 1, 2), 2), ((0, 1, 2, 3, 4), 1)])
def test_a_defect_small_in_absolute_terms_is_seen(offsets, m) -> None:
    """Below the cap the tolerance is relative to the terms summed: no absolute floor.

    Adding delta * D (D has moments delta(k, q) for k < taps, q = taps - 1) moves mu_q by
    delta and nothing below, so the true order is q - m for every delta != 0. delta = 1e-10
    passed the old 1e-9 floor; it is about 1e5 times the round-off of these sums.
    """
    base = textbook_stencil(m, offsets)
    q = len(offsets) - 1
    c = base.coefficients + 1e-10 * _top_moment_stencil(offsets, q)
    assert Stencil(offsets, c, m).accuracy_order == q - m
    assert sops.accuracy_order_of(Stencil(offsets, c, m)) == q - m
    assert Stencil(offsets, c, m).leading_defect().index == q


def test_exact_operators_stay_exact() -> None:
    for offsets in [(0,), (-1, 0, 1), (-3, -2, -1, 0, 1, 2, 3), (0, 1, 2, 3)]:
        c = [1.0 if o == 0 else 0.0 for o in offsets]
        s = Stencil(offsets, c, 0)
        assert s.leading_defect() is None
        assert s.accuracy_order == len(offsets) + 1 == sops.accuracy_order_of(s)
        assert sops.consistency_problem(s) is None


def test_stencil_space_builds_every_ordinary_request() -> None:
    """Case 7: ``stencil_space(tuple(range(11)), 2, 2)`` raised an internal error."""
    space = stencil_space(tuple(range(11)), 2, 2)
    want = [float(w) for w in exact_weights(tuple(range(11)), 2)]
    assert space.base.tolist() == want  # both correctly rounded from the same rational
    for taps in range(3, 22):
        for left in range(taps):
            offsets = tuple(range(-left, taps - left))
            for m in (1, 2, 3):
                for p in range(1, taps - m):
                    try:
                        stencil_space(offsets, m, p)
                    except NothingToLearnError:
                        pass


@pytest.mark.parametrize("taps", [5, 9, 13, 17])
def test_members_of_a_constrained_space_verify_their_order(taps: int) -> None:
    """The tolerance is not too tight for trained stencils (float64 null-space basis)."""
    rng = np.random.default_rng(taps)
    offsets = tuple(range(-(taps // 2), taps - taps // 2))
    for m, p in [(1, 2), (2, 2), (1, taps - 3)]:
        space = stencil_space(offsets, m, p)
        for scale in (3.0, 1e-3):
            c = space.coefficients(rng.normal(scale=scale, size=space.dim))
            assert Stencil(offsets, c, m).accuracy_order >= p


def _agreement_cases() -> list[tuple[tuple[int, ...], np.ndarray, int]]:
    rng = np.random.default_rng(12)
    cases = []
    for offsets, m in TEXTBOOK:
        c = textbook_stencil(m, offsets).coefficients
        cases.append((offsets, c, m))
        for size in (1e-15, 1e-12, 1e-8, 1e-3):
            cases.append((offsets, c * (1 + size * rng.normal(size=c.size)), m))
    for name in list_pretrained():
        s = load_pretrained(name)
        cases.append((s.offsets, s.coefficients, s.derivative_order))
    return cases


def test_learned_ops_and_solvers_agree() -> None:
    """The moment rule exists twice (solvers never imports learned_ops): same order, same
    first defect, on textbook, randomly perturbed and pretrained stencils."""
    for offsets, c, m in _agreement_cases():
        s = Stencil(offsets, c, m)
        ours = s.leading_defect()
        theirs = sops._first_defect(np.array(offsets), c, m)
        assert s.accuracy_order == sops.accuracy_order_of(s), (offsets, m)
        assert (ours.index, ours.value) == theirs, (offsets, m)


def test_the_cap_is_cached() -> None:
    lmoments.order_cap.cache_clear()
    for _ in range(3):
        assert Stencil(tuple(range(-15, 16)), central_stencil(1, 30).coefficients, 1
                       ).accuracy_order == 30
    assert lmoments.order_cap.cache_info().misses == 1
