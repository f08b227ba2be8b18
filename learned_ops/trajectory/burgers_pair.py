"""Training Burgers' pair of stencils (u_x in the flux, u_xx) jointly through the solver.

The coarse problem is forced viscous Burgers (:class:`solvers.Burgers`) on ``n`` periodic
nodes; its flux derivative and its second derivative get learned stencils
``c = base + basis @ theta`` from two :class:`~learned_ops.training.constraints.
AffineStencilSpace` (so every theta keeps the requested orders). Windows of the fine-grid truth
(:mod:`learned_ops.trajectory.truth_cache`) are the data: a window starts at a truth snapshot,
is stepped K steps by the differentiable stepper (:mod:`learned_ops.trajectory.stepper`, each
row with its own forcing on a clock shifted to the window's start) and compared with the truth
at every snapshot by the relative MSE per trajectory. A curriculum runs L-BFGS on growing K,
each stage from the last stage's theta. A window whose rollout is non-finite or whose loss
exceeds ``blowup_loss`` is a blow-up: it is counted, and left out of that evaluation (its
start state replaced by zeros with weight 0) so the others still give a gradient. Gradients
are clipped to ``clipnorm``. Imports TensorFlow; runs on a GPU when TensorFlow sees one.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.optimize

from learned_ops.stencil import Stencil
from learned_ops.training.constraints import AffineStencilSpace
from learned_ops.trajectory.stepper import ForcingBatch, rollout, system_from_problem, tf

__all__ = ["PairResult", "TrainingWindows", "theta_nearest", "train_burgers_pair", "windows"]


@dataclass(frozen=True, eq=False)
class TrainingWindows:
    """Start states and their truths for one unroll length.

    Attributes:
        starts: Start states, shape (B, n).
        truths: The truth at the snapshots of each window, shape (K // stride + 1, B, n).
        forcings: One forcing per window, its clock shifted to the window's start.
        stride: Solver steps between truth snapshots.
    """

    starts: np.ndarray
    truths: np.ndarray
    forcings: tuple[Any, ...]
    stride: int


def windows(times: np.ndarray, truth: np.ndarray, forcings: Sequence[Any], *, dt: float,
            steps: int, per_trajectory: int, window: tuple[float, float],
            seed: int) -> TrainingWindows:
    """Draw ``per_trajectory`` windows of ``steps`` solver steps from each truth trajectory.

    Args:
        times: Truth snapshot times (T,).
        truth: Truth snapshots (T, S, n).
        forcings: The S trajectories' forcings (unshifted).
        dt: The coarse solver's step (the snapshot spacing must be a whole number of them).
        steps: K.
        per_trajectory: Windows per trajectory.
        window: Start and end of the time range windows lie in.
        seed: Seed of the start-time draw (``numpy.random.default_rng``).

    Raises:
        ValueError: If the snapshot spacing is not a multiple of dt, K not a multiple of the
            stride, or the range too short for a window.
    """
    spacing = float(times[1] - times[0])
    stride = round(spacing / dt)
    if stride < 1 or abs(stride * dt - spacing) > 1e-9 * spacing:
        raise ValueError(f"truth snapshots every {spacing:g} are not a whole number of steps "
                         f"dt = {dt:g}")
    if steps % stride:
        raise ValueError(f"unroll {steps} steps is not a multiple of the {stride} steps between "
                         "truth snapshots")
    span = steps // stride
    first = int(np.searchsorted(times, window[0] - 1e-9))
    last = int(np.searchsorted(times, window[1] + 1e-9)) - 1 - span
    if last < first:
        raise ValueError(f"a window of {steps * dt:g} time units does not fit in {window}")
    rng = np.random.default_rng(int(seed))
    starts, truths, shifted = [], [], []
    for s, forcing in enumerate(forcings):
        for i in np.sort(rng.integers(first, last + 1, per_trajectory)):
            starts.append(truth[i, s])
            truths.append(truth[i: i + span + 1, s])
            shifted.append(forcing.shifted(float(times[i])))
    return TrainingWindows(np.array(starts), np.stack(truths, axis=1), tuple(shifted), stride)


def theta_nearest(space: AffineStencilSpace, coefficients: np.ndarray) -> np.ndarray:
    """The theta whose stencil is nearest (least squares) to ``coefficients``."""
    residual = np.asarray(coefficients, dtype=np.float64) - space.base
    return np.linalg.lstsq(space.basis, residual, rcond=None)[0]


@dataclass(frozen=True, eq=False)
class PairResult:
    """What a pair training run found.

    Attributes:
        flux: The learned u_x stencil of the flux.
        diffusion: The learned u_xx stencil.
        theta: Free parameters (flux's first).
        losses: Final loss of each curriculum stage.
        initial_losses: Loss at each stage's start.
        blowups: Blown-up windows summed over every evaluation.
        evaluations: Loss-and-gradient evaluations.
        seconds: Wall time of the optimisation.
        history: (stage K, loss) after each L-BFGS iteration.
    """

    flux: Stencil
    diffusion: Stencil
    theta: np.ndarray
    losses: tuple[float, ...]
    initial_losses: tuple[float, ...]
    blowups: int
    evaluations: int
    seconds: float
    history: list[tuple[int, float]] = field(default_factory=list)


class _StageLoss:
    """The loss of one curriculum stage and its gradient, one ``tf.function`` per stage."""

    def __init__(self, problem: Any, flux_space: AffineStencilSpace,
                 diffusion_space: AffineStencilSpace, data: TrainingWindows, *, dt: float,
                 steps: int, stepper: str, blowup_loss: float) -> None:
        system = system_from_problem(problem)
        system = system.with_offsets(0, diffusion_space.offsets, diffusion_space.base)
        system = system.with_offsets(1, flux_space.offsets, flux_space.base)
        self.system = dataclasses.replace(system, forcing=ForcingBatch(data.forcings))
        self.data, self.blowup_loss = data, blowup_loss
        self.split = flux_space.dim
        spaces = (diffusion_space, flux_space)
        bases = [tf.constant(s.base, tf.float64) for s in spaces]
        basis = [tf.constant(s.basis, tf.float64) for s in spaces]
        truths = tf.constant(data.truths, tf.float64)
        every = data.stride

        @tf.function(autograph=False, reduce_retracing=True)
        def evaluate(theta: tf.Tensor, starts: tf.Tensor, weights: tf.Tensor) -> Any:
            with tf.GradientTape() as tape:
                tape.watch(theta)
                flux_theta, diffusion_theta = theta[: self.split], theta[self.split:]
                coefficients = [bases[0] + tf.linalg.matvec(basis[0], diffusion_theta),
                                bases[1] + tf.linalg.matvec(basis[1], flux_theta)]
                predicted = rollout(self.system, starts, dt, steps, stepper=stepper,
                                    coefficients=coefficients, every=every)
                error = tf.reduce_sum((predicted[1:] - truths[1:]) ** 2, axis=-1)
                norms = tf.reduce_sum(truths[1:] ** 2, axis=-1)
                per_window = tf.reduce_mean(error / norms, axis=0)
                safe = tf.where(weights > 0, per_window, tf.zeros_like(per_window))
                loss = tf.reduce_sum(safe * weights) / tf.reduce_sum(weights)
            return loss, tape.gradient(loss, theta), per_window

        self.evaluate = evaluate

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray, int]:
        """(loss, gradient, blown-up windows) at theta."""
        starts = self.data.starts.copy()
        weights = np.ones(len(starts))
        loss, grad, per_window = self.evaluate(tf.constant(theta, tf.float64),
                                               tf.constant(starts, tf.float64),
                                               tf.constant(weights, tf.float64))
        per_window = per_window.numpy()
        bad = ~(np.isfinite(per_window) & (per_window <= self.blowup_loss))
        if bad.any() and not bad.all():
            starts[bad] = 0.0
            weights[bad] = 0.0
            loss, grad, _ = self.evaluate(tf.constant(theta, tf.float64),
                                          tf.constant(starts, tf.float64),
                                          tf.constant(weights, tf.float64))
        value, grad = float(loss.numpy()), np.asarray(grad.numpy(), dtype=np.float64)
        if bad.all() or not math.isfinite(value) or not np.isfinite(grad).all():
            return self.blowup_loss, np.zeros_like(theta), int(bad.sum()) or len(bad)
        return value, grad, int(bad.sum())


def _recorder(steps: int, history: list[tuple[int, float]],
              progress: Callable[[str], None] | None) -> Callable[[Any], None]:
    """An L-BFGS callback (SciPy passes the result to a one-argument ``intermediate_result``)."""

    def record(intermediate_result: Any) -> None:
        history.append((steps, float(intermediate_result.fun)))
        if progress is not None:
            progress(f"K = {steps}: iteration {len(history)}, trajectory loss "
                     f"{history[-1][1]:.6g}")

    return record


def train_burgers_pair(
    problem: Any, flux_space: AffineStencilSpace, diffusion_space: AffineStencilSpace,
    stage_data: Sequence[tuple[int, TrainingWindows]], *, dt: float, stepper: str = "rk4",
    theta0: np.ndarray | None = None, max_iterations: int = 60, clipnorm: float = 1e3,
    blowup_loss: float = 10.0, progress: Callable[[str], None] | None = None,
    provenance: dict[str, Any] | None = None,
) -> PairResult:
    """Fit the flux's u_x and the u_xx stencil of ``problem`` through its RK stepping.

    Args:
        problem: A :class:`solvers.Burgers` on the coarse grid (its stencils are replaced;
            viscosity, form and grid are kept; its forcing is replaced by each window's).
        flux_space: The flux derivative's constrained coefficients.
        diffusion_space: The second derivative's.
        stage_data: The curriculum: (K, windows for K) per stage, K growing.
        dt: The solver step.
        stepper: The Runge-Kutta method.
        theta0: Start (flux's parameters first); None: zeros.
        max_iterations: L-BFGS iterations per stage.
        clipnorm: Gradients longer than this are scaled down to it.
        blowup_loss: A window's relative MSE above this (or non-finite) is a blow-up.
        progress: Called with a line per iteration (None: silent).
        provenance: Extra provenance recorded in both stencils.

    Returns:
        A :class:`PairResult` (deterministic for the same inputs).
    """
    theta = np.zeros(flux_space.dim + diffusion_space.dim) if theta0 is None else np.array(
        theta0, dtype=np.float64)
    history: list[tuple[int, float]] = []
    losses, initial_losses = [], []
    counts = {"evaluations": 0, "blowups": 0}
    started = time.perf_counter()
    for steps, data in stage_data:
        stage = _StageLoss(problem, flux_space, diffusion_space, data, dt=dt, steps=steps,
                           stepper=stepper, blowup_loss=blowup_loss)

        def fun(x: np.ndarray, stage: _StageLoss = stage) -> tuple[float, np.ndarray]:
            value, grad, blown = stage(x)
            counts["evaluations"] += 1
            counts["blowups"] += blown
            norm = float(np.linalg.norm(grad))
            return value, grad * (clipnorm / norm) if norm > clipnorm else grad

        initial_losses.append(fun(theta)[0])

        result = scipy.optimize.minimize(
            fun, theta, jac=True, method="L-BFGS-B", callback=_recorder(steps, history, progress),
            options={"maxiter": max_iterations, "ftol": 1e-12, "gtol": 1e-10, "maxcor": 20})
        theta = np.asarray(result.x, dtype=np.float64)
        losses.append(float(result.fun))
    seconds = time.perf_counter() - started
    common = {"method": "trajectory", "equation": "burgers", "stepper": stepper,
              "dt": float(dt), "n": int(problem.grid.n), "viscosity": float(problem.viscosity),
              "form": problem.form, "curriculum": [int(k) for k, _ in stage_data],
              "loss": losses[-1], **(provenance or {})}
    flux = Stencil(flux_space.offsets, flux_space.coefficients(theta[: flux_space.dim]), 1,
                   name="trajectory-burgers-flux",
                   provenance={**common, "accuracy_order": flux_space.accuracy_order})
    diffusion = Stencil(diffusion_space.offsets,
                        diffusion_space.coefficients(theta[flux_space.dim:]), 2,
                        name="trajectory-burgers-diffusion",
                        provenance={**common, "accuracy_order": diffusion_space.accuracy_order})
    return PairResult(flux, diffusion, theta, tuple(losses), tuple(initial_losses),
                      counts["blowups"], counts["evaluations"], seconds, history)
