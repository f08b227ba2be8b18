"""Operator files: bit-exact round trips and a clear error for every malformed file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from learned_ops import (
    OperatorFileError,
    Stencil,
    central_stencil,
    load_stencil,
    save_stencil,
    stencil_from_dict,
    stencil_to_dict,
)
from learned_ops.operator_file import MAX_FILE_BYTES, stencil_to_json
from learned_ops.stencil import MAX_TAPS


def _random_stencil(rng: np.random.Generator) -> Stencil:
    coefficients = rng.standard_normal(7) * 10.0 ** rng.integers(-300, 300, 7)
    coefficients[:4] = [0.1 + 0.2, 5e-324, -2.2250738585072014e-308 / 3, -0.0]
    return Stencil(tuple(range(-3, 4)), coefficients, 1, name="random", description="ünïcode")


def test_round_trip_is_bit_exact(tmp_path: Path, rng) -> None:
    for _ in range(20):
        stencil = _random_stencil(rng)
        path = save_stencil(stencil, tmp_path / "op.json", overwrite=True)
        loaded = load_stencil(path)
        assert loaded.coefficients.tobytes() == stencil.coefficients.tobytes()
        assert loaded == stencil
        assert loaded.name == stencil.name
        assert loaded.description == stencil.description


def test_file_is_readable_and_versioned(tmp_path: Path) -> None:
    path = save_stencil(central_stencil(2, 4), tmp_path / "c.json")
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["schema"] == "learned-ops/stencil"
    assert data["version"] == 1
    assert data["accuracy_order"] == 4
    assert '"offsets": [-2, -1, 0, 1, 2]' in text
    assert text.endswith("}\n")
    assert text.count("\n") > 8


def test_provenance_numpy_values_are_converted(tmp_path: Path) -> None:
    provenance = {
        "seed": np.int64(3),
        "loss": np.float32(0.25),
        "history": np.array([1.5, 2.5]),
        "flags": [np.bool_(True), (1, 2)],
        "nested": {"lr": 1e-3, "tag": None},
    }
    stencil = central_stencil(1, 2).with_metadata(provenance=provenance)
    loaded = load_stencil(save_stencil(stencil, tmp_path / "p.json"))
    assert dict(loaded.provenance) == {
        "seed": 3,
        "loss": 0.25,
        "history": [1.5, 2.5],
        "flags": [True, [1, 2]],
        "nested": {"lr": 1e-3, "tag": None},
    }
    assert stencil_from_dict(stencil_to_dict(stencil)) == stencil


@pytest.mark.parametrize(
    ("provenance", "message"),
    [
        ({"loss": float("nan")}, "NaN"),
        ({1: "a"}, "keys must be strings"),
        ({"f": object()}, "JSON cannot hold"),
        ({"z": np.array([1j])}, "dtype"),
    ],
)
def test_unstorable_provenance_is_refused(provenance, message, tmp_path: Path) -> None:
    stencil = Stencil((0, 1), [-1.0, 1.0], 1, provenance=provenance)
    with pytest.raises(OperatorFileError, match=message):
        save_stencil(stencil, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_overwrite_false_refuses_existing(tmp_path: Path) -> None:
    path = save_stencil(central_stencil(1, 2), tmp_path / "a.json")
    with pytest.raises(OperatorFileError, match="exists"):
        save_stencil(central_stencil(1, 4), path, overwrite=False)
    assert load_stencil(path) == central_stencil(1, 2)


def _valid() -> dict:
    return json.loads(stencil_to_json(central_stencil(1, 2)))


def _edit(**changes) -> str:
    data = _valid()
    for key, value in changes.items():
        if value is _DROP:
            del data[key]
        else:
            data[key] = value
    return json.dumps(data)


_DROP = object()
_GOOD = stencil_to_json(central_stencil(1, 2))

MALFORMED = [
    ("not-utf8", b"\xff\xfe{\x00", "not UTF-8"),
    ("empty", "", "malformed or truncated"),
    ("truncated", _GOOD[: len(_GOOD) // 2], "malformed or truncated"),
    ("garbage", "schema: learned-ops", "malformed or truncated"),
    ("pickle", b"\x80\x04\x95\x10\x00\x00", "not UTF-8"),
    ("top-list", "[1, 2, 3]", "not an object"),
    ("top-number", "3", "not an object"),
    ("nan-literal", _GOOD.replace("-0.5", "NaN"), "NaN"),
    ("infinity-literal", _GOOD.replace("-0.5", "Infinity"), "Infinity"),
    ("minus-infinity", _GOOD.replace("-0.5", "-Infinity"), "Infinity"),
    ("overflow", _GOOD.replace("-0.5", "-1e400"), "finite"),
    ("missing-key", _edit(coefficients=_DROP), "missing key"),
    ("unknown-key", _edit(extra=1), "unknown key"),
    ("wrong-schema", _edit(schema="other"), "not a learned-ops operator file"),
    ("newer-version", _edit(version=2), "supported"),
    ("version-string", _edit(version="1"), "'version' must be an integer"),
    ("bool-order", _edit(derivative_order=True), "'derivative_order' must be an integer"),
    ("float-order", _edit(derivative_order=1.0), "'derivative_order' must be an integer"),
    ("name-number", _edit(name=3), "'name' must be a string"),
    ("offsets-float", _edit(offsets=[-1, 0.0, 1]), "offsets must be integers"),
    ("offsets-bool", _edit(offsets=[-1, False, 1]), "offsets must be integers"),
    ("offsets-not-list", _edit(offsets="-1,0,1"), "must be a list"),
    ("coefficient-string", _edit(coefficients=[-0.5, "0", 0.5]), "must be numbers"),
    ("coefficient-bool", _edit(coefficients=[-0.5, False, 0.5]), "must be numbers"),
    ("count-mismatch", _edit(coefficients=[-0.5, 0.5]), "one per offset"),
    ("unsorted", _edit(offsets=[1, 0, -1]), "sorted"),
    ("duplicates", _edit(offsets=[0, 0, 1]), "unique"),
    (
        "too-many-taps",
        _edit(offsets=list(range(MAX_TAPS + 1)), coefficients=[0.0] * (MAX_TAPS + 1)),
        "at most",
    ),
    ("order-mismatch", _edit(accuracy_order=4), "verify 2"),
    ("edited-coefficients", _edit(coefficients=[-0.51, 0.0, 0.5]), "verify 0"),
    ("provenance-list", _edit(provenance=[1]), "'provenance' must be an object"),
    ("duplicate-key", _GOOD.replace('"version": 1,', '"version": 1, "version": 1,'), "twice"),
    (
        "deep-nesting",
        _GOOD.replace('"method"', '"d": ' + "[" * 100000 + "]" * 100000 + ', "method"'),
        "nested too deeply",
    ),
]


@pytest.mark.parametrize(
    ("content", "message"), [(c, m) for _, c, m in MALFORMED], ids=[i for i, _, _ in MALFORMED]
)
def test_malformed_files_are_refused_clearly(content, message, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(OperatorFileError, match=message) as info:
        load_stencil(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError, match="no such operator file"):
        load_stencil(tmp_path / "absent.json")


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError, match="folder"):
        load_stencil(tmp_path)


def test_too_large_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (MAX_FILE_BYTES + 1))

    def no_read(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("file was opened")

    monkeypatch.setattr("builtins.open", no_read)
    with pytest.raises(OperatorFileError, match="too large"):
        load_stencil(path)


def test_no_pickle_in_the_package() -> None:
    import learned_ops

    root = Path(learned_ops.__file__).parent
    for source in root.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "import pickle" not in text, source
        assert "pickle.load" not in text, source
