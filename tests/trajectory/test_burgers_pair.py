"""Training Burgers' pair through the solver: batched forcings, the loss, blow-ups, training."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import solvers
from learned_ops.textbook import textbook_stencil
from learned_ops.training.constraints import stencil_space
from learned_ops.trajectory.fine_truth import FineTruthSpec
from learned_ops.trajectory.truth_cache import coarse_truths

pytestmark = pytest.mark.tensorflow

PERIOD = 2.0 * math.pi
N = 32
OFFSETS = (-2, -1, 0, 1, 2)
DT = 1e-3


@pytest.fixture(scope="module")
def truth() -> tuple[np.ndarray, np.ndarray, list]:
    specs = [FineTruthSpec(seed=s, t_final=1.0, n_fine=256) for s in (21, 22)]
    times, snapshots = coarse_truths(specs, N, use_cache=False)
    return times, snapshots, [spec.forcing() for spec in specs]


def _problem(forcing: object) -> solvers.Burgers:
    grid = solvers.Grid.periodic(N, 0.0, PERIOD)
    return solvers.Burgers(0.04, textbook_stencil(1, OFFSETS), textbook_stencil(2, OFFSETS), grid,
                           forcing=forcing, speed=1.0)


def _solver_windows(data, flux, diffusion) -> np.ndarray:
    """The windows run by the NumPy/compiled solver: shape like ``data.truths``."""
    from learned_ops.trajectory.evaluate import run_pair

    runs = []
    for start, forcing in zip(data.starts, data.forcings, strict=True):
        duration = DT * data.stride * (len(data.truths) - 1)
        snapshots, blew_up = run_pair(flux, diffusion, start, forcing, viscosity=0.04,
                                      period=PERIOD, duration=duration, dt=DT,
                                      save_interval=DT * data.stride)
        assert not blew_up
        runs.append(snapshots)
    return np.stack(runs, axis=1)


def test_batched_forcings_step_each_row_as_the_solver_does(truth) -> None:
    from learned_ops.trajectory.burgers_pair import windows
    from learned_ops.trajectory.stepper import ForcingBatch, rollout, system_from_problem

    times, snapshots, forcings = truth
    data = windows(times, snapshots, forcings, dt=DT, steps=50, per_trajectory=2,
                   window=(0.2, 1.0), seed=3)
    system = dataclasses.replace(system_from_problem(_problem(forcings[0])),
                                 forcing=ForcingBatch(data.forcings))
    ours = rollout(system, data.starts, DT, 50, every=data.stride).numpy()
    theirs = _solver_windows(data, textbook_stencil(1, OFFSETS), textbook_stencil(2, OFFSETS))
    assert np.max(np.abs(ours - theirs)) < 1e-12
    assert len({f.seed for f in data.forcings}) == 2  # rows really differ in forcing


def test_windows_refuse_what_does_not_fit(truth) -> None:
    from learned_ops.trajectory.burgers_pair import windows

    times, snapshots, forcings = truth
    with pytest.raises(ValueError, match="multiple of the 10 steps"):
        windows(times, snapshots, forcings, dt=DT, steps=55, per_trajectory=1,
                window=(0.0, 1.0), seed=0)
    with pytest.raises(ValueError, match="does not fit"):
        windows(times, snapshots, forcings, dt=DT, steps=900, per_trajectory=1,
                window=(0.5, 1.0), seed=0)


def test_a_blown_up_window_is_counted_and_left_out(truth) -> None:
    from learned_ops.trajectory.burgers_pair import _StageLoss, windows

    times, snapshots, forcings = truth
    data = windows(times, snapshots, forcings, dt=DT, steps=50, per_trajectory=2,
                   window=(0.2, 1.0), seed=3)
    spaces = (stencil_space(OFFSETS, 1, 2, symmetric=True),
              stencil_space(OFFSETS, 2, 2, symmetric=True))
    theta = np.zeros(spaces[0].dim + spaces[1].dim)
    clean = _StageLoss(_problem(forcings[0]), *spaces, data, dt=DT, steps=50, stepper="rk4",
                       blowup_loss=10.0)
    loss_clean, _grad_clean, blown = clean(theta)
    assert blown == 0
    starts = data.starts.copy()
    starts[1] = 1e150  # its square overflows: non-finite from the first stage on
    broken = dataclasses.replace(data, starts=starts)
    stage = _StageLoss(_problem(forcings[0]), *spaces, broken, dt=DT, steps=50, stepper="rk4",
                       blowup_loss=10.0)
    loss, grad, blown = stage(theta)
    assert blown == 1
    assert np.isfinite(grad).all()
    per_window = clean.evaluate(*(clean_args(theta, data)))[2].numpy()
    others = np.delete(per_window, 1)
    assert loss == pytest.approx(float(np.mean(others)), rel=1e-12)
    assert loss != pytest.approx(loss_clean, rel=1e-6)


def clean_args(theta: np.ndarray, data) -> tuple:
    from learned_ops.trajectory.stepper import tf

    return (tf.constant(theta, tf.float64), tf.constant(data.starts, tf.float64),
            tf.constant(np.ones(len(data.starts)), tf.float64))


@pytest.mark.slow
def test_training_lowers_the_solvers_own_trajectory_loss(truth) -> None:
    """The trained pair keeps its orders, lowers the loss, and the loss TensorFlow minimised is
    the one the solver's own runs give (to round-off)."""
    from learned_ops.trajectory.burgers_pair import theta_nearest, train_burgers_pair, windows

    times, snapshots, forcings = truth
    flux_space = stencil_space(OFFSETS, 1, 2, symmetric=True)
    diffusion_space = stencil_space(OFFSETS, 2, 2, symmetric=True)
    stages = [(k, windows(times, snapshots, forcings, dt=DT, steps=k, per_trajectory=3,
                          window=(0.2, 1.0), seed=k)) for k in (30, 80)]
    theta0 = np.concatenate([theta_nearest(flux_space, textbook_stencil(1, OFFSETS).coefficients),
                             theta_nearest(diffusion_space,
                                           textbook_stencil(2, OFFSETS).coefficients)])
    result = train_burgers_pair(_problem(forcings[0]), flux_space, diffusion_space, stages,
                                dt=DT, theta0=theta0, max_iterations=10)
    assert result.losses[-1] < 0.95 * result.initial_losses[-1]
    assert result.flux.accuracy_order >= 2
    assert result.diffusion.accuracy_order >= 2
    assert result.blowups == 0
    data = stages[-1][1]
    runs = _solver_windows(data, result.flux, result.diffusion)
    error = np.sum((runs[1:] - data.truths[1:]) ** 2, axis=-1)
    solver_loss = float(np.mean(error / np.sum(data.truths[1:] ** 2, axis=-1)))
    assert solver_loss == pytest.approx(result.losses[-1], rel=1e-9)
