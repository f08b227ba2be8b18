"""The ecosystem examples (scipy's solve_ivp, py-pde) run in a subprocess and tell their story."""

from __future__ import annotations

from pathlib import Path

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
