"""Evaluating Burgers operator pairs on held-out trajectories: the numbers users judge.

Each pair (u_x stencil for the flux, u_xx stencil) is run by the solver itself
(:func:`solvers.solve`, compiled path, the stepper and dt it is meant for) from the truth's
snapshot at the start of the window to its end, each trajectory with its own forcing, and
compared with the truth at every snapshot:

- **rollout error**: the mean absolute error over the window's points and snapshots, over all
  trajectories (infinite when any blew up);
- **survival time**: per trajectory, the time from the window's start until fewer than
  ``fraction`` (80%) of the points lie within ``tolerance`` of the truth (the whole window if
  that never happens; the time of the last good snapshot when the run blew up);
- **blow-ups**: runs the solver stopped for growth or non-finite values;
- **coarsening factor** (:func:`coarsening_factor`): the grid a textbook operator needs to
  match a learned pair's rollout error, divided by the learned pair's grid.

NumPy and ``solvers`` only (no TensorFlow).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PairScore", "coarsening_factor", "run_pair", "score_pair", "survival_time"]


@dataclass(frozen=True)
class PairScore:
    """One pair's evaluation.

    Attributes:
        label: What the pair is (for tables).
        n: Grid nodes.
        mean_abs_error: Rollout error over the window (inf when a run blew up).
        survival: Survival time of each trajectory.
        blowups: Trajectories whose run blew up.
        window: (start, end) of the evaluation window.
    """

    label: str
    n: int
    mean_abs_error: float
    survival: tuple[float, ...]
    blowups: int
    window: tuple[float, float]

    @property
    def survived_all(self) -> bool:
        """Every trajectory lasted the whole window."""
        span = self.window[1] - self.window[0]
        return self.blowups == 0 and all(s >= span - 1e-9 for s in self.survival)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (an infinite error is ``None``)."""
        error = self.mean_abs_error
        return {"label": self.label, "n": self.n,
                "mean_abs_error": error if math.isfinite(error) else None,
                "mean_survival": float(np.mean(self.survival)),
                "min_survival": float(np.min(self.survival)),
                "blowups": self.blowups, "survived_all": self.survived_all,
                "window": list(self.window)}


def survival_time(times: np.ndarray, predicted: np.ndarray, truth: np.ndarray, *,
                  tolerance: float, fraction: float = 0.8) -> float:
    """Time from ``times[0]`` until fewer than ``fraction`` of the points are within
    ``tolerance`` of the truth (``times[-1] - times[0]`` if never).

    ``predicted`` may hold fewer snapshots than ``truth`` (a run that blew up): the survival
    then ends at its last snapshot at the latest.
    """
    kept = len(predicted)
    close = np.mean(np.abs(predicted - truth[:kept]) <= tolerance, axis=-1) >= fraction
    failed = np.flatnonzero(~close)
    if failed.size:
        return float(times[failed[0]] - times[0])
    return float(times[kept - 1] - times[0])


def run_pair(flux: Any, diffusion: Any, u0: np.ndarray, forcing: Any, *, viscosity: float,
             period: float, duration: float, dt: float, save_interval: float,
             stepper: str = "rk4", form: str = "conservative") -> tuple[np.ndarray, bool]:
    """Run the solver with a pair from ``u0`` for ``duration``: (snapshots, blew_up).

    ``forcing`` runs on the window's clock (:meth:`~solvers.forcing.TravellingWaves.shifted`).
    The run uses exactly ``dt`` (the step the pair is certified or evaluated for), so the
    solver's stability refusal is lifted (``allow_unstable``): an unstable pair shows up here
    as a blow-up. A blown-up run returns its snapshots up to the last good one.
    """
    import solvers
    from solvers.errors import BlowUpError, SolverWarning

    n = len(u0)
    grid = solvers.Grid.periodic(n, 0.0, period)
    problem = solvers.Burgers(viscosity, flux, diffusion, grid, form=form, forcing=forcing,
                              speed=max(float(np.max(np.abs(u0))), 1e-300))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolverWarning)
        try:
            solution = solvers.solve(problem, np.asarray(u0, dtype=np.float64), duration,
                                     stepper=stepper, dt=dt, save_every=save_interval,
                                     allow_unstable=True, allow_long=True)
        except BlowUpError as error:
            return np.asarray(error.partial.snapshots), True
    return np.asarray(solution.snapshots), False


def score_pair(label: str, flux: Any, diffusion: Any, times: np.ndarray, truth: np.ndarray,
               forcings: Sequence[Any], *, viscosity: float, period: float,
               window: tuple[float, float] = (10.0, 40.0), dt: float = 1e-3,
               tolerance: float = 0.1, fraction: float = 0.8, stepper: str = "rk4",
               form: str = "conservative") -> PairScore:
    """Evaluate a pair on truth trajectories (T, S, n) over ``window``.

    Raises:
        ValueError: If the window's ends are not truth snapshot times.
    """
    spacing = float(times[1] - times[0])
    first, last = (round(t / spacing) for t in window)
    if not (0 <= first < last < len(times)) or any(
            abs(times[i] - t) > 1e-9 * max(1.0, t) for i, t in zip((first, last), window,
                                                                     strict=True)):
        raise ValueError(f"window {window} must start and end at truth snapshot times "
                         f"(every {spacing:g} up to {times[-1]:g})")
    span = times[first: last + 1]
    errors, survival, blowups = [], [], 0
    for s, forcing in enumerate(forcings):
        target = truth[first: last + 1, s]
        predicted, blew_up = run_pair(
            flux, diffusion, target[0], forcing.shifted(float(times[first])),
            viscosity=viscosity, period=period, duration=float(span[-1] - span[0]), dt=dt,
            save_interval=spacing, stepper=stepper, form=form)
        blowups += blew_up
        survival.append(survival_time(span, predicted, target, tolerance=tolerance,
                                      fraction=fraction))
        errors.append(math.inf if blew_up or len(predicted) != len(target) else float(
            np.mean(np.abs(predicted - target))))
    return PairScore(label, int(truth.shape[-1]), float(np.mean(errors)), tuple(survival),
                     blowups, (float(window[0]), float(window[1])))


def coarsening_factor(learned_error: float, learned_n: int,
                      textbook_errors: Mapping[int, float]) -> float | None:
    """The equal-accuracy coarsening factor of a learned pair against a textbook one.

    The textbook pair's rollout error on several grids is interpolated linearly in
    (log n, log error) to the grid ``n*`` where it equals ``learned_error``; the factor is
    ``n* / learned_n``. Below 1 the textbook pair is better on the learned grid.

    Returns:
        The factor, or None when the textbook errors never reach the learned one on the grids
        given (or the learned error is not finite): the grids do not bracket it.
    """
    if not math.isfinite(learned_error) or learned_error <= 0.0:
        return None
    points = sorted((n, e) for n, e in textbook_errors.items() if math.isfinite(e) and e > 0)
    for (n0, e0), (n1, e1) in itertools.pairwise(points):
        if (e0 - learned_error) * (e1 - learned_error) <= 0.0 and e0 != e1:
            w = (math.log(learned_error) - math.log(e0)) / (math.log(e1) - math.log(e0))
            return math.exp(math.log(n0) + w * (math.log(n1) - math.log(n0))) / learned_n
    return None
