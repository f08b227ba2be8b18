"""Training several stencils in one run: each result is the one it gets alone.

Joint and solo runs sum the same gradients in different graphs, so they may differ by float64
round-off, which the iteration may carry forward; tolerances below bound what that can do:

* default recipe: each run stops once an epoch moves its coefficients by < 1e-10, and the
  whitened iteration contracts >= 2x per epoch (checked), so each result lies within its last
  change of the same least-squares optimum: they differ by at most the sum of the two.
* seed recipe (Adam, S steps of size <= lr = 0.1 in the raw kernel w = c / dx): a gradient
  summed over N ~ 2e5 terms is off by at most N eps ~ 2e-11 relative, which moves an Adam step
  by <= lr * 2e-11; over S = 10 steps that is 2e-11 in w, 2e-13 in c. SEED_TOL allows 500x
  for the feedback through later gradients.

One test keeps bit-for-bit equality as a statement about this platform only.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from learned_ops.errors import TrainingError, TrainingInterrupted
from learned_ops.training import StencilRequest, train_stencil, train_stencils
from learned_ops.training.recipes import recipe_settings

pytestmark = pytest.mark.tensorflow

REQUESTS = [
    StencilRequest((0, 1)),
    StencilRequest((-1, 0), name="backward"),
    StencilRequest((-2, -1, 0, 1, 2), accuracy_order=2),
    StencilRequest((-1, 0, 1), 2),
    StencilRequest((0, 1), target="centre"),
    StencilRequest((-3, -2, -1, 0, 1, 2, 3), accuracy_order=2, symmetric=True),
    StencilRequest((1, 2, 3)),  # its node targets lie left of the samples: own target array
]


SEED_TOL = 1e-10


def _stopping_bound(*results) -> float:
    """Sum of each converged run's distance bound to the optimum (its last epoch's change)."""
    bound = 0.0
    for result in results:
        changes = [record["change"] for record in result.history]
        assert changes[-1] < recipe_settings("default").tolerance  # stopped by the rule
        assert changes[-1] <= 0.5 * changes[-2]  # contracting: the last change bounds the rest
        bound += changes[-1]
    return bound


def _alone(request: StencilRequest, **options) -> object:
    return train_stencil(request.offsets, request.derivative_order,
                         accuracy_order=request.accuracy_order, target=request.target,
                         symmetric=request.symmetric, name=request.name, progress=None,
                         **options)


@pytest.mark.parametrize("recipe", ["default", "seed"])
def test_each_stencil_trained_together_equals_it_trained_alone(recipe, small_splits) -> None:
    settings = recipe_settings(recipe, epochs=2 if recipe == "seed" else None)
    together = train_stencils(REQUESTS, splits=small_splits, settings=settings, seed=3,
                              progress=None)
    assert len(together) == len(REQUESTS)
    for request, joint in zip(REQUESTS, together, strict=True):
        alone = _alone(request, splits=small_splits, settings=settings, seed=3)
        assert joint.stencil.offsets == tuple(request.offsets)
        tol = _stopping_bound(joint, alone) if recipe == "default" else SEED_TOL
        np.testing.assert_allclose(joint.stencil.coefficients, alone.stencil.coefficients,
                                   rtol=0, atol=tol, err_msg=request.label)
        epochs = min(joint.epochs_run, alone.epochs_run)
        assert abs(joint.epochs_run - alone.epochs_run) <= (1 if recipe == "default" else 0)
        np.testing.assert_allclose([h["train_mse"] for h in joint.history[:epochs]],
                                   [h["train_mse"] for h in alone.history[:epochs]], rtol=1e-9)
        for split in ("train_mse", "val_mse", "test_mse"):
            assert getattr(joint, split) == pytest.approx(getattr(alone, split), rel=1e-9)
    if recipe == "default":  # stencils converge at different epochs and stop on their own
        assert len({r.epochs_run for r in together}) > 1


def test_joint_and_solo_training_agree_bitwise_on_this_platform(small_splits) -> None:
    """Platform-specific (the only bitwise test of training): with TensorFlow's op determinism
    on, this machine sums the joint and the solo gradients in the same order. Another CPU or
    library version may legitimately round differently; the tolerance test above is the
    property."""
    together = train_stencils(REQUESTS[:2], splits=small_splits, progress=None)
    for request, joint in zip(REQUESTS[:2], together, strict=True):
        alone = _alone(request, splits=small_splits)
        np.testing.assert_array_equal(joint.stencil.coefficients, alone.stencil.coefficients)


def test_a_converged_stencil_stops_moving_while_others_go_on(small_splits) -> None:
    together = train_stencils(REQUESTS[:3], splits=small_splits, progress=None)
    finished = min(together, key=lambda r: r.epochs_run)
    longest = max(r.epochs_run for r in together)
    assert finished.epochs_run < longest
    assert finished.history[-1]["change"] < recipe_settings("default").tolerance


def test_training_inside_a_strategy_scope_is_refused_with_the_way_out(small_splits) -> None:
    import tensorflow as tf

    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with strategy.scope(), pytest.raises(TrainingError, match="pass strategy=strategy"):
        train_stencils(REQUESTS[:2], splits=small_splits, progress=None)
    inside = train_stencils(REQUESTS[:2], splits=small_splits, strategy=strategy, progress=None)
    outside = train_stencils(REQUESTS[:2], splits=small_splits, progress=None)
    for a, b in zip(inside, outside, strict=True):
        np.testing.assert_allclose(a.stencil.coefficients, b.stencil.coefficients, rtol=0,
                                   atol=1e-12)


def test_numpy_error_settings_reach_the_background_preparation(small_splits) -> None:
    """The data are prepared in a thread; NumPy's errstate (thread-local) must still apply."""
    import learned_ops.training.api as training

    seen = []
    original = training._prepare

    def spy(*args):
        seen.append(np.geterr())
        return original(*args)

    training._prepare = spy
    try:
        with np.errstate(all="raise", under="ignore"):
            train_stencils(REQUESTS[:1], splits=small_splits, progress=None)
    finally:
        training._prepare = original
    assert seen == [{"divide": "raise", "over": "raise", "under": "ignore", "invalid": "raise"}]


def test_nothing_to_train_is_refused(small_splits) -> None:
    with pytest.raises(TrainingError, match="at least one"):
        train_stencils([], splits=small_splits, progress=None)
    with pytest.raises(TrainingError, match="must be a StencilRequest"):
        train_stencils([(0, 1)], splits=small_splits, progress=None)  # type: ignore[list-item]


def test_an_interrupted_joint_run_resumes_to_the_uninterrupted_result(small_splits,
                                                                      tmp_path) -> None:
    checkpoint = tmp_path / "run.ckpt.json"
    uninterrupted = train_stencils(REQUESTS[:3], splits=small_splits, progress=None)
    messages: list[str] = []

    def interrupt_in_epoch_three(message: str) -> None:
        messages.append(message)
        if message.startswith("epoch 3/"):
            raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted, match="after epoch 3"):
        train_stencils(REQUESTS[:3], splits=small_splits, checkpoint=checkpoint,
                       progress=interrupt_in_epoch_three)
    saved = json.loads(checkpoint.read_text())
    assert saved["epoch"] == 3  # the epoch reported is the epoch kept
    assert len(saved["thetas"]) == 3
    resumed = train_stencils(REQUESTS[:3], splits=small_splits, checkpoint=checkpoint,
                             resume=True, progress=None)
    for a, b in zip(uninterrupted, resumed, strict=True):
        np.testing.assert_allclose(a.stencil.coefficients, b.stencil.coefficients, rtol=0,
                                   atol=_stopping_bound(a, b))
        assert abs(a.epochs_run - b.epochs_run) <= 1
    with pytest.raises(TrainingError, match="different data, stencil or settings"):
        train_stencils(REQUESTS[:2], splits=small_splits, checkpoint=checkpoint, resume=True,
                       progress=None)


def test_pretrained_builds_train_specs_on_the_same_data_together() -> None:
    from learned_ops.pretrained.build import PretrainedSpec, build_many, build_one

    specs = [
        PretrainedSpec("a", (-2, -1, 0, 1, 2), 1, 2, "default", "seed", "a", samples=1500,
                       symmetric=True),
        PretrainedSpec("b", (-1, 0, 1), 2, None, "default", "seed", "b", samples=1500),
        PretrainedSpec("c", (-1, 0, 1), 1, None, "default", "band", "c", theta_max=1.0,
                       samples=1500),
    ]
    many = build_many(specs)
    assert [s.name for s in many] == ["a", "b", "c"]
    for spec, stencil in zip(specs, many, strict=True):
        alone = build_one(spec)
        bound = sum(s.provenance["history"][-1]["change"] for s in (stencil, alone))
        assert bound < 2 * recipe_settings("default").tolerance  # both converged
        np.testing.assert_allclose(stencil.coefficients, alone.coefficients, rtol=0, atol=bound)
        assert stencil.provenance["built_by"] == "learned_ops.pretrained.build"
