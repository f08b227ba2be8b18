"""The right-hand side kernel equals the operator protocol's own application."""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops import central_stencil, textbook_stencil
from solvers import (
    Advection,
    AdvectionDiffusion,
    ComposedOperator,
    Grid,
    GridError,
    Heat,
    LinearRhs,
    discretize,
)

PROBLEMS = {
    "advection-central4": lambda g: Advection(1.3, central_stencil(1, 4), g),
    "advection-upwind": lambda g: Advection(-0.7, textbook_stencil(1, [0, 1]), g),
    "heat-central6": lambda g: Heat(0.2, central_stencil(2, 6), g, dirichlet=(1.0, 2.0)),
    "heat-composed": lambda g: Heat(0.2, (textbook_stencil(1, [0, 1]),
                                          textbook_stencil(1, [-1, 0])), g),
    "advection-diffusion": lambda g: AdvectionDiffusion(
        0.5, 0.1, central_stencil(1, 2), central_stencil(2, 4), g),
}


def _protocol_rhs(problem, u: np.ndarray) -> np.ndarray:
    grid = problem.grid
    out = sum(coef * op(u, grid.h, boundary=grid.boundary_mode) for coef, op in problem.terms())
    for node in problem.fixed_values():
        out[node] = 0.0
    return out


@pytest.mark.parametrize("kind", ["periodic", "bounded"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_linear_rhs_equals_the_operator_call(name: str, kind: str, rng) -> None:
    grid = Grid(37, -1.0, 2.0, kind)
    problem = PROBLEMS[name](grid)
    disc = discretize(problem)
    u = rng.standard_normal(grid.n)
    left, right = disc.ghosts
    src = np.zeros(grid.n + left + right)
    src[left : left + grid.n] = u
    out = np.full(grid.n, np.nan)
    LinearRhs(disc).bind(src, out)(0.0)
    expected = _protocol_rhs(problem, u)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(disc.apply(u), expected, rtol=0, atol=1e-13 * scale)


def test_bounded_interior_is_the_stencil_and_edges_are_small() -> None:
    disc = discretize(Heat(1.0, central_stencil(2, 4), Grid.bounded(1000)))
    start, stop = disc.interior
    assert (start, stop) == (2, 998)
    assert disc.left_block.shape[0] == 2
    assert disc.left_block.shape[1] <= 6


def test_composition_keeps_introspection() -> None:
    composed = ComposedOperator(textbook_stencil(1, [0, 1]), textbook_stencil(1, [-1, 0]))
    assert composed.offsets == (-1, 0, 1)
    np.testing.assert_allclose(composed.coefficients, [1.0, -2.0, 1.0])
    assert composed.derivative_order == 2
    assert composed.accuracy_order == 2
    assert composed.is_consistent
    theta = np.linspace(0, np.pi, 5)
    np.testing.assert_allclose(composed.symbol(theta), 2 * np.cos(theta) - 2, atol=1e-15)


@pytest.mark.parametrize(
    ("args", "match"),
    [((2,), "at least 3"), ((10, 1.0, 1.0), "lower < upper"), ((10, 0.0, np.inf), "finite"),
     ((10, 0.0, 1.0, "wrapped"), "kind"), ((10.5,), "integer")],
)
def test_grid_validation(args: tuple, match: str) -> None:
    with pytest.raises(GridError, match=match):
        Grid(*args)


def test_grid_spacing() -> None:
    assert Grid.periodic(40).h == pytest.approx(0.1)
    bounded = Grid.bounded(41)
    assert bounded.h == pytest.approx(0.1)
    assert bounded.x[-1] == 2.0
    assert not bounded.x.flags.writeable
