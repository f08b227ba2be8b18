"""The TensorFlow stepper against the NumPy solver, and its gradients against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import solvers
from learned_ops import backward_stencil, central_stencil
from learned_ops.trajectory import sine_sums

pytestmark = pytest.mark.tensorflow

STEPPERS = ["rk4", "ssprk3", "euler"]


def _grid() -> solvers.Grid:
    return solvers.Grid.periodic(24)


def _problems() -> dict[str, solvers.Problem]:
    grid = _grid()
    d1, d2 = central_stencil(1, 4), central_stencil(2, 4)
    forcing = solvers.TravellingWaves.random(5, grid.length, count=6)
    cases: dict[str, solvers.Problem] = {
        "advection": solvers.Advection(0.8, d1, grid),
        "heat": solvers.Heat(0.3, d2, grid),
        "heat-composed": solvers.Heat(0.3, (d1, d1), grid),
    }
    for form in ("conservative", "advective", "skew"):
        cases[f"burgers-{form}"] = solvers.Burgers(0.08, d1, d2, grid, form=form)
        cases[f"burgers-{form}-forced"] = solvers.Burgers(0.08, d1, d2, grid, form=form,
                                                          forcing=forcing)
    cases["burgers-inviscid-forced"] = solvers.Burgers(0.0, d1, None, grid, form="skew",
                                                       forcing=forcing)
    cases["advection-upwind"] = solvers.Advection(0.8, backward_stencil(1, 2), grid)
    return cases


PROBLEMS = _problems()


def _dt(problem: solvers.Problem, stepper: str) -> float:
    from solvers.stability import stability_limit

    limit = stability_limit(problem.for_state(_initial(), 1.0), solvers.get_tableau(stepper))
    return 0.5 * limit.dt if np.isfinite(limit.dt) else 0.01


def _initial() -> np.ndarray:
    return 0.5 * sine_sums(_grid().x, 3, 11, k_max=4)


@pytest.mark.parametrize("stepper", STEPPERS)
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_trajectory_equals_the_numpy_solver(name: str, stepper: str) -> None:
    from learned_ops.trajectory.stepper import rollout, system_from_problem

    problem = PROBLEMS[name]
    if stepper == "euler" and name in ("advection", "burgers-inviscid-forced"):
        pytest.skip("forward Euler has no stable step with a central first derivative")
    u0, steps = _initial(), 12
    dt = _dt(problem, stepper)
    solution = solvers.solve(problem, u0, steps * dt, stepper=stepper, dt=dt,
                             save_times=[dt * k for k in range(1, steps + 1)], kernel="numpy")
    assert solution.info.steps == steps
    ours = rollout(system_from_problem(problem), u0, dt, steps, stepper=stepper).numpy()
    theirs = solution.snapshots
    assert ours.shape == theirs.shape == (steps + 1, *u0.shape)
    gap = float(np.abs(ours - theirs).max() / np.abs(theirs).max())
    assert gap <= 1e-12, f"{name} {stepper}: relative gap {gap:.3g}"
    every = rollout(system_from_problem(problem), u0, dt, steps, stepper=stepper, every=5)
    np.testing.assert_array_equal(every.numpy(), ours[::5])


def test_a_single_state_and_zero_steps() -> None:
    from learned_ops.trajectory.stepper import rollout, system_from_problem

    problem = PROBLEMS["burgers-skew-forced"]
    u0 = _initial()
    system = system_from_problem(problem)
    batched = rollout(system, u0, 0.01, 4).numpy()
    single = rollout(system, u0[1], 0.01, 4).numpy()
    np.testing.assert_allclose(single, batched[:, 1], rtol=0, atol=1e-15)
    assert rollout(system, u0, 0.01, 0).shape == (1, *u0.shape)


@pytest.mark.parametrize(("name", "stepper"), [("advection", "rk4"), ("heat", "ssprk3"),
                                               ("burgers-skew-forced", "rk4"),
                                               ("burgers-conservative", "ssprk3")])
def test_gradients_match_central_differences(name: str, stepper: str) -> None:
    import tensorflow as tf

    from learned_ops.trajectory.stepper import rollout, system_from_problem

    problem = PROBLEMS[name]
    system = system_from_problem(problem)
    u0, steps, dt = _initial(), 8, _dt(problem, stepper)
    weights = np.random.default_rng(3).standard_normal((steps + 1, *u0.shape))
    values = system.default_coefficients()

    def loss(coefficients: list) -> tf.Tensor:
        states = rollout(system, u0, dt, steps, stepper=stepper, coefficients=coefficients)
        return tf.reduce_sum(weights * states**2)

    variables = [tf.Variable(v) for v in values]
    with tf.GradientTape() as tape:
        value = loss(variables)
    gradients = [g.numpy() for g in tape.gradient(value, variables)]
    for slot in range(len(values)):
        for tap in (0, len(values[slot]) // 2):
            eps = 1e-5
            plus = [v.copy() for v in values]
            minus = [v.copy() for v in values]
            plus[slot][tap] += eps
            minus[slot][tap] -= eps
            numeric = (float(loss(plus)) - float(loss(minus))) / (2 * eps)
            exact = gradients[slot][tap]
            assert abs(exact - numeric) <= 1e-6 * max(abs(numeric), 1e-3 * abs(float(value))), (
                f"slot {slot} tap {tap}: {exact} vs {numeric}")
