"""Solution.save / Solution.load (.npz and NetCDF) and Comparison's arrays."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from learned_ops import central_stencil
from solvers import Advection, Grid, Solution, compare, initial_condition, solve
from solvers.errors import SolverError
from solvers.solution_io import SolutionFileError


@pytest.fixture(scope="module")
def solution() -> Solution:
    problem = Advection(1.0, central_stencil(1, 2), Grid.periodic(40))
    return solve(problem, initial_condition("mode:1"), 0.5, stepper="rk4", courant=0.5,
                 save_times=[0.25])


@pytest.mark.parametrize("suffix", [".npz", ".nc"])
def test_save_then_load_gives_the_same_arrays_info_and_attrs(solution, tmp_path,
                                                             suffix) -> None:
    if suffix == ".nc":
        pytest.importorskip("xarray")
    path = tmp_path / f"run{suffix}"
    assert solution.save(path, attrs={"operator": "fd:1:-1,0,1", "n": 40}) == path
    loaded = Solution.load(path)
    for name in ("times", "x", "snapshots"):
        saved = getattr(solution, name)
        got = getattr(loaded, name)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, saved)  # bit for bit
    assert loaded.times.tolist() == [0.0, 0.25, 0.5]
    assert loaded.info.steps == solution.info.steps == 10
    assert loaded.info.dt == solution.info.dt
    assert loaded.info.dt_limit == solution.info.dt_limit
    assert loaded.info.stepper == "rk4"
    assert loaded.attrs["operator"] == "fd:1:-1,0,1"
    assert loaded.attrs["n"] == 40
    assert loaded.attrs["problem"] == solution.problem.describe()
    assert set(loaded.attrs["provenance"]["versions"]) >= {"numpy", "scipy"}
    assert loaded.problem is None
    assert loaded.complete


def test_netcdf_has_coordinates_and_readable_attributes(solution, tmp_path) -> None:
    xr = pytest.importorskip("xarray")
    path = tmp_path / "run.nc"
    solution.save(path, attrs={"operator": "c2"})
    with xr.open_dataset(path, engine="scipy") as data:
        assert data["u"].dims == ("time", "x")
        np.testing.assert_array_equal(data["x"].values, solution.x)
        np.testing.assert_array_equal(data["time"].values, solution.times)
        assert data.attrs["attrs_operator"] == "c2"
        assert data.attrs["info_stepper"] == "rk4"
        assert json.loads(data.attrs["solvers_metadata"])["schema"] == 1


def test_an_existing_file_is_kept_unless_overwrite(solution, tmp_path) -> None:
    path = tmp_path / "run.npz"
    path.write_bytes(b"old")
    with pytest.raises(SolutionFileError, match="file exists; pass overwrite=True"):
        solution.save(path)
    assert path.read_bytes() == b"old"
    solution.save(path, overwrite=True)
    np.testing.assert_array_equal(Solution.load(path).final, solution.final)
    assert sorted(os.listdir(tmp_path)) == ["run.npz"]  # no temporary file left behind


@pytest.mark.parametrize(("name", "attrs", "says"), [
    ("run.csv", None, r"unknown solution format '\.csv'"),
    ("missing/run.npz", None, "does not exist; create it first"),
    ("run.npz", {"problem": "mine"}, "reserved"),
    ("run.npz", {"f": object()}, "cannot be saved"),
])
def test_bad_saves_are_refused(solution, tmp_path, name, attrs, says) -> None:
    with pytest.raises(SolutionFileError, match=says):
        solution.save(tmp_path / name, attrs=attrs)
    assert not (tmp_path / name).exists()


def test_loading_a_file_that_is_not_a_solution_is_refused(tmp_path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(SolutionFileError, match="not a solution file"):
        Solution.load(path)
    with pytest.raises(SolutionFileError, match="no such file"):
        Solution.load(tmp_path / "absent.npz")


def test_comparison_exposes_its_errors_as_arrays(solution) -> None:
    exact = np.array([solution.snapshots[0]] * 3)  # u(0) at every time: known differences
    comparison = compare(solution, exact=exact)
    errors = comparison.errors("analytic")
    assert set(errors) == {"l2", "linf", "rel_l2", "rel_linf"}
    expected_linf = np.max(np.abs(solution.snapshots - exact), axis=1)
    np.testing.assert_array_equal(errors["linf"], expected_linf)
    assert errors["l2"].shape == (3,)
    assert errors["l2"][0] == 0.0
    np.testing.assert_array_equal(comparison.array("analytic", "linf"), expected_linf)
    with pytest.raises(SolverError, match=r"no reference errors.*available: analytic"):
        comparison.errors("reference")
    with pytest.raises(SolverError, match="norm must be one of"):
        comparison.array("analytic", "l1")
