"""Training that diverges is not a result (issue 13): too few samples, a learning rate beyond
gradient descent's stable limit, a loss that grows: each refused, naming what to change."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from learned_ops.cli.main import main
from learned_ops.data import SeedFamily, Splits, make_splits
from learned_ops.errors import TooFewSamplesError, TrainingDiverged
from learned_ops.training import api as training
from learned_ops.training import train_stencil
from learned_ops.training.objective import Objective
from learned_ops.training.recipes import recipe_settings

OFFSETS = (-1, 0, 1)


@pytest.mark.parametrize(("n_train", "n_val"), [(2, 1), (10, 0)],
                         ids=["fewer-samples-than-parameters", "no-validation-sample"])
def test_too_few_samples_refused_before_any_work(n_train: int, n_val: int) -> None:
    splits = Splits(SeedFamily(), 0, n_train, n_val, 1)
    with pytest.raises(TooFewSamplesError, match=r"at least 3 training samples and 1 valid"):
        train_stencil(OFFSETS, splits=splits, progress=None)


def _largest_curvature(splits: Splits) -> float:
    """lambda_max of the whitened loss's Hessian, from the explicit design matrix."""
    objective = Objective(splits, OFFSETS, 1)
    space = training.stencil_space(OFFSETS, 1, None, objective.x0, False)
    basis = training._whitened_basis(objective, space, 8192)
    u, _ = objective.arrays("train")
    design = objective.windows(u) / objective.dx @ basis
    return float(np.linalg.eigvalsh(2.0 * design.T @ design / design.shape[0])[-1])


@pytest.fixture(scope="module")
def tiny() -> Splits:
    """The issue's case: 5 samples (3 train) for 3 free coefficients."""
    return make_splits(SeedFamily(), 5, 0)


def test_learning_rate_beyond_the_stable_limit_is_refused(tiny: Splits) -> None:
    limit = 2.0 / _largest_curvature(tiny)
    assert limit < 0.5  # the default step diverges here: the 1e62 coefficients
    with pytest.raises(TrainingDiverged, match=f"stable only below 2/lambda_max = {limit:.3g}"):
        train_stencil(OFFSETS, splits=tiny, progress=None)
    with pytest.raises(TrainingDiverged, match="--learning-rate below"):
        train_stencil(OFFSETS, splits=tiny, settings=recipe_settings(
            "default", learning_rate=limit * 1.001, epochs=2), progress=None)


def test_learning_rate_below_the_limit_trains_and_the_loss_falls(tiny: Splits) -> None:
    limit = 2.0 / _largest_curvature(tiny)
    result = train_stencil(OFFSETS, splits=tiny, settings=recipe_settings(
        "default", learning_rate=0.9 * limit, epochs=20), progress=None)
    losses = [record["train_mse"] for record in result.history]
    assert all(b <= a for a, b in itertools.pairwise(losses)), losses
    assert result.train_mse <= losses[0]


def test_a_growing_loss_stops_gradient_descent_at_run_time(tiny: Splits, monkeypatch) -> None:
    monkeypatch.setattr(training, "_check_step_size", lambda *args: None)
    with pytest.raises(TrainingDiverged, match=r"epoch \d+ .*train MSE rose"):
        train_stencil(OFFSETS, splits=tiny, progress=None)


def test_a_growing_loss_stops_adam_at_run_time() -> None:
    settings = recipe_settings("seed", learning_rate=1e4, epochs=4)
    with pytest.raises(TrainingDiverged, match=r"rose .*--method lstsq"):
        train_stencil(OFFSETS, splits=make_splits(SeedFamily(), 50, 0), settings=settings,
                      progress=None)


@pytest.mark.parametrize("samples", ["5", "20"])
def test_cli_refuses_with_one_line_exit_2_and_no_file(samples: str, tmp_path, capsys) -> None:
    out = tmp_path / "s.json"
    code = main(["train", "--offsets=-1,0,1", "--samples", samples, "--out", str(out),
                 "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert "--learning-rate below" in err, err
    assert list(tmp_path.iterdir()) == []
