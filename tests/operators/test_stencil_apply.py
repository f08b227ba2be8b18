"""Applying a Stencil: equal to its matrix, the correlation sign convention, polynomial
exactness (boundary closures included), observed order under refinement, and validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import convolve1d, correlate1d

from learned_ops import (
    BOUNDARY_MODES,
    InputArrayError,
    LearnedOpsError,
    Stencil,
    StencilError,
    _kernels,
    backward_stencil,
    central_stencil,
    forward_stencil,
    textbook_stencil,
)

STENCILS = [
    central_stencil(1, 2),
    central_stencil(1, 4),
    central_stencil(2, 2),
    central_stencil(2, 4),
    forward_stencil(1, 1),
    forward_stencil(1, 3),
    backward_stencil(1, 2),
    backward_stencil(2, 2),
    textbook_stencil(3, range(-2, 3)),
    central_stencil(4, 2),
    textbook_stencil(1, [-3, -1, 2]),
    Stencil((-1, 0, 1), [-0.5183, -0.0015, 0.5199], 1, name="seed-central"),  # inconsistent
]
IDS = [s.name for s in STENCILS]


def _matrix_apply(stencil: Stencil, u: np.ndarray, h: float, boundary: str, axis: int):
    dense = stencil.matrix(u.shape[axis], h, boundary).toarray()
    moved = np.moveaxis(u, axis, -1)
    return np.moveaxis(np.einsum("ij,...j->...i", dense, moved), -1, axis)


@pytest.mark.parametrize("stencil", STENCILS, ids=IDS)
@pytest.mark.parametrize("boundary", BOUNDARY_MODES)
@pytest.mark.parametrize(
    ("shape", "axis"), [((37,), -1), ((3, 4, 29), -1), ((23, 3), 0), ((2, 31, 3), 1)]
)
def test_apply_equals_matrix(stencil, boundary, shape, axis, rng) -> None:
    u = rng.standard_normal(shape)
    h = 0.37
    got = stencil(u, h, boundary=boundary, axis=axis)
    want = _matrix_apply(stencil, u, h, boundary, axis)
    scale = np.abs(stencil.coefficients).sum() * h**-stencil.derivative_order
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-14 * scale * np.abs(u).max())
    assert got.dtype == np.float64


@pytest.mark.parametrize("stencil", STENCILS, ids=IDS)
@pytest.mark.parametrize("boundary", ["periodic", "valid"])
def test_compiled_kernel_equals_numpy_reference(stencil, boundary, rng) -> None:
    u = rng.standard_normal((5, 3000))
    first = 0 if boundary == "periodic" else -stencil.offsets[0]
    length = 3000 if boundary == "periodic" else 3000 - stencil.span
    args = (
        u,
        np.array(stencil.offsets),
        stencil.coefficients,
        first,
        length,
        boundary == "periodic",
    )
    np.testing.assert_allclose(
        _kernels.correlate_rows(*args),
        _kernels.correlate_rows_numpy(*args),
        rtol=0,
        atol=1e-13,
    )


def test_float32_input_gives_float64(rng) -> None:
    u = rng.standard_normal(50)
    got = central_stencil(1, 2)(u.astype(np.float32))
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, central_stencil(1, 2)(u.astype(np.float32).astype(float)))


@pytest.mark.parametrize("stencil", STENCILS, ids=IDS)
def test_periodic_is_a_cross_correlation(stencil, rng) -> None:
    """out[i] = sum_j c_j u[i + o_j]: scipy's correlate1d, not convolve1d."""
    u = rng.standard_normal(40)
    radius = max(abs(o) for o in stencil.offsets)
    weights = np.zeros(2 * radius + 1)
    weights[np.array(stencil.offsets) + radius] = stencil.coefficients
    np.testing.assert_allclose(stencil(u), correlate1d(u, weights, mode="wrap"), atol=1e-14)
    if not np.allclose(weights, weights[::-1]):  # convolve1d flips the kernel: the sign bug
        assert not np.allclose(stencil(u), convolve1d(u, weights, mode="wrap"), atol=1e-6)


@pytest.mark.parametrize(
    "stencil",
    [s for s in STENCILS if s.is_consistent],
    ids=[s.name for s in STENCILS if s.is_consistent],
)
@pytest.mark.parametrize("boundary", BOUNDARY_MODES[1:])
def test_exact_on_polynomials(stencil, boundary) -> None:
    """Exact for degree <= m + p - 1, boundary closures included."""
    m, p = stencil.derivative_order, stencil.accuracy_order
    n, h = 24, 0.1
    x = h * (np.arange(n) - n / 2)
    start = -stencil.offsets[0] if boundary == "valid" else 0
    rows = slice(start, start + (n - stencil.span if boundary == "valid" else n))
    for degree in range(m + p):
        u = x**degree
        exact = np.zeros(n)
        if degree >= m:
            exact = np.prod(np.arange(degree - m + 1, degree + 1)) * x ** (degree - m)
        got = stencil(u, h, boundary=boundary)
        tol = 1e-12 * np.abs(stencil.coefficients).sum() * 4.0**degree * h**-m
        np.testing.assert_allclose(got, exact[rows], rtol=0, atol=tol, err_msg=f"degree {degree}")


def _errors(stencil: Stencil, boundary: str, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(h, max-norm error) on sin(x + 0.2) over [0, 2 pi) (periodic), sin(2x + 0.3) on [0, 1]."""
    m = stencil.derivative_order
    errors, steps = [], []
    for n in sizes:
        if boundary == "periodic":
            h = 2 * np.pi / n
            x = h * np.arange(n)
            u = np.sin(x + 0.2)
            du = np.sin(x + 0.2 + m * np.pi / 2)
        else:
            h = 1.0 / (n - 1)
            x = h * np.arange(n)
            u = np.sin(2 * x + 0.3)
            du = 2.0**m * np.sin(2 * x + 0.3 + m * np.pi / 2)
            if boundary == "valid":
                du = du[-stencil.offsets[0] : n - stencil.offsets[-1]]
        errors.append(np.max(np.abs(stencil(u, h, boundary=boundary) - du)))
        steps.append(h)
    return np.array(steps), np.array(errors)


def _observed_order(stencil: Stencil, boundary: str, sizes: list[int]) -> float:
    steps, errors = _errors(stencil, boundary, sizes)
    return float(np.polyfit(np.log(steps), np.log(errors), 1)[0])


@pytest.mark.parametrize(
    "stencil",
    [s for s in STENCILS if s.is_consistent],
    ids=[s.name for s in STENCILS if s.is_consistent],
)
@pytest.mark.parametrize("boundary", BOUNDARY_MODES)
def test_observed_order_under_refinement(stencil, boundary) -> None:
    """The fitted slope is within 0.15 of p on grids in the asymptotic range: k h <= 0.4 on
    the coarsest (the next error term a few percent of the leading one), round-off below 1% of
    the error on the finest (checked). High m * p needs coarser grids: its round-off, eps / h**m,
    meets the error sooner."""
    p, m = stencil.accuracy_order, stencil.derivative_order
    sizes = [32, 64, 128, 256] if p * m <= 4 else [16, 24, 32, 48]
    steps, errors = _errors(stencil, boundary, sizes)
    round_off = np.finfo(np.float64).eps * np.abs(stencil.coefficients).sum() * 2.0**m
    assert errors[-1] > 100 * round_off / steps[-1] ** m, "finest grid not in the asymptotic range"
    slope = float(np.polyfit(np.log(steps), np.log(errors), 1)[0])
    assert abs(slope - p) <= 0.15, f"observed order {slope:.3f}, expected {p}"


def test_inconsistent_stencil_does_not_converge() -> None:
    seed = STENCILS[-1]
    assert not seed.is_consistent
    assert abs(_observed_order(seed, "periodic", [32, 64, 128, 256])) < 0.5


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("offsets", "coefficients", "m", "message"),
    [
        ((-1, -1, 1), [1, 2, 3], 1, "unique"),
        ((1, 0, -1), [1, 2, 3], 1, "sorted"),
        ((-1, 0.5, 1), [1, 2, 3], 1, "integers"),
        ((-1, "0", 1), [1, 2, 3], 1, "integers"),
        ((-1, True, 2), [1, 2, 3], 1, "integers"),
        ((-1, 0, 1), [1, np.nan, 3], 1, "finite"),
        ((-1, 0, 1), [1, np.inf, 3], 1, "finite"),
        ((-1, 0, 1), [1, 2j, 3], 1, "real"),
        ((-1, 0, 1), [1, 2], 1, "coefficients for 3 offsets"),
        ((0, 1), [1, 2], 2, "at least 3 taps"),
        ((), [], 0, "at least one offset"),
        ((-1, 0, 1), [1, 2, 3], -1, ">= 0"),
        ((-1, 0, 1), [1, 2, 3], 1.0, "integer"),
        (tuple(range(70)), [0.0] * 70, 1, "at most"),
    ],
)
def test_invalid_stencils_raise(offsets, coefficients, m, message) -> None:
    with pytest.raises(StencilError, match=message):
        Stencil(offsets, coefficients, m)


@pytest.mark.parametrize(
    ("u", "h", "kwargs", "message"),
    [
        (np.arange(10), 1.0, {}, "integer dtype"),
        (np.ones(10, dtype=complex), 1.0, {}, "complex dtype"),
        (np.ones(10, dtype=bool), 1.0, {}, "boolean dtype"),
        (np.array([1.0, np.nan, *[0.0] * 8]), 1.0, {}, "NaN or infinite"),
        (np.array([1.0, np.inf, *[0.0] * 8]), 1.0, {"boundary": "valid"}, "NaN or infinite"),
        (np.array([*[0.0] * 9, -np.inf]), 1.0, {"boundary": "one-sided"}, "NaN or infinite"),
        (np.ones(2), 1.0, {}, "at least 3"),
        (np.float64(1.0), 1.0, {}, "scalar"),
        (np.ones((3, 10)), 1.0, {"axis": 2}, "out of range"),
        (np.ones(10), 0.0, {}, "> 0"),
        (np.ones(10), -0.1, {}, "> 0"),
        (np.ones(10), np.nan, {}, "> 0"),
        (np.ones(10), "1", {}, "real number"),
        (np.ones(10), 1.0, {"boundary": "wrap"}, "unknown boundary"),
    ],
)
def test_invalid_application_raises(u, h, kwargs, message) -> None:
    with pytest.raises(LearnedOpsError, match=message):
        central_stencil(1, 2)(u, h, **kwargs)


def test_non_finite_input_is_input_array_error() -> None:
    with pytest.raises(InputArrayError):
        central_stencil(2, 4)(np.full((3, 20), np.nan))


@pytest.mark.parametrize(
    ("n", "boundary", "message"),
    [(2, "periodic", "too small"), (10, "nope", "unknown boundary"), (10.0, "periodic", "integer")],
)
def test_invalid_matrix_requests_raise(n, boundary, message) -> None:
    with pytest.raises(StencilError, match=message):
        central_stencil(1, 2).matrix(n, 1.0, boundary)
