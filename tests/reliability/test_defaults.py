"""Defaults that give the right answer (issue 13).

``simulate`` without --dt / --courant must show the operator's error, not the stepper's: the
time error is at most about 1% of the error, and the output says what share it is. The
expected spatial error is computed here from the textbook stencil's symbol (each Fourier mode
of the seed sinusoid travels at the modified wavenumber sin(k h) / h), not by the CLI.
``simulate``, ``converge`` and ``demo`` run one default problem per equation and say which.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from learned_ops.cli.main import main

HEAT = "heat u_t = 0.001 u_xx on [-2, 2), periodic, t = 1"
ADVECTION = "advection u_t + 1 u_x = 0 on [-2, 2), periodic, t = 1"


def _json(capsys, *argv: str) -> dict:
    assert main([*argv, "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


def _central_space_error(n: int, t: float) -> float:
    """L2 error at t of the exact semi-discrete central-difference advection (a = 1)."""
    import solvers

    ic = solvers.Sinusoid.random(0)
    x = -2.0 + 4.0 * np.arange(n) / n
    h = 4.0 / n
    diff = np.zeros(n)
    for amp, k in ((ic.b * ic.a, ic.k1 * np.pi), (ic.b * (1 - ic.a), ic.k2 * np.pi)):
        speed = np.sin(k * h) / (k * h)  # the modified wavenumber over the exact one
        diff += amp * (np.sin(k * (x - speed * t)) - np.sin(k * (x - t)))
    return float(np.sqrt(h * np.sum(diff**2)))


def test_default_dt_shows_the_operators_error(capsys) -> None:
    result = _json(capsys, "simulate", "advection", "--operator", "fd:1:-1,0,1")
    expected = _central_space_error(200, 1.0)
    got = result["errors"]["analytic"]["l2"]
    assert got == pytest.approx(expected, rel=0.015), (got, expected)
    assert result["time_error"]["share"] <= 0.0105
    assert result["time_error"]["dt_choice"] == "reduced"
    assert result["time_error"]["first_share"] > 0.5  # 0.9 x the limit was mostly time error
    assert result["problem"] == ADVECTION


def test_table_says_what_share_is_time_error(capsys) -> None:
    assert main(["simulate", "advection", "--operator", "fd:1:-1,0,1", "--quiet"]) == 0
    out = capsys.readouterr().out
    found = re.search(r"time error: ([0-9.]+)% of the error", out)
    assert found, out
    assert float(found.group(1)) <= 1.05
    assert f"problem: {ADVECTION}" in out


def test_a_given_courant_is_kept_and_its_time_error_reported(capsys) -> None:
    result = _json(capsys, "simulate", "advection", "--operator", "fd:1:-1,0,1",
                   "--courant", "2.5")
    assert result["dt"] == pytest.approx(2.5 * 4 / 200)
    assert result["time_error"]["dt_choice"] == "given"
    assert result["time_error"]["share"] > 0.5


def test_one_default_heat_problem_in_simulate_converge_and_demo(capsys) -> None:
    from learned_ops.cli.demo_report import DEFAULT_SETTINGS

    sim = _json(capsys, "simulate", "heat", "--operator", "fd:2:-1,0,1")
    conv = _json(capsys, "converge", "heat", "--operator", "fd:2:-1,0,1", "--grids",
                 "50,100,200")
    assert sim["problem"] == conv["problem"] == DEFAULT_SETTINGS.problem("heat") == HEAT
    assert sim["t_final"] == 1.0
    assert DEFAULT_SETTINGS.problem("advection") == ADVECTION
