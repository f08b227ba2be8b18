"""Convergence in 2-D: both axes refined together, off-axis data, orders 2, 4, 6 within 0.1."""

from __future__ import annotations

import numpy as np
import pytest

from learned_ops import Stencil, central_stencil
from solvers.convergence2d import convergence_study_2d
from solvers.errors import ProblemError
from solvers.grid2d import Grid2D
from solvers.problems2d import Advection2D, Heat2D

SIZES = (24, 32, 48, 64)


def _off_axis(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * (x + 2 * y) / 2)


def _problem(equation: str, accuracy: int) -> Advection2D | Heat2D:
    grid = Grid2D.periodic(24, 24)
    if equation == "advection":
        return Advection2D((1.0, 0.5), central_stencil(1, accuracy), grid)
    return Heat2D(0.1, central_stencil(2, accuracy), grid)


@pytest.mark.parametrize("equation", ["advection", "heat"])
@pytest.mark.parametrize("accuracy", [2, 4, 6])
def test_textbook_orders_within_a_tenth(equation: str, accuracy: int) -> None:
    study = convergence_study_2d(_problem(equation, accuracy), _off_axis, 0.5, SIZES,
                                 number=0.1)
    assert study.expected == accuracy
    assert abs(study.fitted - accuracy) <= 0.1, study.table()
    assert abs(study.orders[-1] - accuracy) <= 0.1, study.table()
    assert study.verdict == "met"


def test_non_square_grids_keep_the_aspect_ratio() -> None:
    problem = Heat2D(0.1, central_stencil(2, 2), Grid2D.periodic(16, 24, y_upper=4.0))
    study = convergence_study_2d(problem, _off_axis, 0.2, (16, 32, 64), number=0.1)
    assert study.shapes == ((24, 16), (48, 32), (96, 64))
    assert abs(study.fitted - 2) <= 0.1, study.table()


def test_an_inconsistent_operator_does_not_meet_its_claim() -> None:
    seed = Stencil((-1, 0, 1), (-0.51914, 0.00012, 0.51902), 1)  # the seed's learned fit
    problem = Advection2D((1.0, 0.5), seed, Grid2D.periodic(24))
    study = convergence_study_2d(problem, _off_axis, 0.5, (24, 32, 48), number=0.1)
    assert study.expected == 0
    assert study.fitted < 0.5
    assert study.verdict == "not met"


def test_study_refuses_too_few_or_unordered_sizes() -> None:
    problem = _problem("heat", 2)
    with pytest.raises(ProblemError, match="at least 3 increasing"):
        convergence_study_2d(problem, _off_axis, 0.1, (16, 32))
    with pytest.raises(ProblemError, match="aspect ratio"):
        convergence_study_2d(Heat2D(0.1, central_stencil(2, 2), Grid2D.periodic(16, 24)),
                             _off_axis, 0.1, (16, 17, 32))
