"""Divergence checks: refuse data too small to fit, a learning rate at which gradient
descent provably diverges, and a finished run whose loss grew."""

from __future__ import annotations

import math

import numpy as np

from learned_ops.data import Splits
from learned_ops.errors import TooFewSamplesError, TrainingDiverged
from learned_ops.training.objective import Objective
from learned_ops.training.recipes import DIVERGENCE_FACTOR, TrainSettings


def _check_sample_counts(splits: Splits, dim: int, label: str) -> None:
    """Refuse data that cannot determine ``dim`` free parameters or judge the fit.

    The rows of one sample (one per grid point of its window) are a deterministic function of
    that sample's few random draws, so they are not independent observations: the independent
    observations are the samples. Estimating ``dim`` parameters needs at least ``dim`` of them
    (fewer leaves the fit determined by the family's structure, not by the data), and a fit
    nobody checked on held-out data is not a result, so the validation split needs at least
    one sample. Rank and conditioning are checked on the design itself elsewhere (the
    whitening and the least-squares oracle refuse a singular one).

    Raises:
        TooFewSamplesError: Fewer training samples than free parameters, or no validation
            sample.
    """
    lo, hi = splits.range("train")
    n_train = hi - lo
    lo, hi = splits.range("val")
    n_val = hi - lo
    if n_train < dim or n_val < 1:
        raise TooFewSamplesError(
            f"{label}: {dim} free coefficients need at least {dim} training samples and 1 "
            f"validation sample, got {n_train} training and {n_val} validation; use more "
            "samples (--samples)"
        )


def _training_gram(objective: Objective, train_u: np.ndarray | None) -> tuple[np.ndarray, int]:
    """X^T X of the training split's design (unit spacing, K x K) and its number of rows,
    from sums of shifted products of the samples (no window copies)."""
    columns = np.asarray(objective.offsets) - objective.offsets[0]
    length = objective.outputs
    blocks = [(train_u, None)] if train_u is not None else objective.chunks("train")
    gram = np.zeros((len(columns), len(columns)))
    rows = 0
    for u, _ in blocks:
        shifted = [u[:, c : c + length] for c in columns]
        for a in range(len(columns)):
            for b in range(a, len(columns)):
                gram[a, b] += float(np.einsum("ij,ij->", shifted[a], shifted[b]))
                gram[b, a] = gram[a, b]
        rows += u.shape[0] * length
    return gram, rows


def _check_step_size(objective: Objective, basis: np.ndarray, settings: TrainSettings,
                     train_u: np.ndarray | None) -> None:
    """Refuse a learning rate at which full-batch gradient descent provably diverges.

    The training loss is the quadratic MSE(theta), with Hessian H = 2 (X B)^T (X B) / rows
    (X: the training design at spacing dx, B: the parameter basis). Gradient descent multiplies
    the error along H's eigenvector i by 1 - lr * lambda_i each epoch, so it converges iff
    lr < 2 / lambda_max. The whitened basis aims at H ~ 2 I (lambda_max ~ 2, safe for lr up to
    ~1), but it is estimated from a subsample; with few samples that estimate can be far off.

    Raises:
        TrainingDiverged: ``settings.learning_rate >= 2 / lambda_max``.
    """
    gram, rows = _training_gram(objective, train_u)
    if rows == 0:
        return
    scaled = basis * objective.dx ** (-objective.derivative_order)
    hessian = 2.0 * scaled.T @ gram @ scaled / rows
    largest = float(np.linalg.eigvalsh((hessian + hessian.T) / 2.0)[-1])
    if largest > 0 and settings.learning_rate * largest >= 2.0:
        limit = 2.0 / largest
        lo, hi = objective.splits.range("train")
        raise TrainingDiverged(
            f"learning rate {settings.learning_rate:g} diverges on this data: full-batch "
            f"gradient descent is stable only below 2/lambda_max = {limit:.3g} (largest "
            f"curvature {largest:.3g} with {hi - lo} training samples); use more samples, "
            f"--learning-rate below {limit:.3g}, or --method lstsq"
        )


def _check_final_loss(history: list[dict[str, float]], final: float | None,
                      settings: TrainSettings, label: str) -> None:
    """Refuse a finished run whose final training loss is non-finite or above the start
    (full-batch gradient descent never raises a convex quadratic loss when it converges)."""
    if not history or final is None:
        return
    start = history[0]["train_mse"]
    bound = start * (1.0 + 1e-6) if settings.plain_gradient_descent else (
        start * DIVERGENCE_FACTOR)
    if not math.isfinite(final) or final > bound:
        raise TrainingDiverged(
            f"training diverged ({label}): final train MSE {final:.3g} against {start:.3g} at "
            "the start; use more samples, a smaller --learning-rate, or --method lstsq"
        )

