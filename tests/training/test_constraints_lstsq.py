"""Moment constraints, their null space, and the closed-form least-squares oracle."""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops.data import BandFamily, SeedFamily, make_splits
from learned_ops.errors import NothingToLearnError, StencilError
from learned_ops.stencil import Stencil
from learned_ops.training.constraints import moment_conditions, stencil_space
from learned_ops.training.lstsq import least_squares_coefficients
from learned_ops.training.objective import Objective
from tests.exact_weights import exact_weights

CASES = [((-2, -1, 0, 1, 2), 1, 1), ((-2, -1, 0, 1, 2), 1, 2), ((-2, -1, 0, 1), 1, 2),
         ((-3, -2, -1, 0, 1, 2, 3), 1, 4), ((-2, -1, 0, 1, 2), 2, 2), ((0, 1, 2, 3), 1, 1)]


# Textbook weights typed from Fornberg (1988) / the standard tables, never computed.
TABLES = {((-2, -1, 0, 1, 2), 1): [1 / 12, -2 / 3, 0, 2 / 3, -1 / 12],
          ((-2, -1, 0, 1, 2), 2): [-1 / 12, 4 / 3, -5 / 2, 4 / 3, -1 / 12],
          ((0, 1, 2, 3), 1): [-11 / 6, 3, -3 / 2, 1 / 3]}


@pytest.mark.parametrize(("offsets", "m", "p"), CASES)
def test_every_point_of_the_space_has_the_order(offsets, m, p, rng) -> None:
    """The base is the classical stencil (exact rationals solved here, correctly rounded);
    the basis is orthonormal, has the dimension taps - (m + p) and leaves every moment
    condition unchanged, to the round-off of the terms summed."""
    space = stencil_space(offsets, m, p)
    a, b = moment_conditions(offsets, m, p)
    assert space.base.tolist() == [float(w) for w in exact_weights(offsets, m)]
    if (offsets, m) in TABLES:
        np.testing.assert_allclose(space.base, TABLES[(offsets, m)], rtol=4e-16, atol=0)
    assert space.dim == len(offsets) - (m + p)
    eps = np.finfo(np.float64).eps
    np.testing.assert_allclose(space.basis.T @ space.basis, np.eye(space.dim), rtol=0,
                               atol=4 * len(offsets) * eps)
    for _ in range(5):
        c = space.coefficients(rng.normal(scale=3.0, size=space.dim))
        allowed = 64 * len(offsets) * eps * (np.abs(a) @ np.abs(c))
        assert np.all(np.abs(a @ c - b) <= allowed)
        assert Stencil(offsets, c, m).accuracy_order >= p


@pytest.mark.parametrize(("offsets", "m", "p"), [((-1, 0, 1), 1, 2), ((0, 1), 1, 1),
                                                 ((-1, 0, 1), 2, 1)])
def test_fully_determined_constraints_say_there_is_nothing_to_learn(offsets, m, p) -> None:
    with pytest.raises(NothingToLearnError, match="nothing to learn"):
        stencil_space(offsets, m, p)


@pytest.mark.parametrize(("offsets", "m", "p", "message"), [
    ((-1, 0, 1), 1, 3, "cannot give accuracy order 3"),
    ((0, 1), 2, None, "needs at least 3 taps|at least 3 taps"),
    ((-1, 0, 1), 1, 0, "accuracy order must be an integer >= 1"),
    ((-2, -1, 0, 1), 1, 1, None),
])
def test_impossible_requests_raise(offsets, m, p, message) -> None:
    if message is None:  # asymmetric offsets cannot be made symmetric
        with pytest.raises(StencilError, match="symmetric about"):
            stencil_space(offsets, m, p, symmetric=True)
        return
    with pytest.raises(StencilError, match=message):
        stencil_space(offsets, m, p)


@pytest.mark.parametrize(("offsets", "m"), [((-3, -2, -1, 0, 1, 2, 3), 1),
                                            ((-2, -1, 0, 1, 2), 2)])
def test_symmetric_space_is_exactly_symmetric(offsets, m, rng) -> None:
    space = stencil_space(offsets, m, 2, symmetric=True)
    c = space.coefficients(rng.normal(size=space.dim))
    np.testing.assert_allclose(c, (-1) ** m * c[::-1], atol=1e-14)


def _explicit_design(objective: Objective) -> tuple[np.ndarray, np.ndarray]:
    u, target = objective.arrays("train")
    span = objective.span
    rows = []
    for k in range(objective.outputs):  # written out, independent of Objective.windows
        rows.append(np.stack([u[:, k + o - objective.offsets[0]] for o in objective.offsets], 1))
    x = np.concatenate(rows) / objective.dx**objective.derivative_order
    y = np.concatenate([target[:, k] for k in range(objective.outputs)])
    assert x.shape[0] == u.shape[0] * (u.shape[1] - span)
    return x, y


@pytest.mark.parametrize(("offsets", "m", "p", "target"), [
    ((0, 1), 1, None, "node"), ((0, 1), 1, None, "centre"), ((-1, 0, 1), 1, None, "node"),
    ((-2, -1, 0, 1, 2), 1, 2, "node"), ((-2, -1, 0, 1, 2), 2, 2, "node"),
])
def test_oracle_equals_a_dense_least_squares_solve(offsets, m, p, target) -> None:
    splits = make_splits(SeedFamily(n_points=60), 300, 5)
    objective = Objective(splits, offsets, m, target)
    space = stencil_space(offsets, m, p, objective.x0)
    ours = least_squares_coefficients(objective, space)
    x, y = _explicit_design(objective)
    theta, *_ = np.linalg.lstsq(x @ space.basis, y - x @ space.base, rcond=None)
    expected = space.coefficients(theta)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-9)
    # it is the minimum: nudging any free direction increases the training MSE
    best = objective.mse(ours, "train")
    for direction in space.basis.T:
        assert objective.mse(ours + 1e-4 * direction, "train") > best


def test_centre_target_makes_the_two_point_fit_the_midpoint_difference() -> None:
    """Against the midpoint derivative, (-1, 1) is nearly optimal (DESIGN: MSE 0.056)."""
    splits = make_splits(SeedFamily(), 2000, 0)
    objective = Objective(splits, (0, 1), 1, "centre")
    c = least_squares_coefficients(objective, stencil_space((0, 1), 1, None, objective.x0))
    np.testing.assert_allclose(c, [-1.0, 1.0], atol=0.02)
    node = Objective(splits, (0, 1), 1, "node")
    assert objective.mse([-1.0, 1.0], "train") < 0.1 < 20 < node.mse([-1.0, 1.0], "train")


def test_band_family_objective_runs() -> None:
    splits = make_splits(BandFamily(theta_max=1.0), 200, 0)
    objective = Objective(splits, (-3, -2, -1, 0, 1, 2, 3), 1)
    c = least_squares_coefficients(objective, stencil_space(objective.offsets, 1, 4))
    assert Stencil(objective.offsets, c, 1).accuracy_order >= 4
