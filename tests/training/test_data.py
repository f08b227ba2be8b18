"""Datasets: the seed family exactly, exact derivatives, determinism, disjoint splits."""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops.data import CHUNK, BandFamily, SeedFamily, family_from_dict, make_splits
from learned_ops.errors import DataSpecError
from learned_ops.textbook import central_stencil


def test_seed_family_grid_is_the_notebooks() -> None:
    family = SeedFamily()
    assert family.grid.shape == (400,)
    np.testing.assert_allclose(family.grid, np.arange(-2, 2, 0.01), rtol=0, atol=1e-13)


def test_seed_family_matches_the_notebook_formula() -> None:
    family = SeedFamily()
    batch = family.functions(seed=3, start=0, stop=50)
    k = np.rint(batch.wavenumbers / np.pi)
    np.testing.assert_array_equal(batch.wavenumbers, k * np.pi)
    assert k.min() >= 0
    assert k.max() < 20
    b = batch.amplitudes.sum(axis=1)  # b*a + b*(1-a)
    a = batch.amplitudes[:, 0] / b
    assert np.all((0 <= a) & (a <= 1))
    assert np.all((0 <= b) & (b <= 2))
    x = family.grid
    k1, k2 = k[:, :1], k[:, 1:]
    a, b = a[:, None], b[:, None]
    u_expected = b * (a * np.sin(k1 * np.pi * x) + (1 - a) * np.sin(k2 * np.pi * x))
    du_expected = b * (a * k1 * np.pi * np.cos(k1 * np.pi * x)
                       + (1 - a) * k2 * np.pi * np.cos(k2 * np.pi * x))
    u, du = family.samples(3, 0, 50, 1)
    np.testing.assert_allclose(u, u_expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(du, du_expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("family", [SeedFamily(), BandFamily(theta_max=1.0)])
def test_same_seed_same_arrays_bit_for_bit(family: SeedFamily | BandFamily) -> None:
    first = family.samples(7, 0, 300, 2)
    second = family.samples(7, 0, 300, 2)
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a, b)
    other = family.samples(8, 0, 300, 2)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("family", [SeedFamily(), BandFamily(theta_max=1.0)])
def test_integer_target_shift_moves_the_targets_by_whole_columns(family) -> None:
    """Targets at x + s dx (integer s) are the node targets s columns on, bit for bit."""
    for m in (1, 2):
        _, node = family.samples(4, 0, 50, m, 0.0)
        for s in (1, 2):
            _, shifted = family.samples(4, 0, 50, m, float(s))
            np.testing.assert_array_equal(shifted[:, :-s], node[:, s:])


def test_any_range_equals_the_slice_of_the_whole() -> None:
    family = BandFamily()
    whole, _ = family.samples(1, 0, CHUNK + 500, 0)
    part, _ = family.samples(1, CHUNK - 100, CHUNK + 300, 0)
    assert np.array_equal(part, whole[CHUNK - 100 : CHUNK + 300])


# Lagrange interpolation to the midpoint from offsets -3..4 (exact rationals)
MIDPOINT_8 = np.array([-5.0, 49.0, -245.0, 1225.0, 1225.0, -245.0, 49.0, -5.0]) / 2048.0

FINE_FAMILIES = [SeedFamily(dx=1e-3, n_points=600, k_max=5),
                 BandFamily(dx=1e-3, n_points=600, theta_max=0.05)]


@pytest.mark.parametrize("m", [1, 2, 3])
@pytest.mark.parametrize("family", FINE_FAMILIES)
def test_exact_derivatives_agree_with_high_order_differences(m: int, family) -> None:
    u, exact = family.samples(0, 0, 20, m)
    stencil = central_stencil(m, 8)
    approx = stencil(u, family.dx, boundary="valid")
    r = -stencil.offsets[0]
    interior = exact[:, r : u.shape[1] - r]
    scale = np.abs(interior).max()
    assert np.abs(approx - interior).max() <= 1e-6 * scale


@pytest.mark.parametrize("family", FINE_FAMILIES)
def test_values_at_midpoints_agree_with_interpolation_of_the_nodes(family) -> None:
    """m = 0 with target shift 1/2: the values between the nodes, checked against 8-point
    interpolation of the node values. Its error is at most max|u^(8)| h^8 prod|1/2 - j| / 8!
    = 43.07 / 40320 * theta**8 * sum|amp| (theta = k h <= 0.0126 / 0.05 here, so < 1e-13);
    round-off adds ~1e-16 * sum|w| = 1.5e-16 of the scale."""
    u, between = family.samples(0, 0, 20, 0, 0.5)
    columns = u.shape[1] - 7
    approx = sum(w * u[:, j : j + columns] for j, w in enumerate(MIDPOINT_8))
    expected = between[:, 3 : 3 + columns]  # the target half a step right of node j + 3
    assert np.abs(approx - expected).max() <= 1e-12 * np.abs(u).max()
    assert np.abs(between - u).max() > 1e-3 * np.abs(u).max()  # not the node values again


def test_band_family_angles_are_uniform_on_the_band() -> None:
    family = BandFamily(theta_max=1.2, modes=4)
    theta = family.functions(0, 0, 4000).wavenumbers * family.dx
    assert theta.min() >= 0
    assert theta.max() <= 1.2
    counts, _ = np.histogram(theta, bins=6, range=(0, 1.2))
    assert counts.min() > 0.8 * counts.mean()


def test_splits_are_disjoint_and_cover_the_dataset() -> None:
    splits = make_splits(SeedFamily(), 1000, 0)
    ranges = [splits.range(s) for s in ("train", "val", "test")]
    assert ranges[0][0] == 0
    assert ranges[-1][1] == 1000
    assert ranges[0][1] == ranges[1][0]
    assert ranges[1][1] == ranges[2][0]
    train, _ = splits.arrays("train", 0)
    test, _ = splits.arrays("test", 0)
    train_rows = {row.tobytes() for row in train}
    assert not any(row.tobytes() in train_rows for row in test)


def test_family_round_trips_through_its_dict() -> None:
    for family in (SeedFamily(k_max=7), BandFamily(theta_max=0.7)):
        assert family_from_dict(family.to_dict()) == family


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: SeedFamily(dx=0.0), "dx"),
        (lambda: SeedFamily(dx=float("nan")), "dx"),
        (lambda: SeedFamily(n_points=1), "n_points"),
        (lambda: SeedFamily(k_min=5, k_max=5), "k_min < k_max"),
        (lambda: SeedFamily(k_max=2.5), "k_max"),
        (lambda: SeedFamily(modes=0), "modes"),
        (lambda: BandFamily(theta_max=4.0), "theta_max"),
        (lambda: BandFamily(theta_max=-1.0), "theta_max"),
        (lambda: make_splits(SeedFamily(), 2, 0), "n_samples"),
        (lambda: make_splits(SeedFamily(), 100, -1), "seed"),
        (lambda: make_splits(SeedFamily(), 100, 0, val_fraction=0.5, test_fraction=0.5),
         "no training samples"),
        (lambda: SeedFamily().samples(0, 5, 2, 1), "sample range"),
        (lambda: SeedFamily().samples(0, 0, 2, -1), "derivative order"),
        (lambda: family_from_dict({"family": "wavelets"}), "unknown family"),
        (lambda: make_splits(SeedFamily(), 100, 0).range("holdout"), "unknown split"),
    ],
)
def test_bad_specs_raise_data_spec_errors(factory, message: str) -> None:
    with pytest.raises(DataSpecError, match=message):
        factory()
