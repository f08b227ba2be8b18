"""Closed-form least squares of the training objective (NOT learned): the oracle.

Minimises the same mean squared error as training over the same affine space of coefficients
(free, or constrained to an accuracy order), by a streamed QR factorisation (TSQR) of the design
matrix, which is accurate to about cond * eps rather than the cond**2 * eps of normal equations.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from learned_ops.errors import TrainingError
from learned_ops.training.constraints import AffineStencilSpace
from learned_ops.training.objective import Objective

__all__ = ["least_squares_coefficients", "streamed_r_factor"]


def streamed_r_factor(blocks: object) -> np.ndarray:
    """Upper-triangular R of the QR factorisation of the row-stacked blocks."""
    r = None
    for block in blocks:  # type: ignore[attr-defined]
        stacked = block if r is None else np.vstack([r, block])
        r = np.linalg.qr(stacked, mode="r")  # (min(rows, cols), cols): no big zero block
    if r is None:
        raise ValueError("no data")
    return r


def least_squares_coefficients(objective: Objective, space: AffineStencilSpace,
                               split: str = "train") -> np.ndarray:
    """Dimensionless coefficients minimising the objective's MSE on ``split`` over ``space``."""
    scale = objective.dx ** (-objective.derivative_order)

    def blocks() -> object:
        for u, target in objective.chunks(split):
            x = objective.windows(u) * scale
            rhs = target.ravel() - x @ space.base
            yield np.column_stack([x @ space.basis, rhs])

    try:
        r = streamed_r_factor(blocks())
    except ValueError:
        raise TrainingError(f"the {split} split is empty; ask for more samples") from None
    dim = space.dim
    diagonal = np.abs(np.diag(r[:dim, :dim])) if r.shape[0] >= dim else np.zeros(1)
    if r.shape[0] < dim or diagonal.min() <= 1e-12 * max(diagonal.max(), 1e-300):
        raise TrainingError(
            f"the {split} data cannot determine the stencil's {dim} free coefficients (a "
            "rank-deficient design: too few samples, or functions too simple, e.g. a single "
            "wavenumber); use more samples, a richer data family or fewer offsets"
        )
    theta = scipy.linalg.solve_triangular(r[:dim, :dim], r[:dim, dim])
    return space.coefficients(theta)
