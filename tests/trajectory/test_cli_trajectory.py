"""``learned-ops evaluate`` and ``learned-ops train --objective trajectory`` on small cases."""

from __future__ import annotations

import json

import pytest

from learned_ops.cli.main import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_prints_the_table_with_textbook_rows(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LEARNED_OPS_CACHE", str(tmp_path))
    code, out, _ = _run(capsys, "evaluate", "fd:1:-1,0,1+learned-d2-c5-o2", "--n", "32",
                        "--window", "0,0.5", "--seeds", "1000-1001", "--json", "--quiet")
    assert code == 0
    table = json.loads(out)
    labels = [row["label"] for row in table["rows"]]
    assert labels[0] == "fd:1:-1,0,1+learned-d2-c5-o2"
    assert "textbook C6 (7-point)" in labels
    assert "textbook C8 (9-point)" in labels
    rows = {row["label"]: row for row in table["rows"]}
    c2, c6 = rows["textbook C2 (3-point)"], rows["textbook C6 (7-point)"]
    assert c6["mean_abs_error"] < c2["mean_abs_error"]
    assert c6["coarsening_factor"] == pytest.approx(1.0)  # the reference against itself
    assert c2["coarsening_factor"] is None  # worse than the reference on its own grid
    assert set(table["reference"]["errors"]) == {"32", "64", "128"}
    assert list(tmp_path.glob("truth/*.npz"))  # the truths were cached


@pytest.mark.parametrize(("argv", "message"), [
    (["evaluate", "nonsense"], "give FLUX+DIFFUSION"),
    (["evaluate", "fd:2:-1,0,1+fd:2:-1,0,1"], "must be a first derivative"),
    (["evaluate", "--window", "5,1"], "need 0 <= T0 < T1"),
    (["train", "--offsets=-1,0,1", "--objective", "trajectory"], "needs --equation"),
    (["train", "--offsets=-1,0,1", "--n", "64"], "apply to --objective trajectory"),
    (["train", "--offsets=-1,0,1", "--objective", "trajectory", "--equation", "burgers",
      "--truth", "exact"], "burgers takes fine:F"),
    (["train", "--offsets=-1,0,1", "--objective", "trajectory", "--equation", "heat",
      "--truth", "fine:8"], "--truth exact"),
])
def test_bad_usage_is_one_line_and_exit_2(capsys, argv, message) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.tensorflow
def test_train_trajectory_heat_lands_on_the_fourier_oracle(capsys, tmp_path) -> None:
    out_file = tmp_path / "heat.json"
    code, out, _ = _run(capsys, "train", "--objective", "trajectory", "--equation", "heat",
                        "--offsets=-2,-1,0,1,2", "--order", "2", "--unroll", "16",
                        "--out", str(out_file), "--json", "--quiet")
    assert code == 0
    report = json.loads(out)
    assert report["max_abs_diff_from_oracle"] < 1e-6
    assert report["stable"]
    assert report["accuracy_order"] >= 2
    assert report["loss"] < report["initial_loss"]
    saved = json.loads(out_file.read_text())
    assert saved["coefficients"] == pytest.approx(report["coefficients"], abs=0)
