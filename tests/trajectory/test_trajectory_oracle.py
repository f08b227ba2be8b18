"""Trajectory training lands on the closed-form Fourier oracle (advection, heat)."""

from __future__ import annotations

import numpy as np
import pytest

import solvers
from learned_ops import central_stencil
from learned_ops.training.constraints import moment_conditions, stencil_space
from learned_ops.trajectory import fourier_loss_for, minimise_fourier_loss, sine_sums
from solvers.stability import stability_limit

pytestmark = pytest.mark.tensorflow

OFFSETS = (-2, -1, 0, 1, 2)
GRID = solvers.Grid.periodic(32)
U0 = sine_sums(GRID.x, 4, 7, k_max=GRID.n // 2)  # every mode, Nyquist included

CASES = {
    "advection": (solvers.Advection(1.0, central_stencil(1, 4), GRID), 1, 16),
    "heat": (solvers.Heat(0.5, central_stencil(2, 4), GRID), 2, 12),
}


def _setting(name: str) -> tuple[solvers.Problem, object, float, int]:
    problem, m, steps = CASES[name]
    limit = stability_limit(problem, solvers.get_tableau("rk4"))
    return problem, stencil_space(OFFSETS, m, 2), 0.9 * limit.dt, steps


@pytest.mark.parametrize("name", list(CASES))
def test_fourier_loss_is_the_trajectory_loss(name: str) -> None:
    from learned_ops.trajectory.stepper import rollout, system_from_problem
    from learned_ops.trajectory.train import trajectory_loss, truth_trajectory

    problem, space, dt, steps = _setting(name)
    oracle = fourier_loss_for(problem, space, dt=dt, steps=steps, u0=U0)
    truth = truth_trajectory(problem, U0, dt, steps)
    system = system_from_problem(problem)
    for seed in range(3):
        c = space.coefficients(0.05 * np.random.default_rng(seed).standard_normal(space.dim))
        predicted = rollout(system.with_offsets(0, OFFSETS, c), U0, dt, steps).numpy()
        assert oracle(c) == pytest.approx(trajectory_loss(predicted, truth), rel=1e-12)
        value, grad = oracle.value_and_gradient(c)
        for j in range(len(c)):
            e = np.zeros(len(c))
            e[j] = 1e-6
            numeric = (oracle(c + e) - oracle(c - e)) / 2e-6
            assert grad[j] == pytest.approx(numeric, rel=1e-6, abs=1e-9 * value)


@pytest.mark.parametrize("name", list(CASES))
def test_trajectory_training_lands_on_the_oracle(name: str) -> None:
    from learned_ops.trajectory import train_trajectory

    problem, space, dt, steps = _setting(name)
    oracle = minimise_fourier_loss(fourier_loss_for(problem, space, dt=dt, steps=steps, u0=U0),
                                   space)
    trained = train_trajectory(problem, U0, space, dt=dt, steps=steps)
    gap = float(np.max(np.abs(trained.stencil.coefficients - oracle.coefficients)))
    assert gap <= 1e-6, f"trained {trained.stencil.coefficients} vs {oracle.coefficients}"
    assert trained.loss == pytest.approx(oracle.loss, rel=1e-9)
    assert trained.loss < 0.9 * trained.initial_loss  # it learned something
    assert trained.iterations >= 3
    a, b = moment_conditions(OFFSETS, space.derivative_order, 2)
    np.testing.assert_allclose(a @ trained.stencil.coefficients, b, rtol=0, atol=1e-12)
    assert trained.history == sorted(trained.history, reverse=True)


def test_blowups_are_capped_and_counted() -> None:
    from learned_ops.trajectory import train_trajectory

    problem, space, dt, _ = _setting("advection")
    trained = train_trajectory(problem, U0, space, dt=dt, steps=24, theta0=np.array([3.0, -3.0]),
                               blowup_loss=1e3, max_iterations=30)
    assert trained.blowups >= 1
    assert np.isfinite(trained.loss)
    assert trained.loss <= 1e3
    again = train_trajectory(problem, U0, space, dt=dt, steps=24, theta0=np.array([3.0, -3.0]),
                             blowup_loss=1e3, max_iterations=30)
    np.testing.assert_array_equal(again.theta, trained.theta)  # deterministic


def test_truth_shape_is_checked() -> None:
    from learned_ops.trajectory import train_trajectory

    problem, space, dt, steps = _setting("heat")
    with pytest.raises(ValueError, match="truth must have shape"):
        train_trajectory(problem, U0, space, dt=dt, steps=steps, truth=np.zeros((2, 4, 32)))
