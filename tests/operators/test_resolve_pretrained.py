"""Operator specs (textbook, file, pretrained name) and the shipped pretrained set."""

from __future__ import annotations

import json
import math
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
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


def _moments(offsets: list[int], coefficients: list[float], count: int) -> np.ndarray:
    """mu_q = sum_j c_j j**q / q! for q < count (float64)."""
    j, c = np.asarray(offsets, dtype=np.float64), np.asarray(coefficients)
    return np.array([np.sum(c * j**q) / math.factorial(q) for q in range(count)])


def _first_step(mu: np.ndarray, m: int, order: int) -> float:
    """A spacing below which the error's next term is <= 5% of its leading one.

    For u = exp(x) at 0 the error is exactly sum_{q >= m+p} mu_q h**(q-m) = mu_{m+p} h**p
    (1 + rho), rho = (mu_{m+p+1} h + mu_{m+p+2} h**2) / mu_{m+p} + ...; the slope between h and
    h/2 is then p + log2((1 + rho) / (1 + rho/2)), within 0.04 of p. Never below 1e-4, where
    the float64 coefficients' own moment errors (~1e-16 / h**m) are still far below the error
    (an overclaimed order, mu_{m+p} = 0, then shows as a wrong slope).
    """
    if order == 0:
        return 0.1
    lead = abs(mu[m + order])
    step = min(0.1, 0.05 * lead / max(abs(mu[m + order + 1]), 1e-300),
               math.sqrt(0.05 * lead / max(abs(mu[m + order + 2]), 1e-300)))
    return max(step, 1e-4)


def _errors_on_exp(offsets: list[int], coefficients: list[float], m: int,
                   steps: list[float]) -> np.ndarray:
    """|h**-m sum_j c_j exp(j h) - 1|: the error on u = exp(x) at x = 0, in 60-digit decimal
    arithmetic (the float64 coefficients exactly), so round-off plays no part."""
    errors = []
    with localcontext() as context:
        context.prec = 60
        for h in steps:
            step = Decimal(h)
            total = sum(Decimal(c) * (Decimal(j) * step).exp()
                        for j, c in zip(offsets, coefficients, strict=True))
            errors.append(float(abs(total / step**m - 1)))
    return np.array(errors)


@pytest.mark.parametrize("name", _NAMES)
def test_shipped_operator_converges_at_its_recorded_order(name: str) -> None:
    """Read from the file itself (not through the loader): the recorded order is the slope of
    the error as h halves, in the asymptotic range (see _first_step: slopes within 0.04 of the
    order, so 0.1 is a safe tolerance). An inconsistent file (order 0) does not converge and
    says so in its provenance."""
    recorded = json.loads((pretrained._folder() / f"{name}.json").read_text(encoding="utf-8"))
    offsets, coefficients = recorded["offsets"], recorded["coefficients"]
    m, order = recorded["derivative_order"], recorded["accuracy_order"]
    assert load_pretrained(name).coefficients.tolist() == coefficients  # loaded exactly
    h0 = _first_step(_moments(offsets, coefficients, m + order + 3), m, order)
    steps = [h0, h0 / 2, h0 / 4]
    errors = _errors_on_exp(offsets, coefficients, m, steps)
    slopes = np.log(errors[:-1] / errors[1:]) / np.log(2.0)
    if order == 0:
        assert np.all(slopes < 0.1), f"{name}: errors {errors} decrease at orders {slopes}"
        assert recorded["provenance"].get("flagged_inconsistent") is True, (
            f"{name} is inconsistent but not flagged in its provenance"
        )
    else:
        assert np.all(np.abs(slopes - order) < 0.1), (
            f"{name}: observed orders {slopes} at h = {steps}, file says {order}")
        constraint = recorded["provenance"].get("constraint_accuracy_order")
        assert constraint is None or order >= constraint


def test_all_errors_share_the_root() -> None:
    assert issubclass(OperatorFileError, LearnedOpsError)
    assert issubclass(LearnedOpsError, ValueError)
