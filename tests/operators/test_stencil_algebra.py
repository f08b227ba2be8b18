"""Stencil algebra: composition, sums, scaling, and the analysis that must survive it."""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops import (
    Stencil,
    StencilError,
    backward_stencil,
    central_stencil,
    forward_stencil,
)

THETA = np.linspace(-np.pi, np.pi, 101)


def test_backward_after_forward_is_second_difference() -> None:
    second = backward_stencil(1, 1) @ forward_stencil(1, 1)
    assert second.offsets == (-1, 0, 1)
    assert second.coefficients.tolist() == [1.0, -2.0, 1.0]
    assert second.derivative_order == 2
    assert second.accuracy_order == 2
    assert second == central_stencil(2, 2)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (central_stencil(1, 2), central_stencil(1, 2)),
        (forward_stencil(1, 2), central_stencil(2, 4)),
        (Stencil((0, 3), [0.3, -1.1], 0), backward_stencil(1, 3)),
    ],
)
def test_composition_symbol_is_product_and_applies_in_sequence(a, b, rng) -> None:
    composed = a @ b
    np.testing.assert_allclose(
        composed.symbol(THETA), a.symbol(THETA) * b.symbol(THETA), atol=1e-12
    )
    u = rng.standard_normal(40)
    np.testing.assert_allclose(composed(u, 0.5), a(b(u, 0.5), 0.5), atol=1e-10)
    assert composed.derivative_order == a.derivative_order + b.derivative_order


def test_sum_difference_scale_negation(rng) -> None:
    a, b = central_stencil(1, 2), central_stencil(1, 4)
    u = rng.standard_normal(30)
    np.testing.assert_allclose((a + b)(u), a(u) + b(u), atol=1e-14)
    np.testing.assert_allclose((a - b)(u), a(u) - b(u), atol=1e-14)
    np.testing.assert_allclose((2.5 * a)(u), 2.5 * a(u), atol=1e-14)
    np.testing.assert_allclose((a * 2.5)(u), 2.5 * a(u), atol=1e-14)
    np.testing.assert_allclose((-a)(u), -a(u), atol=1e-14)
    # 4/3 * p2 - 1/3 * p2-on-double-spacing is the p4 stencil (Richardson).
    wide = Stencil((-2, 0, 2), [-0.25, 0.0, 0.25], 1)
    richardson = (4 / 3) * a - (1 / 3) * wide
    assert richardson.accuracy_order == 4
    np.testing.assert_allclose(richardson.coefficients, b.coefficients, atol=1e-15)
    # The average of two order-2 first derivatives stays consistent.
    assert (0.5 * (a + backward_stencil(1, 2))).is_consistent


def test_adding_different_derivative_orders_raises() -> None:
    with pytest.raises(StencilError, match="derivative orders"):
        central_stencil(1, 2) + central_stencil(2, 2)
    with pytest.raises(StencilError, match="derivative orders"):
        central_stencil(1, 2) - central_stencil(2, 2)


@pytest.mark.parametrize("bad", ["x", True, None, np.array([1.0, 2.0])])
def test_scaling_by_non_scalars_is_refused(bad) -> None:
    with pytest.raises(TypeError):
        central_stencil(1, 2) * bad
    with pytest.raises(TypeError):
        bad * central_stencil(1, 2)


def test_results_keep_full_introspection() -> None:
    composed = central_stencil(1, 2) @ central_stencil(1, 2)
    assert composed.matrix(10).shape == (10, 10)
    assert composed.resolving_band(1e-2) > 0
    assert composed.moments().shape[0] >= 3


def test_analysis_of_first_derivatives() -> None:
    c2 = central_stencil(1, 2)
    np.testing.assert_allclose(c2.modified_wavenumber(THETA), np.sin(THETA), atol=1e-15)
    np.testing.assert_allclose(c2.dissipation(THETA), 0.0, atol=1e-15)
    upwind = backward_stencil(1, 1)
    assert np.all(upwind.dissipation(THETA[np.abs(THETA) > 1e-3]) > 0)  # Re sigma > 0: damps
    with pytest.raises(StencilError, match="first derivatives"):
        central_stencil(2, 2).modified_wavenumber(THETA)
    assert central_stencil(1, 4).resolving_band(1e-2) > c2.resolving_band(1e-2)
    assert c2.points_per_wavelength(1e-3) > c2.points_per_wavelength(1e-2)
    with pytest.raises(StencilError, match="eps"):
        c2.resolving_band(0.0)


def test_inconsistent_stencil_reports_its_defect() -> None:
    seed = Stencil((0, 1), [-0.94952, 1.01323], 1)
    assert seed.accuracy_order == 0
    assert not seed.is_consistent
    defect = seed.leading_defect()
    assert defect.index == 0
    assert defect.error == pytest.approx(0.06371)
    assert "mu_0" in defect.describe()
    assert seed.resolving_band(1e-2) == 0.0
    assert seed.points_per_wavelength(1e-2) == float("inf")


def test_equal_stencils_hash_equally_even_with_negative_zero() -> None:
    from learned_ops import central_stencil

    s = central_stencil(1, 2)
    a, b = s - s, 0 * s
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
