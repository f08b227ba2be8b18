"""Gradient training in Keras: lands on the optimum, keeps constraints, float64, determinism."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest

from learned_ops.data import SeedFamily, Splits, make_splits
from learned_ops.errors import NothingToLearnError, TrainingError
from learned_ops.operator_file import load_stencil, save_stencil
from learned_ops.training import fit_least_squares, train_stencil
from learned_ops.training.constraints import moment_conditions
from learned_ops.training.objective import Objective
from learned_ops.training.recipes import recipe_settings

pytestmark = pytest.mark.tensorflow

CASES = [
    ((0, 1), 1, None), ((-1, 0), 1, None), ((-1, 0, 1), 1, None),
    ((-2, -1, 0, 1, 2), 1, None), ((-1, 0, 1), 1, 1), ((-2, -1, 0, 1, 2), 1, 1),
    ((-2, -1, 0, 1, 2), 1, 2), ((-2, -1, 0, 1), 1, 2), ((-2, -1, 0, 1, 2), 2, 2),
]


@pytest.mark.parametrize(("offsets", "m", "p"), CASES)
def test_default_training_lands_within_1e6_of_the_optimum(offsets, m, p, small_splits) -> None:
    trained = train_stencil(offsets, m, accuracy_order=p, splits=small_splits, progress=None)
    oracle = fit_least_squares(offsets, m, accuracy_order=p, splits=small_splits)
    gap = np.max(np.abs(trained.stencil.coefficients - oracle.stencil.coefficients))
    assert gap <= 1e-6, f"trained {trained.stencil.coefficients} vs {oracle.stencil.coefficients}"
    assert trained.epochs_run >= 3  # a genuine iteration, not a one-step solve
    assert trained.history[0]["train_mse"] > trained.history[-1]["train_mse"]
    if p is not None:
        a, b = moment_conditions(offsets, m, p)
        np.testing.assert_allclose(a @ trained.stencil.coefficients, b, rtol=0, atol=1e-12)
        assert trained.stencil.accuracy_order >= p


# Fornberg's 5-point central first derivative, the classical order-4 stencil (exact rationals)
TEXTBOOK_D1_5 = np.array([1.0, -8.0, 0.0, 8.0, -1.0]) / 12.0


def _record_iterates(monkeypatch: pytest.MonkeyPatch) -> list[np.ndarray]:
    """Every coefficient vector the trainer reads: before the first step and after each epoch."""
    from learned_ops.training.loop import KerasRun

    seen: list[np.ndarray] = []
    original = KerasRun.coefficients

    def recording(self: KerasRun, index: int) -> np.ndarray:
        coefficients = original(self, index)
        seen.append(np.array(coefficients))
        return coefficients

    monkeypatch.setattr(KerasRun, "coefficients", recording)
    return seen


def test_step_zero_is_the_textbook_stencil(small_splits, monkeypatch) -> None:
    """The default recipe starts at theta = 0, which is the classical stencil."""
    seen = _record_iterates(monkeypatch)
    train_stencil((-2, -1, 0, 1, 2), 1, accuracy_order=2, splits=small_splits,
                  settings=recipe_settings("default", epochs=1), progress=None)
    # c = (c0 / dx) * dx: a few float64 round-offs of values below 1
    np.testing.assert_allclose(seen[0], TEXTBOOK_D1_5, rtol=0, atol=1e-15)
    assert np.max(np.abs(seen[-1] - TEXTBOOK_D1_5)) > 1e-6  # and training left it


@pytest.mark.parametrize("recipe", ["default", "seed"])
def test_constraints_hold_at_every_step(recipe: str, small_splits, monkeypatch) -> None:
    """Full-batch epochs are one optimizer step each, so the iterates seen at the epochs' ends
    are every iterate; each satisfies the order-2 moment conditions."""
    offsets, m, p, epochs = (-3, -2, -1, 0, 1, 2, 3), 1, 2, 4
    settings = replace(recipe_settings(recipe, epochs=epochs, tolerance=0.0), batch_size=None,
                       shuffle=False)
    seen = _record_iterates(monkeypatch)
    result = train_stencil(offsets, m, accuracy_order=p, splits=small_splits, settings=settings,
                           progress=None)
    assert [record["steps"] for record in result.history] == [1] * epochs
    assert len(seen) >= epochs + 1
    moves = [np.max(np.abs(after - before)) for before, after in pairwise(seen[: epochs + 1])]
    assert min(moves) > 1e-9, moves  # every step moved the stencil
    a, b = moment_conditions(offsets, m, p)
    for step, coefficients in enumerate(seen):
        np.testing.assert_allclose(a @ coefficients, b, rtol=0, atol=1e-12,
                                   err_msg=f"iterate {step}")


def test_the_optimizer_can_move_only_theta_and_every_theta_has_the_order() -> None:
    """Minibatch steps inside an epoch are not observable one by one; instead: theta is the
    layer's only trainable variable and any theta (here of size 1e3) keeps the order."""
    from learned_ops.training.constraints import stencil_space
    from learned_ops.training.layer import StencilLayer

    offsets, m, p = (-3, -2, -1, 0, 1, 2, 3), 1, 2
    space = stencil_space(offsets, m, p)
    a, b = moment_conditions(offsets, m, p)
    rng = np.random.default_rng(3)
    for _ in range(5):
        theta = rng.uniform(-1e3, 1e3, space.dim)
        layer = StencilLayer(list(offsets), m, 0.01, space.base.tolist(), space.basis.tolist(),
                             theta.tolist())
        assert [w.path for w in layer.trainable_weights] == [layer.theta.path]
        coefficients = layer.dimensionless_coefficients()
        # |c| ~ 1e3 and |a| <= 4.5: round-off ~1e3 * 4.5 * 7 * 2.2e-16 ~ 1e-11
        np.testing.assert_allclose(a @ coefficients, b, rtol=0, atol=1e-10)


def test_float64_survives_the_forward_pass_and_the_gradient() -> None:
    import tensorflow as tf

    from learned_ops.training.layer import StencilLayer

    rng = np.random.default_rng(0)
    layer = StencilLayer([-1, 0, 1], 1, 0.01, [0.0] * 3, (np.eye(3) * 0.01).tolist(),
                         [-50.0, 0.0, 50.0])
    u = rng.uniform(-1, 1, size=(4, 50))
    delta = np.zeros_like(u)
    delta[:, 20] = 1e-10
    out = layer(tf.constant(u)).numpy()
    out_perturbed = layer(tf.constant(u + delta)).numpy()
    assert out.dtype == np.float64
    assert layer.theta.dtype == "float64"
    # output 18 reads u[18:21] with weight +50 on u[20]: the 1e-10 change must show as 5e-9
    np.testing.assert_allclose(out_perturbed[:, 18] - out[:, 18], 50 * 1e-10, rtol=1e-4)

    def grad(values: np.ndarray) -> np.ndarray:
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(layer(tf.constant(values))))
        return tape.gradient(loss, layer.theta).numpy()

    assert not np.array_equal(grad(u), grad(u + delta))
    # float32 input is widened (losslessly) to float64, never the other way round
    assert layer(tf.constant(u, dtype=tf.float32)).dtype == tf.float64


def test_layer_on_raw_samples_equals_layer_on_windows_and_numpy() -> None:
    import tensorflow as tf

    from learned_ops.training.layer import StencilLayer

    rng = np.random.default_rng(5)
    offsets = [-2, 0, 3]  # sparse offsets: the windows skip nodes
    layer = StencilLayer(offsets, 1, 0.01, [0.0] * 3, (np.eye(3) * 0.01).tolist(),
                         rng.uniform(-2, 2, 3).tolist())
    u = rng.uniform(-1, 1, size=(6, 40))
    raw = layer(tf.constant(u)).numpy()
    windows = layer(layer.windows(tf.constant(u))).numpy()
    kernel = layer.kernel().numpy()
    expected = sum(kernel[j] * u[:, o + 2 : o + 2 + 35] for j, o in enumerate(offsets))
    assert raw.shape == (6, 35)
    np.testing.assert_allclose(raw, windows, rtol=0, atol=1e-12)
    np.testing.assert_allclose(raw, expected, rtol=0, atol=1e-12)


def test_training_loss_is_float64_exact(small_splits) -> None:
    result = train_stencil((-1, 0, 1), 1, splits=small_splits, progress=None)
    objective = Objective(small_splits, (-1, 0, 1), 1)
    # the history's loss (computed by TensorFlow) matches NumPy's float64 MSE of the same
    # final-but-one coefficients to float64 round-off, not float32's ~1e-7
    final = result.stencil.coefficients
    assert abs(objective.mse(final, "train") - result.train_mse) <= 1e-12 * result.train_mse
    assert abs(result.history[-1]["train_mse"] - result.train_mse) <= 1e-9 * result.train_mse


def _least_squares_by_numpy(splits: Splits, offsets: tuple[int, ...], m: int) -> np.ndarray:
    """The free node-target least-squares stencil, solved here with ``np.linalg.lstsq``."""
    u, target = splits.arrays("train", m, target_shift=-offsets[0])
    outputs = u.shape[1] - (offsets[-1] - offsets[0])
    columns = [u[:, o - offsets[0] : o - offsets[0] + outputs].ravel() for o in offsets]
    design = np.stack(columns, axis=1) / splits.family.dx**m
    return np.linalg.lstsq(design, target[:, :outputs].ravel(), rcond=None)[0]


def test_the_trained_stencil_follows_a_tiny_move_of_the_least_squares_optimum() -> None:
    """Stretching dx by 1e-6 moves the optimum by 6e-8, one float32 spacing of the coefficients
    (~0.52): the trained stencil moves by the same amount, to within what
    the stopping rule leaves (each run stops once an epoch moves the coefficients by less than
    1e-10; with the whitened iteration contracting >= 2x per epoch, the distance to the optimum
    is at most that last change). A common scale of the data (amplitude_max) would not move the
    optimum at all, so it is not used."""
    offsets, m = (-1, 0, 1), 1
    runs = []
    for dx in (0.01, 0.01 * (1 + 1e-6)):
        splits = make_splits(SeedFamily(dx=dx), 1000, 3)
        result = train_stencil(offsets, m, splits=splits, progress=None)
        changes = [record["change"] for record in result.history]
        assert changes[-1] < 1e-10  # stopped by the rule, not by the epoch limit
        assert changes[-1] <= 0.5 * changes[-2]  # contracting: the bound below applies
        runs.append((result.stencil.coefficients, _least_squares_by_numpy(splits, offsets, m),
                     changes[-1]))
    (trained_a, optimum_a, last_a), (trained_b, optimum_b, last_b) = runs
    optimum_move = optimum_b - optimum_a
    tolerance = last_a + last_b
    assert np.max(np.abs(optimum_move)) > 1000 * tolerance  # the test can see the move
    np.testing.assert_allclose(trained_b - trained_a, optimum_move, rtol=0, atol=tolerance)


@pytest.mark.parametrize("recipe", ["default", "seed"])
def test_same_seed_same_result(recipe: str, small_splits) -> None:
    settings = recipe_settings(recipe, epochs=3)
    first = train_stencil((-1, 0, 1), 1, splits=small_splits, settings=settings, seed=4,
                          progress=None)
    second = train_stencil((-1, 0, 1), 1, splits=small_splits, settings=settings, seed=4,
                           progress=None)
    assert np.array_equal(first.stencil.coefficients, second.stencil.coefficients)


def test_streaming_gives_the_in_memory_result(small_splits) -> None:
    memory = train_stencil((-2, -1, 0, 1, 2), 1, accuracy_order=2, splits=small_splits,
                           progress=None)
    streamed = train_stencil((-2, -1, 0, 1, 2), 1, accuracy_order=2, splits=small_splits,
                             stream=True, progress=None)
    np.testing.assert_allclose(streamed.stencil.coefficients, memory.stencil.coefficients,
                               rtol=0, atol=1e-10)
    assert streamed.stencil.provenance["streaming"] is True


def test_streaming_refuses_per_epoch_shuffling(small_splits) -> None:
    """Streaming reads samples in order; the seed recipe reshuffles: refused, not ignored."""
    with pytest.raises(TrainingError, match="shuffle"):
        train_stencil((0, 1), 1, splits=small_splits, recipe="seed", stream=True,
                      progress=None)


def test_provenance_records_data_seed_settings_losses_versions(small_splits, tmp_path) -> None:
    result = train_stencil((-1, 0, 1), 1, splits=small_splits, seed=2, progress=None)
    prov = result.stencil.provenance
    assert prov["data"]["seed"] == 11
    assert prov["init_seed"] == 2
    assert prov["settings"]["optimizer"] == "sgd"
    assert len(prov["history"]) == result.epochs_run
    assert {"tensorflow", "keras", "numpy"} <= set(prov["versions"])
    assert prov["flagged_inconsistent"] is True  # the free 3-point fit is inconsistent
    path = save_stencil(result.stencil, tmp_path / "op.json")
    loaded = load_stencil(path)
    assert np.array_equal(loaded.coefficients, result.stencil.coefficients)
    assert loaded.provenance["history"] == prov["history"]


def test_nothing_to_learn_and_bad_settings_raise(small_splits) -> None:
    with pytest.raises(NothingToLearnError):
        train_stencil((-1, 0, 1), 1, accuracy_order=2, splits=small_splits, progress=None)
    with pytest.raises(TrainingError, match="learning rate"):
        recipe_settings("default", learning_rate=-1.0)
    with pytest.raises(TrainingError, match="unknown recipe"):
        recipe_settings("adamw")
    with pytest.raises(TrainingError, match="target"):
        train_stencil((0, 1), 1, splits=small_splits, target="left", progress=None)
    with pytest.raises(TrainingError, match="resume needs a checkpoint"):
        train_stencil((0, 1), 1, splits=small_splits, resume=True, progress=None)


def test_keras_bridge_round_trips(tmp_path) -> None:
    import keras

    from learned_ops.textbook import central_stencil
    from learned_ops.training.bridge import keras_layer_from_stencil, stencil_from_keras
    from learned_ops.training.layer import StencilLayer

    stencil = central_stencil(2, 4)
    layer = keras_layer_from_stencil(stencil, 0.05)
    back = stencil_from_keras(layer)
    np.testing.assert_allclose(back.coefficients, stencil.coefficients, rtol=1e-15, atol=1e-15)
    assert back.derivative_order == 2
    # serialisation: config round trip and a .keras file loaded in safe mode
    clone = StencilLayer.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    model = keras.Sequential([keras.Input((40,), dtype="float64"), layer])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(stencil_from_keras(loaded).coefficients, stencil.coefficients,
                               rtol=1e-15, atol=1e-15)


def test_keras_bridge_reads_the_seeds_conv1d() -> None:
    import keras

    from learned_ops.training.bridge import stencil_from_keras

    model = keras.Sequential([keras.Input((400,)), keras.layers.Reshape((400, 1)),
                              keras.layers.Conv1D(1, 2, use_bias=False), keras.layers.Flatten()])
    conv = model.layers[1]
    conv.kernel.assign(np.array([-95.0, 101.3]).reshape(2, 1, 1))
    stencil = stencil_from_keras(model, 0.01, offsets=(0, 1))
    np.testing.assert_allclose(stencil.coefficients, [-0.95, 1.013], rtol=1e-6)
    assert not stencil.is_consistent
    with pytest.raises(TrainingError, match="offsets"):
        stencil_from_keras(model, 0.01)
    dilated = keras.Sequential([keras.Input((400,)), keras.layers.Reshape((400, 1)),
                                keras.layers.Conv1D(1, 2, use_bias=False, dilation_rate=2)])
    with pytest.raises(TrainingError, match="dilation"):
        stencil_from_keras(dilated, 0.01, offsets=(0, 1))
    with pytest.raises(TrainingError, match="dx must be"):
        stencil_from_keras(model, -0.01, offsets=(0, 1))


def test_keras_bridge_refuses_to_relabel_a_stencil_layer() -> None:
    from learned_ops.textbook import central_stencil
    from learned_ops.training.bridge import keras_layer_from_stencil, stencil_from_keras

    layer = keras_layer_from_stencil(central_stencil(1, 2), 0.01)
    with pytest.raises(TrainingError, match="dx"):
        stencil_from_keras(layer, dx=0.02)
    with pytest.raises(TrainingError, match="offsets"):
        stencil_from_keras(layer, offsets=(0, 1, 2))
