"""Property-based tests of the Stencil with hypothesis (modest example counts, no deadline)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from learned_ops import (
    BOUNDARY_MODES,
    InputArrayError,
    LearnedOpsError,
    Stencil,
    stencil_from_dict,
    stencil_to_dict,
    textbook_stencil,
)
from learned_ops.operator_file import parse_stencil_json, stencil_to_json

SETTINGS = settings(max_examples=40, deadline=None)
finite = st.integers(-8000, 8000).map(lambda k: k / 8)  # exact, no underflow under seterr
any_float = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True)


@st.composite
def stencils(draw, coefficients=finite) -> Stencil:
    m = draw(st.integers(0, 3))
    offsets = draw(st.lists(st.integers(-4, 4), min_size=m + 1, max_size=7, unique=True))
    coeffs = draw(st.lists(coefficients, min_size=len(offsets), max_size=len(offsets)))
    return Stencil(tuple(sorted(offsets)), coeffs, m)


@st.composite
def textbook(draw) -> Stencil:
    m = draw(st.integers(0, 3))
    offsets = draw(st.lists(st.integers(-4, 4), min_size=m + 1, max_size=6, unique=True))
    return textbook_stencil(m, sorted(offsets))


def fields(n_min: int = 12):
    return arrays(np.float64, st.integers(n_min, 40), elements=finite)


@SETTINGS
@given(stencils(), fields(), fields(), finite, st.sampled_from(BOUNDARY_MODES))
def test_linearity(s: Stencil, u, v, a, boundary) -> None:
    n = min(u.size, v.size)
    u, v = u[:n], v[:n]
    lhs = s(a * u + v, boundary=boundary)
    rhs = a * s(u, boundary=boundary) + s(v, boundary=boundary)
    scale = np.abs(s.coefficients).sum() * (abs(a) * np.abs(u).max() + np.abs(v).max()) + 1
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=1e-12 * scale * 10)


@SETTINGS
@given(textbook(), st.sampled_from(BOUNDARY_MODES[1:]), st.floats(0.05, 2.0))
def test_exact_on_polynomials(s: Stencil, boundary, h) -> None:
    """Whatever order is claimed, x**d comes out exact for every d < m + p, to round-off.

    Grid x_i = h (i - n // 2), spacing h. A moment defect delta at q shifts the output by
    q! delta h**(q - m), far above the round-off allowed (about (taps + d + m + 4) eps times
    the terms summed, |A| |f| with A the operator's matrix, closures included).
    """
    m, p = s.derivative_order, s.accuracy_order
    n = max(s.min_points(boundary), 12)
    x = h * (np.arange(n) - n // 2)
    # valid: output k belongs to grid point k - min(offsets)
    start = -s.offsets[0] if boundary == "valid" else 0
    count = n - s.span if boundary == "valid" else n
    xo = h * (np.arange(start, start + count) - n // 2)
    terms = abs(s.matrix(n, h, boundary))
    eps = np.finfo(np.float64).eps
    for degree in range(m + p):
        exact = np.zeros(count)
        if degree >= m:
            exact = np.prod(np.arange(degree - m + 1, degree + 1)) * xo ** (degree - m)
        got = s(x**degree, h, boundary=boundary)
        size = terms @ np.abs(x**degree) + np.abs(exact)
        allowed = 2 * (s.taps + degree + m + 4) * eps * size
        assert np.all(np.abs(got - exact) <= allowed), (
            f"degree {degree} < m + p = {m + p}: worst excess "
            f"{np.max(np.abs(got - exact) / allowed):.3g} x the round-off allowed"
        )


@SETTINGS
@given(stencils(), fields(), st.sampled_from(BOUNDARY_MODES), st.floats(0.01, 10.0))
def test_matrix_equals_apply(s: Stencil, u, boundary, h) -> None:
    if u.size < s.min_points(boundary):
        u = np.resize(u, s.min_points(boundary))
    want = s.matrix(u.size, h, boundary) @ u
    scale = (np.abs(s.coefficients).sum() + 1) * (np.abs(u).max() + 1) * h**-s.derivative_order
    np.testing.assert_allclose(s(u, h, boundary=boundary), want, rtol=0, atol=1e-13 * scale)


@SETTINGS
@given(stencils(), fields(), st.integers(-50, 50))
def test_shift_equivariance_periodic(s: Stencil, u, shift) -> None:
    scale = (np.abs(s.coefficients).sum() + 1) * (np.abs(u).max() + 1)
    np.testing.assert_allclose(
        s(np.roll(u, shift)), np.roll(s(u), shift), rtol=0, atol=1e-13 * scale
    )


@SETTINGS
@given(stencils(coefficients=any_float), st.text(max_size=20))
def test_json_round_trip_bit_exact(s: Stencil, name) -> None:
    s = s.with_metadata(name=name, provenance={"x": [1.5, name]})
    back = parse_stencil_json(stencil_to_json(s))
    assert back.coefficients.tobytes() == s.coefficients.tobytes()
    assert back.name == name
    assert dict(back.provenance) == {"x": [1.5, name]}
    assert stencil_from_dict(stencil_to_dict(s)) == s


@SETTINGS
@given(stencils(), stencils(), st.lists(st.floats(-np.pi, np.pi), min_size=1, max_size=8))
def test_symbol_of_composition_is_product(a: Stencil, b: Stencil, theta) -> None:
    t = np.array(theta)
    scale = (np.abs(a.coefficients).sum() + 1) * (np.abs(b.coefficients).sum() + 1)
    with np.errstate(under="ignore"):  # products of subnormal sines
        product = a.symbol(t) * b.symbol(t)
    np.testing.assert_allclose((a @ b).symbol(t), product, rtol=0, atol=1e-12 * scale)


def _by_definition(s: Stencil, v: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """sum_j c_j h**-m v[i + o_j mod n] along the last axis, and the sizes of the terms summed
    (sum_j |c_j h**-m v[i + o_j]|); written from the definition, not through the package."""
    scaled = s.coefficients * h**-s.derivative_order  # h a power of 2 <= 1: exact
    shifted = [np.roll(v, -o, axis=-1) for o in s.offsets]
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        want = sum(c * w for c, w in zip(scaled, shifted, strict=True))
        size = sum(abs(c) * np.abs(w) for c, w in zip(scaled, shifted, strict=True))
    return want, size


def interior(offsets: tuple[int, ...], n: int) -> slice:
    """The rows whose stencil fits on the grid (one-sided mode applies the stencil there)."""
    start, stop = max(0, -offsets[0]), min(n, n - offsets[-1])
    return slice(start, max(start, stop))


def _assert_sums_agree(got, want, size, taps: int, what: str) -> None:
    """Two evaluations of sums of ``taps`` products, in any order, differ by at most
    2 gamma_taps (about 2 taps eps) times the terms' sizes, plus half a subnormal per product
    (products that underflow are rounded absolutely). Rows whose terms could overflow
    (size > max / 4) are left out: the package does not refuse them, and inf/nan there is
    not compared."""
    eps, tiny = np.finfo(np.float64).eps, np.finfo(np.float64).smallest_subnormal
    fits = size <= np.finfo(np.float64).max / 4
    got, want, size = got[fits], want[fits], size[fits]
    with np.errstate(under="ignore"):
        allowed = 2 * taps * eps * (1 + 2 * taps * eps) * size + taps * tiny
    excess = np.abs(got - want) - allowed
    assert np.all(excess <= 0), (
        f"{what}: worst |difference| - allowed = {excess.max():.3g} (allowed there "
        f"{allowed[excess.argmax()]:.3g})"
    )


weights = st.one_of(finite, any_float.filter(lambda c: c == 0 or abs(c) >= 1e-280))
"""Exact small weights, or any magnitude up to float64's largest; weights below 1e-280 are
left to test_tiny_weights_have_an_accuracy_order (their moment check underflows)."""


@settings(max_examples=150, deadline=None)  # about 40% reach the comparisons
@given(stencils(weights), fields(1), st.sampled_from(BOUNDARY_MODES), st.integers(-2, 1),
       st.integers(0, 3))
def test_random_stencils_apply_as_defined_or_are_refused(
    s: Stencil, u, boundary, axis, k
) -> None:
    """u[None, :] along either axis, h = 2**-k (so c h**-m is exact unless it overflows).

    Too few points along the axis: InputArrayError saying how many are needed. Some
    c h**-m beyond float64: numpy's overflow (the suite runs under np.seterr(all="raise")).
    Otherwise a float64 array of the right shape whose rows are sum_j c_j h**-m u[i + o_j]
    (periodic: wrapped; valid: the rows that fit; one-sided: so on the interior rows) and,
    for every mode, the matrix's rows, to the round-off of the terms summed.
    """
    h, x = 2.0**-k, u[None, :]
    n, grid_last = x.shape[axis], axis % 2 == 1
    if n < s.min_points(boundary):
        with pytest.raises(InputArrayError, match=f"needs at least {s.min_points(boundary)}"):
            s(x, h, boundary=boundary, axis=axis)
        return
    if np.abs(s.coefficients).max() > np.finfo(np.float64).max * h**s.derivative_order:
        with pytest.raises(FloatingPointError, match="overflow"):
            s(x, h, boundary=boundary, axis=axis)
        return
    out = s(x, h, boundary=boundary, axis=axis)
    v, got = (x, out) if grid_last else (x.T, out.T)  # the grid along the last axis
    assert out.dtype == np.float64
    assert got.shape == (v.shape[0], n - s.span if boundary == "valid" else n)
    want, size = _by_definition(s, v, h)
    if boundary == "valid":  # output k belongs to grid point k - min(offsets)
        points = (np.arange(n - s.span) - s.offsets[0]) % n
        _assert_sums_agree(got, want[:, points], size[:, points], s.taps, "valid rows")
    else:  # one-sided: the interior rows, where the stencil fits
        rows = slice(0, n) if boundary == "periodic" else interior(s.offsets, n)
        _assert_sums_agree(got[:, rows], want[:, rows], size[:, rows], s.taps, boundary)
    matrix = s.matrix(n, h, boundary)
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        by_matrix, size = (matrix @ v.T).T, (abs(matrix) @ np.abs(v).T).T
    per_row = int(np.diff(matrix.indptr).max())
    _assert_sums_agree(got, by_matrix, size, per_row, f"{boundary}: apply vs matrix @ u")


def test_tiny_weights_have_an_accuracy_order() -> None:
    """mu_1 = 1e-300, not 1: inconsistent, order 0 (and applying it one-sided needs it); the
    moment allowance underflowed under np.seterr(all="raise") (found by the fuzzer above)."""
    from solvers.operators import accuracy_order_of
    from tests.solvers.fakes import BareOperator

    s = Stencil((-1, 0, 1), [-0.5e-300, 0.0, 0.5e-300], 1)
    assert s.accuracy_order == 0
    assert accuracy_order_of(BareOperator((-1, 0, 1), np.array([-0.5e-300, 0.0, 0.5e-300]), 1)) == 0


bad_offsets = st.one_of(
    st.just((0, 0, 1)), st.just((1, 0)), st.just((0, 0.5)), st.just(("a", 1)), st.just(())
)
bad_coefficients = st.one_of(
    st.just([np.nan, 1.0]),
    st.just([np.inf, 1.0]),
    st.just([1.0]),
    st.just(["x", 1.0]),
    st.just([1j, 1.0]),
)


@SETTINGS
@given(
    st.one_of(
        st.tuples(bad_offsets, st.just([1.0, 2.0]), st.just(1)),
        st.tuples(st.just((0, 1)), bad_coefficients, st.just(1)),
        st.tuples(
            st.just((0, 1)),
            st.just([1.0, 2.0]),
            st.one_of(st.just(-1), st.just(2), st.just(1.5), st.just(True), st.just("1")),
        ),
    )
)
def test_invalid_stencils_always_raise_package_errors(args) -> None:
    try:
        Stencil(*args)
    except LearnedOpsError:
        return
    raise AssertionError(f"no error for {args!r}")


@SETTINGS
@given(
    arrays(st.sampled_from([np.int64, np.complex128, np.bool_, np.float64]), st.integers(0, 20)),
    st.one_of(st.floats(allow_nan=True), st.integers(-2, 2)),
    st.sampled_from([*BOUNDARY_MODES, "wrap", ""]),
)
def test_invalid_inputs_always_raise_package_errors(u, h, boundary) -> None:
    s = textbook_stencil(1, [-1, 0, 1])
    valid = (
        u.dtype == np.float64
        and u.size >= 3
        and np.isfinite(u).all()
        and boundary in BOUNDARY_MODES
        and np.isfinite(h)
        and h > 0
    )
    if valid:
        return
    try:
        s(u, h, boundary=boundary)
    except LearnedOpsError:
        return
    raise AssertionError(f"no error for dtype {u.dtype}, size {u.size}, h={h!r}, {boundary!r}")
