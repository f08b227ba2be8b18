"""Operator names everywhere: the API takes pretrained names, files and ``fd:`` specs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import solvers
from learned_ops import central_stencil, load_pretrained, save_stencil, textbook_stencil
from solvers import Advection, AdvectionDiffusion, Burgers, Grid, Heat, compose
from solvers.errors import OperatorError
from solvers.operators import symbol

ROOT = Path(__file__).resolve().parents[2]
GRID = Grid.periodic(40)


def _same(a, b) -> None:
    assert list(a.offsets) == list(b.offsets)
    np.testing.assert_array_equal(np.asarray(a.coefficients), np.asarray(b.coefficients))
    assert a.derivative_order == b.derivative_order


def test_a_pretrained_name_gives_the_pretrained_stencil_and_the_same_run() -> None:
    named = Advection(1.0, "learned-d1-c5-o2", GRID)
    loaded = Advection(1.0, load_pretrained("learned-d1-c5-o2"), GRID)
    _same(named.operator, loaded.operator)
    ic = solvers.initial_condition("mode:1")
    a = solvers.solve(named, ic, 0.5, stepper="rk4", courant=0.5)
    b = solvers.solve(loaded, ic, 0.5, stepper="rk4", courant=0.5)
    np.testing.assert_array_equal(a.final, b.final)


def test_fd_specs_in_every_problem_and_composition() -> None:
    _same(Heat(0.1, "fd:2:-1,0,1", GRID).operator, central_stencil(2, 2))
    pair = Heat(0.1, ("fd:1:-1,0", "fd:1:0,1"), GRID).operator
    assert pair.coefficients.tolist() == [1.0, -2.0, 1.0]
    mixed = AdvectionDiffusion(1.0, 0.1, "fd:1:-1,0,1", "fd:2:-1,0,1", GRID)
    _same(mixed.first, central_stencil(1, 2))
    _same(mixed.second, central_stencil(2, 2))
    burgers = Burgers(0.1, "fd:1:-1,0,1", "fd:2:-1,0,1", GRID)
    _same(burgers.flux_operator, central_stencil(1, 2))
    _same(burgers.diffusion_operator, central_stencil(2, 2))
    assert compose("fd:1:-1,0", "fd:1:0,1").coefficients.tolist() == [1.0, -2.0, 1.0]


def test_names_in_the_analysis_functions() -> None:
    theta = np.linspace(0.0, np.pi, 7)
    np.testing.assert_array_equal(symbol("fd:1:-1,0,1", theta),
                                  symbol(central_stencil(1, 2), theta))
    assert float(solvers.stable_numbers("fd:1:-1,0,1", "advection", "rk4")) == float(
        solvers.stable_numbers(central_stencil(1, 2), "advection", "rk4"))


@pytest.mark.parametrize("as_path", [str, Path])
def test_an_operator_file_by_path(tmp_path, as_path) -> None:
    path = tmp_path / "mine.json"
    stencil = textbook_stencil(1, [-2, -1, 0, 1, 2])
    save_stencil(stencil, path)
    _same(Advection(1.0, as_path(path), GRID).operator, stencil)


@pytest.mark.parametrize(("spec", "says"), [
    ("no-such-operator", "advection operator: unknown operator 'no-such-operator'"),
    ("fd:1:x", "advection operator: bad textbook spec 'fd:1:x'"),
    ("missing/op.json", "advection operator: "),
])
def test_a_bad_spec_is_an_operator_error_naming_the_role(spec, says) -> None:
    with pytest.raises(OperatorError, match=re.escape(says)):
        Advection(1.0, spec, GRID)


def test_a_second_derivative_name_where_a_first_is_needed_is_refused() -> None:
    with pytest.raises(solvers.SolverError, match="must approximate a first derivative"):
        Advection(1.0, "learned-d2-c5-o2", GRID)


def test_without_a_resolver_a_string_is_refused_with_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr("solvers.operators._resolvers", lambda: [])
    with pytest.raises(OperatorError, match=r"no.*installed.*install learned-ops"):
        Advection(1.0, "fd:1:-1,0,1", GRID)


def test_a_non_operator_points_at_documentation_that_exists() -> None:
    with pytest.raises(OperatorError) as failure:
        Advection(1.0, 3.0, GRID)
    message = str(failure.value)
    assert "DESIGN.md" not in message
    named = re.search(r"see (\S+) in the repository", message)
    assert named is not None, message
    assert (ROOT / named.group(1)).is_file()


def test_names_resolve_without_importing_tensorflow() -> None:
    code = ("import sys, solvers\n"
            "p = solvers.Advection(1.0, 'learned-d1-c5-o2', solvers.Grid.periodic(50))\n"
            "assert p.operator.name == 'learned-d1-c5-o2'\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)
