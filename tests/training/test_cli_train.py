"""``learned-ops train`` and ``reproduce-seed`` from the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from learned_ops.cli.main import main
from learned_ops.operator_file import load_stencil

pytestmark = pytest.mark.tensorflow


def test_train_json_has_the_documented_keys(tmp_path, capsys) -> None:
    out = tmp_path / "c5.json"
    code = main(["train", "--offsets=-2,-1,0,1,2", "--order", "2", "--samples", "3000",
                 "--json", "--quiet", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report = json.loads(captured.out)
    for key in ("offsets", "coefficients", "derivative_order", "accuracy_order",
                "least_squares", "max_abs_diff_from_least_squares", "train_mse", "test_mse",
                "seconds", "out"):
        assert key in report
    assert set(report["seconds"]) >= {"data", "training"}
    assert report["max_abs_diff_from_least_squares"] <= 1e-6
    assert report["accuracy_order"] >= 2
    assert load_stencil(out).coefficients.tolist() == report["coefficients"]
    assert captured.err == ""


def test_lstsq_method_is_labelled_not_learned(tmp_path, capsys) -> None:
    out = tmp_path / "ls.json"
    assert main(["train", "--offsets=0,1", "--method", "lstsq", "--samples", "2000",
                 "--json", "--quiet", "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["max_abs_diff_from_least_squares"] == 0.0
    assert "not learned" in load_stencil(out).provenance["method"]


@pytest.mark.parametrize(("argv", "message"), [
    (["train", "--offsets=-1,0,1", "--order", "2"], "nothing to learn"),
    (["train", "--offsets=-1,0.5,1"], "comma-separated integers"),
    (["train", "--offsets=1,0"], "sorted"),
    (["train", "--offsets=0,0,1"], "unique"),
    (["train", "--offsets=0,1", "--derivative", "2"], "at least 3"),
    (["train", "--offsets=-1,0,1", "--order", "5"], "cannot give accuracy order"),
    (["train", "--offsets=0,1", "--theta-max", "1.0"], "band only"),
    (["train", "--offsets=0,1", "--family", "band", "--theta-max", "9"], "theta_max"),
    (["train", "--offsets=0,1", "--family", "wavelets"], "invalid choice"),
    (["train", "--offsets=0,1", "--samples", "2"], "n_samples"),
    (["train", "--offsets=0,1", "--epochs", "0"], "epochs"),
    (["train", "--offsets=0,1", "--out", "/nonexistent-folder/x.json"], "does not exist"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_existing_output_is_not_overwritten_without_force(tmp_path, capsys) -> None:
    out = tmp_path / "keep.json"
    out.write_text("precious")
    assert main(["train", "--offsets=0,1", "--out", str(out), "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text() == "precious"


def test_centre_target_learns_the_midpoint_difference(capsys) -> None:
    assert main(["train", "--offsets=0,1", "--target", "centre", "--samples", "3000",
                 "--json", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(report["coefficients"], [-1.0, 1.0], atol=0.02)
