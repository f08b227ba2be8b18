"""Operator specs (textbook, file, pretrained name) and the shipped pretrained set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import learned_ops.pretrained as pretrained
from learned_ops import (
    LearnedOpsError,
    OperatorFileError,
    Stencil,
    StencilError,
    central_stencil,
    list_pretrained,
    load_pretrained,
    resolve_operator,
    save_stencil,
    textbook_stencil,
)


@pytest.fixture
def fake_pretrained(tmp_path: Path, monkeypatch) -> Path:
    """Point the pretrained folder at a temporary one holding two operators."""
    save_stencil(central_stencil(1, 4).with_metadata(name="c4"), tmp_path / "c4.json")
    seed = Stencil(
        (-1, 0, 1),
        [-0.5183, -0.0015, 0.5199],
        1,
        name="seed",
        provenance={"flagged_inconsistent": True},
    )
    save_stencil(seed, tmp_path / "seed.json")
    (tmp_path / "notes.txt").write_text("not an operator")
    monkeypatch.setattr(pretrained, "_folder", lambda: tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("fd:1:-1,0,1", central_stencil(1, 2)),
        ("fd:2:-2,-1,0,1,2", central_stencil(2, 4)),
        ("fd:1: -1, 0 ,+1", central_stencil(1, 2)),
        ("fd:1:0,1", textbook_stencil(1, [0, 1])),
    ],
)
def test_textbook_specs(spec: str, expected: Stencil) -> None:
    assert resolve_operator(spec) == expected


def test_file_and_name_forms(fake_pretrained: Path, tmp_path: Path) -> None:
    assert list_pretrained() == ["c4", "seed"]
    assert resolve_operator("c4") == central_stencil(1, 4)
    assert load_pretrained("c4") == central_stencil(1, 4)
    assert resolve_operator(str(fake_pretrained / "seed.json")).name == "seed"
    other = tmp_path / "sub"
    other.mkdir()
    save_stencil(central_stencil(2, 2), other / "noext")
    assert resolve_operator(str(other / "noext")) == central_stencil(2, 2)


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("", StencilError, "fd:M:OFFSETS"),
        ("nope", StencilError, "pretrained name"),
        ("fd:1", StencilError, "expected fd:M:OFFSETS"),
        ("fd:x:0,1", StencilError, "not an integer"),
        ("fd:1:0,a", StencilError, "comma-separated"),
        ("fd:1:1,0", StencilError, "sorted"),
        ("fd:1:0,0", StencilError, "unique"),
        ("fd:3:0,1", StencilError, "at least 4"),
        ("fd:1:1_0,2", StencilError, "comma-separated"),
        ("missing.json", OperatorFileError, "no such operator file"),
        (3, StencilError, "no operator"),
    ],
)
def test_bad_specs(spec, error, message) -> None:
    with pytest.raises(error, match=message):
        resolve_operator(spec)


def test_unknown_name_lists_valid_ones(fake_pretrained: Path) -> None:
    with pytest.raises(StencilError, match="c4, seed"):
        resolve_operator("c5")
    with pytest.raises(OperatorFileError, match="available: c4, seed"):
        load_pretrained("c5")


# --------------------------------------------------------------------------- the shipped set
_SHIPPED = list_pretrained()
_NAMES = _SHIPPED or [
    pytest.param(
        None,
        marks=pytest.mark.skip(
            reason="no pretrained operator files shipped yet: run 'make pretrained' "
            "(learned_ops/pretrained/build.py); these tests then cover every file"
        ),
    )
]


@pytest.mark.parametrize("name", _NAMES)
def test_shipped_operator_is_valid(name: str) -> None:
    stencil = load_pretrained(name)  # validates schema and the recorded accuracy order
    folder = pretrained._folder()
    recorded = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    moments = stencil.moments(stencil.derivative_order + stencil.accuracy_order)
    if stencil.is_consistent:
        for q, mu in enumerate(moments):
            assert mu == pytest.approx(1.0 if q == stencil.derivative_order else 0.0, abs=1e-9)
        constraint = stencil.provenance.get("constraint_accuracy_order")
        assert constraint is None or stencil.accuracy_order >= constraint
    assert recorded["accuracy_order"] == stencil.accuracy_order
    if not stencil.is_consistent:
        defect = stencil.leading_defect()
        assert defect is not None
        assert defect.index <= stencil.derivative_order
        assert stencil.provenance.get("flagged_inconsistent") is True, (
            f"{name} is inconsistent but not flagged in its provenance"
        )


def test_all_errors_share_the_root() -> None:
    assert issubclass(OperatorFileError, LearnedOpsError)
    assert issubclass(LearnedOpsError, ValueError)
