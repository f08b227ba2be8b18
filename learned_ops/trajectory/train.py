"""Training a constrained stencil through the solver: the loss is the unrolled trajectory's.

One slot of a periodic problem (a linear term, or a flux term's D) gets a learned stencil
``c = base + basis @ theta`` from an :class:`~learned_ops.training.constraints.AffineStencilSpace`
(so every theta has the requested order). The problem is stepped K times with the
differentiable stepper (:mod:`learned_ops.trajectory.stepper`) and compared with the truth at
the step times by :func:`trajectory_loss`; SciPy's L-BFGS-B minimises it with TensorFlow's
gradients. A non-finite or runaway loss (a stencil that makes the stepping blow up) is capped
at ``blowup_loss`` with a zero gradient, so the line search backs off; such evaluations are
counted. Imports TensorFlow.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.optimize

from learned_ops.stencil import Stencil
from learned_ops.training.constraints import AffineStencilSpace
from learned_ops.trajectory.stepper import rollout, system_from_problem, tf

__all__ = ["TrajectoryResult", "train_trajectory", "trajectory_loss", "truth_trajectory"]


def trajectory_loss(predicted: Any, truth: Any) -> Any:
    """Mean over initial conditions and steps k = 1..K of ``|u_k - v_k|**2 / |v_k|**2``.

    Both have shape ``(K + 1, ..., n)`` (step 0, the shared initial state, is left out).
    Works on TensorFlow tensors and NumPy arrays alike.
    """
    module = tf if isinstance(predicted, tf.Tensor) or isinstance(truth, tf.Tensor) else np
    error = module.reduce_sum((predicted[1:] - truth[1:]) ** 2, axis=-1) if module is tf else (
        np.sum((np.asarray(predicted)[1:] - np.asarray(truth)[1:]) ** 2, axis=-1))
    norms = module.reduce_sum(truth[1:] ** 2, axis=-1) if module is tf else np.sum(
        np.asarray(truth)[1:] ** 2, axis=-1)
    ratio = error / norms
    return tf.reduce_mean(ratio) if module is tf else float(np.mean(ratio))


def truth_trajectory(problem: Any, u0: np.ndarray, dt: float, steps: int) -> np.ndarray:
    """The exact solution (:func:`solvers.exact_solution`) at ``k dt``, k = 0..K: shape
    ``(K + 1, batch, n)``. Advection and heat; a Burgers truth comes from a fine-grid run."""
    from solvers import exact_solution

    times = dt * np.arange(steps + 1)
    rows = np.atleast_2d(np.asarray(u0, dtype=np.float64))
    return np.stack([exact_solution(problem, row, times) for row in rows], axis=1)


@dataclass(frozen=True, eq=False)
class TrajectoryResult:
    """What a trajectory training run found.

    Attributes:
        stencil: The learned stencil (its provenance names the run).
        theta: Free parameters.
        loss: Trajectory loss at the end.
        initial_loss: At the starting theta.
        iterations: L-BFGS iterations.
        evaluations: Loss-and-gradient evaluations.
        blowups: Evaluations whose loss was non-finite or above ``blowup_loss`` (capped).
        seconds: Wall time of the optimisation.
        history: Loss after each iteration.
    """

    stencil: Stencil
    theta: np.ndarray
    loss: float
    initial_loss: float
    iterations: int
    evaluations: int
    blowups: int
    seconds: float
    history: list[float] = field(default_factory=list)


def train_trajectory(
    problem: Any, u0: np.ndarray, space: AffineStencilSpace, *, dt: float, steps: int,
    stepper: str = "rk4", slot: int = 0, truth: np.ndarray | None = None,
    theta0: np.ndarray | None = None, max_iterations: int = 500, clipnorm: float = 1e6,
    blowup_loss: float = 1e6, progress: Callable[[str], None] | None = None,
) -> TrajectoryResult:
    """Learn slot ``slot``'s stencil of ``problem`` from K-step trajectories.

    Args:
        problem: A periodic solvers problem; its operator in ``slot`` is replaced by the
            learned stencil on ``space.offsets`` (its other terms are kept).
        u0: Initial conditions, shape (batch, n) (see :func:`~learned_ops.trajectory.data.
            sine_sums`).
        space: The constrained coefficients (``stencil_space(offsets, m, order)``).
        dt: Time step.
        steps: K, the unrolled steps per trajectory.
        stepper: The Runge-Kutta method.
        slot: Which term: linear terms first, then flux terms (as
            :attr:`~learned_ops.trajectory.stepper.TrajectorySystem.slots`).
        truth: The reference trajectory, shape (K + 1, batch, n); None: the exact solution
            (:func:`truth_trajectory`).
        theta0: Starting parameters (default zeros: the classical stencil).
        max_iterations: L-BFGS iteration cap.
        clipnorm: Gradients longer than this are scaled down to it.
        blowup_loss: Losses above this (or non-finite) count as blow-ups and are capped here.
        progress: Called with a line per iteration (None: silent).

    Returns:
        A :class:`TrajectoryResult`; deterministic for the same inputs (float64 throughout).
    """
    u0 = np.atleast_2d(np.asarray(u0, dtype=np.float64))
    system = system_from_problem(problem)
    target = system.slots[slot]
    if target.derivative_order != space.derivative_order:
        raise ValueError(f"slot {slot} holds a derivative of order {target.derivative_order}, "
                         f"the space is for order {space.derivative_order}")
    system = system.with_offsets(slot, space.offsets, space.base)
    reference = truth_trajectory(problem, u0, dt, steps) if truth is None else np.asarray(
        truth, dtype=np.float64)
    if reference.shape != (steps + 1, *u0.shape):
        raise ValueError(f"truth must have shape {(steps + 1, *u0.shape)}, got "
                         f"{reference.shape}")
    fixed = system.default_coefficients()
    base = tf.constant(space.base, tf.float64)
    basis = tf.constant(space.basis, tf.float64)
    start = tf.constant(u0, tf.float64)
    reference_t = tf.constant(reference, tf.float64)

    @tf.function(input_signature=[tf.TensorSpec((space.dim,), tf.float64)], autograph=False)
    def value_and_gradient(theta: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        with tf.GradientTape() as tape:
            tape.watch(theta)
            coefficients = list(fixed)
            coefficients[slot] = base + tf.linalg.matvec(basis, theta)
            predicted = rollout(system, start, dt, steps, stepper=stepper,
                                coefficients=coefficients)
            loss = trajectory_loss(predicted, reference_t)
        return loss, tape.gradient(loss, theta)

    counts = {"evaluations": 0, "blowups": 0}

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        counts["evaluations"] += 1
        loss, grad = value_and_gradient(tf.constant(theta, tf.float64))
        value, grad = float(loss.numpy()), np.asarray(grad.numpy(), dtype=np.float64)
        if not (math.isfinite(value) and value <= blowup_loss) or not np.isfinite(grad).all():
            counts["blowups"] += 1
            return float(blowup_loss), np.zeros_like(grad)
        norm = float(np.linalg.norm(grad))
        if norm > clipnorm:
            grad = grad * (clipnorm / norm)
        return value, grad

    theta0 = np.zeros(space.dim) if theta0 is None else np.asarray(theta0, dtype=np.float64)
    initial = fun(theta0)[0]
    history: list[float] = []

    def record(intermediate_result: Any) -> None:
        history.append(float(intermediate_result.fun))
        if progress is not None:
            progress(f"iteration {len(history)}: trajectory loss {history[-1]:.10g}")

    started = time.perf_counter()
    result = scipy.optimize.minimize(
        fun, theta0, jac=True, method="L-BFGS-B", callback=record,
        options={"maxiter": max_iterations, "ftol": 1e-16, "gtol": 1e-14, "maxcor": 20})
    seconds = time.perf_counter() - started
    theta = np.asarray(result.x, dtype=np.float64)
    coefficients = space.coefficients(theta)
    stencil = Stencil(space.offsets, coefficients, space.derivative_order,
                      name="trajectory-trained",
                      provenance={"method": "trajectory", "stepper": stepper, "dt": float(dt),
                                  "steps": int(steps), "samples": int(u0.shape[0]),
                                  "accuracy_order": space.accuracy_order,
                                  "loss": float(result.fun)})
    return TrajectoryResult(stencil, theta, float(result.fun), initial, int(result.nit),
                            counts["evaluations"], counts["blowups"], seconds, history)
