"""The ecosystem examples (scipy's solve_ivp, py-pde) run in a subprocess and tell their story."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.examples.test_examples import run_example


def test_scipy_solve_ivp(tmp_path: Path) -> None:
    out = run_example("09_scipy_solve_ivp.py", tmp_path)
    burgers, heat = out["burgers"], out["heat"]
    # BDF at rtol 1e-9 and DOP853 at 1e-12 solve the same system: they agree to BDF's tolerance
    assert burgers["bdf_vs_dop853"] < 1e-7
    # our RK4 at dt = 1e-3 (time error ~ dt**4) on the same semi-discrete system
    assert burgers["rk4_vs_dop853"] < 1e-10
    assert burgers["bdf_jacobians"] >= 1  # the CSR Jacobian was used
    assert heat["error"] < 1e-7
    assert heat["bdf_steps"] * 10 < heat["rk4_steps_at_limit"]


def test_pypde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pde")
    monkeypatch.setenv("NUMBA_DISABLE_JIT", "1")  # py-pde's numba compile takes 20-30 s here
    out = run_example("10_pypde.py", tmp_path)
    assert out["ours_vs_pypde"] <= 1e-10
    # one period on 32 cells: the order-2 learned 5-point stencil (tuned for the coarse band)
    # is more than ten times more accurate than the textbook 3-point one
    assert out["d_dx_learned"]["error_vs_exact"] * 10 < out["d_dx_c3"]["error_vs_exact"]
