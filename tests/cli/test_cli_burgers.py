"""``learned-ops simulate burgers`` and ``converge burgers``: tables, JSON, orders, refusals,
forcing without an exact solution, and a shock stopped as one line with exit 2."""

from __future__ import annotations

import json

import pytest

from learned_ops.cli.main import main

CENTRAL5 = ("--operator", "fd:1:-2,-1,0,1,2", "--diffusion-operator", "fd:2:-2,-1,0,1,2")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(code: int, err: str, match: str) -> None:
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith("learned-ops: error:")
    assert match in err
    assert "Traceback" not in err


def test_simulate_table_names_the_pair_and_the_problem(capsys) -> None:
    code, out, err = _run(capsys, "simulate", "burgers", *CENTRAL5, "--n", "200", "--quiet")
    assert code == 0
    assert err == ""
    first, problem = out.splitlines()[:2]
    assert first.startswith("burgers with flux fd:1:-2,-1,0,1,2, diffusion fd:2:-2,-1,0,1,2: "
                            "n = 200, t_final = 1, rk4")
    assert problem == ("problem: burgers u_t + (u^2/2)_x = 0.05 u_xx on [-2, 2), periodic, "
                       "t = 1; u0 = cole-hopf")
    exact_row = next(line for line in out.splitlines() if line.startswith("ours vs exact"))
    assert float(exact_row.split()[3]) < 1e-6  # L2 against the exact Cole-Hopf wave


def test_simulate_json_has_the_keys_of_advection_and_heat(capsys) -> None:
    keys = {}
    for argv in (("advection", "--operator", "fd:1:-1,0,1"),
                 ("heat", "--operator", "fd:2:-1,0,1"),
                 ("burgers", *CENTRAL5)):
        code, out, err = _run(capsys, "simulate", *argv, "--n", "200", "--json", "--quiet")
        assert code == 0
        assert err == ""
        keys[argv[0]] = result = json.loads(out)
    assert set(keys["burgers"]) == set(keys["advection"]) == set(keys["heat"])
    burgers = keys["burgers"]
    assert burgers["equation"] == "burgers"
    assert burgers["operator"] == "flux fd:1:-2,-1,0,1,2, diffusion fd:2:-2,-1,0,1,2"
    assert burgers["reference_accuracy"] == 4
    assert burgers["warnings"] == []
    # Central 5-point at n = 200 (h = 0.02) against the exact Cole-Hopf wave: 1.9e-7; the
    # scipy reference runs the same stencils, so we and it differ by the time error only.
    assert result["errors"]["analytic"]["l2"] < 1e-6
    assert result["errors"]["analytic"]["rel_l2"] < 5e-6
    assert result["errors"]["reference"]["l2"] < 1e-9
    assert result["reference_errors"]["l2"] < 1e-6


def test_simulate_forms_differ_and_all_match_cole_hopf(capsys) -> None:
    errors = {}
    flux = {"conservative": "(u^2/2)_x", "skew": "((u^2)_x + u u_x)/3", "advective": "u u_x"}
    for form in flux:
        code, out, _ = _run(capsys, "simulate", "burgers", *CENTRAL5, "--form", form, "--n",
                            "100", "--json", "--quiet")
        assert code == 0
        result = json.loads(out)
        assert result["problem"].startswith(f"burgers u_t + {flux[form]} = 0.05 u_xx")
        errors[form] = result["errors"]["analytic"]["l2"]
    # n = 100: 3.0e-6 (conservative), 3.5e-6 (skew), 1.0e-5 (advective); a wrong flux: O(1e-2)
    assert all(0 < e < 3e-5 for e in errors.values()), errors
    assert len({round(e, 14) for e in errors.values()}) == 3, errors


def test_converge_burgers_meets_order_two(capsys) -> None:
    code, out, err = _run(capsys, "converge", "burgers", "--viscosity", "0.1", "--ic",
                          "cole-hopf:A=1.5,k=1", "--operator", "fd:1:-1,0,1",
                          "--diffusion-operator", "fd:2:-1,0,1", "--json", "--quiet")
    assert code == 0
    assert err == ""
    data = json.loads(out)
    assert data["problem"] == "burgers u_t + (u^2/2)_x = 0.1 u_xx on [-2, 2), periodic, t = 1"
    assert data["verdict"] == "met"
    assert data["expected_order"] == 2
    assert abs(data["fitted_orders"]["l2"] - 2.0) < 0.1
    assert data["converges"] is True
    assert data["grids"] == [50, 100, 200, 400, 800]


def test_converge_burgers_table(capsys) -> None:
    code, out, _ = _run(capsys, "converge", "burgers", "--viscosity", "0.1", "--operator",
                        "fd:1:-1,0,1", "--diffusion-operator", "fd:2:-1,0,1", "--grids",
                        "50,100,200", "--quiet")
    assert code == 0
    assert out.startswith("problem: burgers u_t + (u^2/2)_x = 0.1 u_xx on [-2, 2), periodic")
    assert out.rstrip().endswith("fitted orders l2 2.00, linf 2.00; expected 2 (tolerance "
                                 "0.1): met")


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["simulate", "heat", "--operator", "fd:2:-1,0,1", "--viscosity", "0.1"],
         "--viscosity only applies to burgers, not to heat"),
        (["converge", "heat", "--operator", "fd:2:-1,0,1", "--viscosity", "0.1"],
         "--viscosity only applies to burgers, not to heat"),
        (["simulate", "advection", "--operator", "fd:1:-1,0,1", "--form", "skew"],
         "--form only applies to burgers, not to advection"),
        (["simulate", "burgers", "--operator", "fd:1:-1,0,1", "--viscosity", "0",
          "--diffusion-operator", "fd:2:-1,0,1"], "--diffusion-operator has no use at "
                                                   "--viscosity 0"),
        (["simulate", "burgers", "--operator", "fd:1:-1,0,1", "--boundary", "bounded"],
         "burgers runs on periodic grids only (the flux has no boundary closures); drop "
         "--boundary bounded"),
        (["converge", "burgers", "--operator", "fd:1:-1,0,1", "--boundary", "bounded"],
         "burgers runs on periodic grids only (the flux has no boundary closures); drop "
         "--boundary bounded"),
        (["simulate", "burgers", "--operator", "fd:1:-1,0,1", "--viscosity", "-0.1", "--ic",
          "mode:1"], "the viscosity must be a number >= 0"),
        (["simulate", "burgers", "--operator", "fd:1:-1,0,1", "--viscosity", "-0.1"],
         "the viscosity must be a number >= 0"),
        (["simulate", "burgers", "--operator", "fd:1:-1,0,1", "--forcing", "-1"],
         "the seed must be >= 0"),
    ],
)
def test_refusals_are_one_line_and_exit_2(capsys, argv: list[str], match: str) -> None:
    code, out, err = _run(capsys, *argv, "--quiet")
    _one_line_error(code, err, match)
    assert out == ""


def test_forcing_runs_without_an_exact_solution(capsys) -> None:
    code, out, err = _run(capsys, "simulate", "burgers", "--operator", "fd:1:-1,0,1",
                          "--forcing", "3", "--json", "--quiet")
    assert code == 0
    assert err == ""
    result = json.loads(out)
    assert "+ f(x, t; seed 3)" in result["problem"]
    assert result["errors"]["analytic"] is None
    assert result["reference_errors"] is None
    assert 0 < result["errors"]["reference"]["l2"] < 1e-2  # still compared with scipy
    assert any(w.startswith("no exact solution") for w in result["warnings"])
    code, out, _ = _run(capsys, "simulate", "burgers", "--operator", "fd:1:-1,0,1",
                        "--forcing", "3", "--quiet")
    assert code == 0
    exact_row = next(line for line in out.splitlines() if line.startswith("ours vs exact"))
    assert exact_row.split()[3:] == ["n/a", "n/a", "n/a"]


def test_an_inviscid_shock_is_one_line_and_exit_2(capsys) -> None:
    """sin(pi x) at nu = 0 breaks at t = 1/pi: the run is stopped soon after, not returned."""
    code, out, err = _run(capsys, "simulate", "burgers", "--operator", "fd:1:-1,0,1",
                          "--viscosity", "0", "--ic", "mode:1", "--t-final", "2", "--quiet")
    _one_line_error(code, err, "the discrete scheme is failing at t = ")
    assert "use more viscosity, a finer grid, or a dissipative scheme" in err
    stopped = float(err.split("failing at t = ")[1].split(":")[0])
    assert 1 / 3.1416 < stopped < 0.6
    assert out == ""
