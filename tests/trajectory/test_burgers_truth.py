"""The forced-Burgers fine truth, its cache, and the evaluation measures (NumPy only)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import solvers
from learned_ops.textbook import textbook_stencil
from learned_ops.trajectory import truth_cache
from learned_ops.trajectory.evaluate import (
    coarsening_factor,
    run_pair,
    score_pair,
    survival_time,
)
from learned_ops.trajectory.fine_truth import FineTruthSpec, forcing_spectrum, solve_fine

PERIOD = 2.0 * math.pi
SHORT = {"t_final": 1.0, "n_fine": 256}


def test_forcing_spectrum_is_the_fft_of_the_sampled_forcing() -> None:
    forcing = solvers.TravellingWaves.random(3, PERIOD)
    x = np.arange(64) * PERIOD / 64
    for t in (0.0, 0.37, 12.5):
        sampled = np.fft.rfft(forcing(x, t))
        exact = forcing_spectrum(forcing, 64, PERIOD, t)
        assert np.max(np.abs(sampled - exact)) < 1e-11 * np.max(np.abs(sampled))


def test_fine_truth_agrees_with_the_solver_under_refinement() -> None:
    """An independent check: the project's solver with the 7-point textbook pair, run from the
    truth at t = 0.5 to 1, converges to the spectral truth at sixth order (error ratio near
    2**6 = 64 from 256 to 512 nodes; a wrong forcing clock or flux sign would stall it)."""
    spec = FineTruthSpec(seed=4, t_final=1.0, n_fine=512)
    truth = solve_fine(spec)
    assert np.max(np.abs(truth.snapshots[-1])) > 0.05  # the forcing moved the state
    offsets = range(-3, 4)
    errors = []
    for n in (256, 512):
        grid = solvers.Grid.periodic(n, 0.0, PERIOD)
        problem = solvers.Burgers(spec.viscosity, textbook_stencil(1, offsets),
                                  textbook_stencil(2, offsets), grid,
                                  forcing=spec.forcing().shifted(0.5))
        run = solvers.solve(problem, truth.coarse(n)[truth.index(0.5)], 0.5, dt=2.5e-4)
        errors.append(float(np.max(np.abs(run.final - truth.coarse(n)[-1]))))
    assert errors[1] < 1e-6
    assert 40.0 < errors[0] / errors[1] < 100.0, errors


def test_fine_truth_converges_spectrally_in_the_fine_resolution() -> None:
    """Doubling the fine grid: 256 -> 512 changes the state by ~3e-7, 512 -> 1024 by ~1e-13
    (a spectral method: the change collapses, it does not shrink by a fixed factor)."""
    runs = {n: solve_fine(FineTruthSpec(seed=4, t_final=1.0, n_fine=n)) for n in (256, 512, 1024)}
    first = np.max(np.abs(runs[512].coarse(256) - runs[256].snapshots))
    second = np.max(np.abs(runs[1024].coarse(512) - runs[512].snapshots))
    assert 1e-9 < first < 1e-5
    assert second < 1e-11


def test_fine_truth_refuses_bad_specs_and_grids() -> None:
    with pytest.raises(ValueError, match="whole number of steps"):
        FineTruthSpec(seed=0, save_interval=1.5e-3)
    with pytest.raises(ValueError, match="even integer"):
        FineTruthSpec(seed=0, n_fine=100.0)  # type: ignore[arg-type]
    truth = solve_fine(FineTruthSpec(seed=0, t_final=0.02, n_fine=64))
    with pytest.raises(ValueError, match="does not subsample"):
        truth.coarse(48)
    with pytest.raises(ValueError, match="not a snapshot time"):
        truth.index(0.015)


def test_truth_cache_writes_once_and_reads_back(tmp_path, monkeypatch) -> None:
    specs = [FineTruthSpec(seed=s, t_final=0.1, n_fine=64) for s in (1, 2)]
    times, first = truth_cache.coarse_truths(specs, 32, cache_dir=tmp_path)
    assert first.shape == (11, 2, 32)
    assert times[-1] == pytest.approx(0.1)
    files = sorted(tmp_path.glob("*.npz"))
    assert len(files) == 2

    def refuse(_spec: FineTruthSpec) -> None:
        raise AssertionError("the cache was not used")

    truth_cache._fine.cache_clear()
    monkeypatch.setattr(truth_cache, "solve_fine", refuse)
    _, again = truth_cache.coarse_truths(specs, 32, cache_dir=tmp_path)
    np.testing.assert_array_equal(again, first)


def test_truth_cache_refuses_a_file_with_foreign_provenance(tmp_path) -> None:
    specs = [FineTruthSpec(seed=s, t_final=0.05, n_fine=64) for s in (1, 2)]
    truth_cache.coarse_truths(specs, 32, cache_dir=tmp_path)
    one, two = sorted(tmp_path.glob("*.npz"))
    two.write_bytes(one.read_bytes())  # a file under the wrong name
    with pytest.raises(ValueError, match="provenance"):
        truth_cache.coarse_truths(specs, 32, cache_dir=tmp_path)


def test_survival_time_counts_until_the_close_fraction_drops() -> None:
    times = np.arange(5) * 0.5
    truth = np.zeros((5, 10))
    predicted = truth.copy()
    predicted[3, :3] = 1.0  # at t = 1.5 only 70% of the points are within 0.1
    assert survival_time(times, predicted, truth, tolerance=0.1) == 1.5
    predicted[3, :3] = 0.05
    assert survival_time(times, predicted, truth, tolerance=0.1) == 2.0
    assert survival_time(times, predicted[:2], truth, tolerance=0.1) == 0.5  # blew up


def test_coarsening_factor_interpolates_in_log_log() -> None:
    errors = {128: 4e-4, 256: 1e-4, 512: 2.5e-5}  # second order
    assert coarsening_factor(1e-4, 128, errors) == pytest.approx(2.0)
    assert coarsening_factor(5e-5, 128, errors) == pytest.approx(2.0 * 2.0 ** 0.5)
    assert coarsening_factor(1e-6, 128, errors) is None  # beyond the grids given
    assert coarsening_factor(math.inf, 128, errors) is None


def _short_truth(seeds: tuple[int, ...], n: int) -> tuple[np.ndarray, np.ndarray, list]:
    specs = [FineTruthSpec(seed=s, t_final=1.0, n_fine=256) for s in seeds]
    times, truth = truth_cache.coarse_truths(specs, n, use_cache=False)
    return times, truth, [spec.forcing() for spec in specs]


def test_score_pair_measures_the_solver_against_the_truth() -> None:
    times, truth, forcings = _short_truth((7, 8), 64)
    offsets = range(-3, 4)
    c6 = (textbook_stencil(1, offsets), textbook_stencil(2, offsets))
    c2 = (textbook_stencil(1, range(-1, 2)), textbook_stencil(2, range(-1, 2)))
    kwargs = {"viscosity": 0.04, "period": PERIOD, "window": (0.5, 1.0)}
    good = score_pair("C6", *c6, times, truth, forcings, **kwargs)
    rough = score_pair("C2", *c2, times, truth, forcings, **kwargs)
    assert good.survived_all
    assert good.blowups == 0
    assert 0.0 < good.mean_abs_error < rough.mean_abs_error  # higher order, smaller error
    manual, blew_up = run_pair(*c6, truth[50, 0], forcings[0].shifted(0.5), viscosity=0.04,
                               period=PERIOD, duration=0.5, dt=1e-3, save_interval=0.01)
    assert not blew_up
    own = np.mean(np.abs(manual - truth[50:, 0]))
    assert own <= 2.0 * good.mean_abs_error  # the first of the two trajectories


def test_score_pair_counts_a_blow_up() -> None:
    times, truth, forcings = _short_truth((7,), 32)
    offsets = range(-1, 2)
    anti = textbook_stencil(2, offsets).with_metadata(name="anti")
    from learned_ops.stencil import Stencil

    growing = Stencil(anti.offsets, -50.0 * anti.coefficients, 2, name="anti-diffusion")
    score = score_pair("bad", textbook_stencil(1, offsets), growing, times, truth, forcings,
                       viscosity=0.04, period=PERIOD, window=(0.0, 1.0))
    assert score.blowups == 1
    assert math.isinf(score.mean_abs_error)
    assert not score.survived_all
    assert score.survival[0] < 1.0
