"""Forced-Burgers trajectory training and evaluation, end to end, from one configuration.

:class:`BurgersSetup` says everything a run depends on (grid, viscosity, stepper, dt, truth
resolution, seeds, windows, curriculum, the stencils' offsets and orders).
:func:`train_pair` builds the truths (cached), trains the pair through the solver
(:mod:`~learned_ops.trajectory.burgers_pair`), evaluates it on the held-out seeds and certifies
it (:mod:`~learned_ops.trajectory.certificate`). :func:`evaluate_pairs` scores any pairs on the
held-out seeds, with the equal-accuracy coarsening factor against a textbook pair.
``train_pair`` imports TensorFlow; ``evaluate_pairs`` does not.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from learned_ops.trajectory.certificate import PairCertificate, certify_pair
from learned_ops.trajectory.evaluate import PairScore, coarsening_factor, score_pair
from learned_ops.trajectory.fine_truth import FineTruthSpec
from learned_ops.trajectory.truth_cache import coarse_truths

__all__ = ["BurgersSetup", "Pair", "TrainedPair", "evaluate_pairs", "textbook_pair",
           "train_pair"]

Progress = Callable[[str], None] | None


@dataclass(frozen=True)
class BurgersSetup:
    """A forced-Burgers training and evaluation setup (defaults: the data-driven-
    discretization code's: nu = 0.04, period 2 pi, 20 travelling waves; RK4, dt = 1e-3).

    Attributes:
        n: Coarse grid nodes.
        viscosity: nu.
        dt: Coarse solver step.
        stepper: Runge-Kutta method.
        form: Flux form.
        fine_factor: The truth's grid is ``fine_factor * n`` nodes.
        train_seeds: Forcing seeds of the training trajectories.
        test_seeds: Held-out forcing seeds.
        window: Time range training windows and the evaluation lie in.
        curriculum: Unroll lengths K (solver steps), short to long.
        windows_per_trajectory: Training windows drawn per trajectory and stage.
        offsets: Both stencils' offsets.
        flux_order: Accuracy order imposed on the flux's u_x stencil.
        diffusion_order: On the u_xx stencil.
        max_iterations: L-BFGS iterations per curriculum stage.
        seed: Seed of the window draw.
        tolerance: Survival-time tolerance (absolute).
        t_final: The truths' end time.
    """

    n: int = 128
    viscosity: float = 0.04
    dt: float = 1e-3
    stepper: str = "rk4"
    form: str = "conservative"
    fine_factor: int = 8
    train_seeds: tuple[int, ...] = tuple(range(8))
    test_seeds: tuple[int, ...] = tuple(range(1000, 1008))
    window: tuple[float, float] = (10.0, 40.0)
    curriculum: tuple[int, ...] = (100, 300, 1000)
    windows_per_trajectory: int = 4
    offsets: tuple[int, ...] = (-3, -2, -1, 0, 1, 2, 3)
    flux_order: int = 4
    diffusion_order: int = 2
    max_iterations: int = 30
    seed: int = 0
    tolerance: float = 0.1
    t_final: float = 40.0
    period: float = field(default=2.0 * math.pi)

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 16:
            raise ValueError(f"n must be an integer >= 16, got {self.n!r}")
        if not isinstance(self.fine_factor, int) or self.fine_factor < 2:
            raise ValueError(f"the fine factor must be an integer >= 2, got {self.fine_factor!r}")
        if set(self.train_seeds) & set(self.test_seeds):
            raise ValueError("training and held-out seeds overlap: "
                             f"{sorted(set(self.train_seeds) & set(self.test_seeds))}")
        if not self.curriculum or any(k < 1 for k in self.curriculum):
            raise ValueError(f"the curriculum needs unroll lengths >= 1, got {self.curriculum}")

    def specs(self, seeds: Sequence[int], n_fine: int | None = None) -> list[FineTruthSpec]:
        """The truth specs of ``seeds``."""
        return [FineTruthSpec(seed=int(s), viscosity=self.viscosity,
                              n_fine=n_fine or self.fine_factor * self.n, t_final=self.t_final,
                              period=self.period) for s in seeds]

    def as_dict(self) -> dict[str, Any]:
        """Plain data (recorded in the trained stencils' provenance)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True, eq=False)
class Pair:
    """A labelled Burgers operator pair.

    Attributes:
        label: Its name in tables.
        flux: The flux's u_x operator.
        diffusion: The u_xx operator.
    """

    label: str
    flux: Any
    diffusion: Any


def textbook_pair(width: int, label: str | None = None) -> Pair:
    """The classical central pair on ``width`` points (order ``width - 1``)."""
    from learned_ops.textbook import textbook_stencil

    half = width // 2
    offsets = range(-half, half + 1)
    return Pair(label or f"textbook C{2 * half} ({width}-point)",
                textbook_stencil(1, offsets), textbook_stencil(2, offsets))


@dataclass(frozen=True, eq=False)
class TrainedPair:
    """A trained pair with its training record, held-out score and certificate."""

    result: Any
    score: PairScore
    certificate: PairCertificate
    truth_seconds: float

    @property
    def pair(self) -> Pair:
        """The learned stencils as a :class:`Pair`."""
        return Pair("trajectory-trained", self.result.flux, self.result.diffusion)


def _truths(setup: BurgersSetup, seeds: Sequence[int], n: int, n_fine: int | None = None,
            cache_dir: Any = None) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    specs = setup.specs(seeds, n_fine)
    times, truth = coarse_truths(specs, n, cache_dir=cache_dir)
    return times, truth, [spec.forcing() for spec in specs]


def train_pair(setup: BurgersSetup, *, progress: Progress = None,
               cache_dir: Any = None) -> TrainedPair:
    """Train, evaluate on the held-out seeds and certify one pair (imports TensorFlow).

    Starts from the textbook pair of the offsets' width projected on the constrained spaces.
    """
    import solvers
    from learned_ops.optional import require_tensorflow

    require_tensorflow("training through the solver")
    from learned_ops.training.constraints import stencil_space
    from learned_ops.trajectory.burgers_pair import theta_nearest, train_burgers_pair, windows

    say = progress or (lambda _message: None)
    started = time.perf_counter()
    say(f"truth: {len(setup.train_seeds)} training and {len(setup.test_seeds)} held-out "
        f"trajectories on {setup.fine_factor * setup.n} nodes (cached after the first run)")
    times, truth, forcings = _truths(setup, setup.train_seeds, setup.n, cache_dir=cache_dir)
    test_times, test_truth, test_forcings = _truths(setup, setup.test_seeds, setup.n,
                                                    cache_dir=cache_dir)
    truth_seconds = time.perf_counter() - started
    flux_space = stencil_space(setup.offsets, 1, setup.flux_order, symmetric=True)
    diffusion_space = stencil_space(setup.offsets, 2, setup.diffusion_order, symmetric=True)
    start = textbook_pair(len(setup.offsets))
    theta0 = np.concatenate([theta_nearest(flux_space, start.flux.coefficients),
                             theta_nearest(diffusion_space, start.diffusion.coefficients)])
    grid = solvers.Grid.periodic(setup.n, 0.0, setup.period)
    problem = solvers.Burgers(setup.viscosity, start.flux, start.diffusion, grid,
                              form=setup.form, forcing=forcings[0], speed=1.0)
    stages = [(k, windows(times, truth, forcings, dt=setup.dt, steps=k,
                          per_trajectory=setup.windows_per_trajectory, window=setup.window,
                          seed=setup.seed + i)) for i, k in enumerate(setup.curriculum)]
    result = train_burgers_pair(problem, flux_space, diffusion_space, stages, dt=setup.dt,
                                stepper=setup.stepper, theta0=theta0,
                                max_iterations=setup.max_iterations, progress=progress,
                                provenance={"setup": setup.as_dict()})
    say(f"trained in {result.seconds:.1f} s; evaluating on the held-out seeds")
    score = score_pair("trajectory-trained", result.flux, result.diffusion, test_times,
                       test_truth, test_forcings, viscosity=setup.viscosity,
                       period=setup.period, window=setup.window, dt=setup.dt,
                       tolerance=setup.tolerance, stepper=setup.stepper, form=setup.form)
    low, high = float(truth.min()), float(truth.max())
    certificate = certify_pair(result.flux, result.diffusion, n=setup.n,
                               viscosity=setup.viscosity, period=setup.period,
                               velocities=(low, high), dt=setup.dt, stepper=setup.stepper,
                               form=setup.form, heldout_blowups=score.blowups)
    return TrainedPair(result, score, certificate, truth_seconds)


def evaluate_pairs(setup: BurgersSetup, pairs: Sequence[Pair], *,
                   coarsening_grids: Sequence[int] = (2, 4), reference_width: int = 7,
                   cache_dir: Any = None, progress: Progress = None) -> dict[str, Any]:
    """Score pairs on the held-out seeds at ``setup.n``, and their coarsening factors.

    The coarsening factor of each pair is against the textbook pair of ``reference_width``
    points, run also on ``n * g`` nodes for ``g`` in ``coarsening_grids`` (the truth is on
    ``max(fine_factor, 2 * max(g)) * n`` nodes, so every grid subsamples it).

    Returns:
        ``{"setup": ..., "rows": [score dicts with "coarsening_factor"], "reference": {n:
        error}}`` (JSON-ready).
    """
    say = progress or (lambda _message: None)
    n_fine = setup.n * max(setup.fine_factor, 2 * max(coarsening_grids, default=1))
    kwargs = {"viscosity": setup.viscosity, "period": setup.period, "window": setup.window,
              "dt": setup.dt, "tolerance": setup.tolerance, "stepper": setup.stepper,
              "form": setup.form}
    times, truth, forcings = _truths(setup, setup.test_seeds, setup.n, n_fine, cache_dir)
    rows = []
    for pair in pairs:
        say(f"evaluating {pair.label} on {len(setup.test_seeds)} held-out trajectories")
        rows.append(score_pair(pair.label, pair.flux, pair.diffusion, times, truth, forcings,
                               **kwargs))
    reference = textbook_pair(reference_width)
    errors = {setup.n: score_pair(reference.label, reference.flux, reference.diffusion, times,
                                  truth, forcings, **kwargs).mean_abs_error}
    for g in coarsening_grids:
        n = setup.n * g
        say(f"evaluating {reference.label} on {n} nodes (for the coarsening factor)")
        t_n, truth_n, _ = _truths(setup, setup.test_seeds, n, n_fine, cache_dir)
        errors[n] = score_pair(reference.label, reference.flux, reference.diffusion, t_n,
                               truth_n, forcings, **kwargs).mean_abs_error
    table = []
    for score in rows:
        row = score.as_dict()
        row["coarsening_factor"] = coarsening_factor(score.mean_abs_error, setup.n, errors)
        table.append(row)
    return {"setup": setup.as_dict(), "rows": table,
            "reference": {"label": reference.label,
                          "errors": {str(n): e if math.isfinite(e) else None
                                     for n, e in errors.items()}}}
