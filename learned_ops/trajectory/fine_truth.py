"""Ground truth for forced viscous Burgers: a dealiased pseudo-spectral solve on a fine grid.

``u_t + (u**2 / 2)_x = nu u_xx + f(x, t)`` on ``[0, L)`` periodic, ``f`` a
:class:`~solvers.forcing.TravellingWaves`, is solved in Fourier space on ``n_fine`` nodes with
the integrating-factor RK4 method (the viscous term exactly, the flux and forcing by classic
RK4), the quadratic product dealiased by the 2/3 rule and the forcing's Fourier coefficients
written down exactly (every wave has a whole number of cycles). Coarse truths are the fine
snapshots *subsampled* at every ``n_fine / n``-th node, so a coarse grid's nodes are fine nodes.

Everything is NumPy (``numpy.fft``); a run is a deterministic function of its
:class:`FineTruthSpec` (float64 throughout, no random state besides the forcing's seed).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from solvers.forcing import TravellingWaves

__all__ = ["FineTruth", "FineTruthSpec", "forcing_spectrum", "solve_fine"]


@dataclass(frozen=True)
class FineTruthSpec:
    """What a fine-grid truth run is: everything its numbers depend on.

    Attributes:
        seed: The forcing's seed (:meth:`TravellingWaves.random`); the initial state is u = 0.
        viscosity: nu > 0.
        n_fine: Fine nodes (a multiple of every coarse grid used).
        t_final: End time.
        dt: Fine time step.
        save_interval: Snapshot spacing in time (a whole number of steps).
        period: Domain length L.
    """

    seed: int
    viscosity: float = 0.04
    n_fine: int = 1024
    t_final: float = 40.0
    dt: float = 1e-3
    save_interval: float = 1e-2
    period: float = 2.0 * math.pi

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not (self.viscosity > 0.0 and math.isfinite(self.viscosity)):
            raise ValueError(f"viscosity must be a finite number > 0, got {self.viscosity!r}")
        if not isinstance(self.n_fine, int) or self.n_fine < 16 or self.n_fine % 2:
            raise ValueError(f"n_fine must be an even integer >= 16, got {self.n_fine!r}")
        for name in ("t_final", "dt", "save_interval", "period"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        if abs(self.stride * self.dt - self.save_interval) > 1e-9 * self.save_interval:
            raise ValueError(f"save_interval {self.save_interval:g} is not a whole number of "
                             f"steps of dt = {self.dt:g}")
        if abs(self.saves * self.save_interval - self.t_final) > 1e-9 * self.t_final:
            raise ValueError(f"t_final {self.t_final:g} is not a whole number of save "
                             f"intervals {self.save_interval:g}")

    @property
    def stride(self) -> int:
        """Steps between snapshots."""
        return round(self.save_interval / self.dt)

    @property
    def saves(self) -> int:
        """Snapshot intervals (snapshots: saves + 1, the initial state included)."""
        return round(self.t_final / self.save_interval)

    def forcing(self) -> TravellingWaves:
        """The run's forcing (the data-driven-discretization defaults: 20 waves, modes 3-6)."""
        return TravellingWaves.random(self.seed, self.period)

    def as_dict(self) -> dict[str, float | int]:
        """Plain data (the cache's provenance)."""
        return asdict(self)


@dataclass(frozen=True, eq=False)
class FineTruth:
    """A fine-grid truth run.

    Attributes:
        spec: What was run.
        times: Snapshot times, shape (saves + 1,).
        snapshots: u at the times on the fine grid, shape (saves + 1, n_fine).
    """

    spec: FineTruthSpec
    times: np.ndarray
    snapshots: np.ndarray

    def coarse(self, n: int) -> np.ndarray:
        """The snapshots subsampled to ``n`` nodes, shape (saves + 1, n).

        Raises:
            ValueError: If ``n`` does not divide ``n_fine``.
        """
        if not isinstance(n, int) or n < 1 or self.spec.n_fine % n:
            raise ValueError(f"a coarse grid of {n!r} nodes does not subsample the fine grid of "
                             f"{self.spec.n_fine}; use a divisor of {self.spec.n_fine}")
        return self.snapshots[:, :: self.spec.n_fine // n]

    def index(self, t: float) -> int:
        """The snapshot index of time ``t`` (a multiple of the save interval).

        Raises:
            ValueError: If ``t`` is not a snapshot time.
        """
        k = round(t / self.spec.save_interval)
        if not 0 <= k < len(self.times) or abs(self.times[k] - t) > 1e-9 * max(1.0, abs(t)):
            raise ValueError(f"t = {t!r} is not a snapshot time (multiples of "
                             f"{self.spec.save_interval:g} up to {self.spec.t_final:g})")
        return k


def forcing_spectrum(forcing: TravellingWaves, n: int, period: float, t: float) -> np.ndarray:
    """``numpy.fft.rfft`` of ``f(x_j, t)`` on ``x_j = j L / n``, exactly (not sampled).

    ``A sin(l 2 pi x / L + theta)`` contributes ``A n exp(i theta) / (2 i)`` at index ``l > 0``
    (and the conjugate of that at ``-l``).
    """
    cycles = np.rint(forcing.wavenumbers * period / (2.0 * math.pi)).astype(np.int64)
    if np.any(np.abs(cycles) >= n // 2):
        raise ValueError(f"forcing modes {np.unique(np.abs(cycles)).tolist()} do not fit on "
                         f"{n} nodes")
    theta = forcing.frequencies * t + forcing.phases
    weights = forcing.amplitudes * n / 2.0j * np.exp(1j * theta)
    weights = np.where(cycles > 0, weights, -np.conj(weights))
    spectrum = np.zeros(n // 2 + 1, dtype=np.complex128)
    np.add.at(spectrum, np.abs(cycles), weights)
    return spectrum


def solve_fine(spec: FineTruthSpec) -> FineTruth:
    """Run the fine pseudo-spectral solve from u = 0 to ``t_final``.

    Raises:
        FloatingPointError: If the run does not stay finite (dt too large for n_fine).
    """
    n, dt, nu, period = spec.n_fine, float(spec.dt), float(spec.viscosity), float(spec.period)
    forcing = spec.forcing()
    forcing.check_period(0.0, period)
    k = 2.0 * math.pi / period * np.arange(n // 2 + 1)
    keep = np.arange(n // 2 + 1) < n / 3.0  # the 2/3 rule for the quadratic product
    flux_factor = np.where(keep, -0.5j * k, 0.0)
    half = np.exp(-nu * k**2 * dt / 2.0)
    full = half * half

    def rate(u_hat: np.ndarray, t: float) -> np.ndarray:
        u = np.fft.irfft(u_hat, n)
        return flux_factor * np.fft.rfft(u * u) + forcing_spectrum(forcing, n, period, t)

    u_hat = np.zeros(n // 2 + 1, dtype=np.complex128)
    snapshots = np.empty((spec.saves + 1, n))
    snapshots[0] = 0.0
    step = 0
    for save in range(1, spec.saves + 1):
        for _ in range(spec.stride):
            t = step * dt
            a = rate(u_hat, t)
            b = rate(half * (u_hat + 0.5 * dt * a), t + 0.5 * dt)
            c = rate(half * u_hat + 0.5 * dt * b, t + 0.5 * dt)
            d = rate(full * u_hat + dt * half * c, t + dt)
            u_hat = full * u_hat + dt / 6.0 * (full * a + 2.0 * half * (b + c) + d)
            step += 1
        snapshots[save] = np.fft.irfft(u_hat, n)
        if not np.isfinite(snapshots[save]).all():
            raise FloatingPointError(
                f"the fine truth (seed {spec.seed}, n_fine {n}, dt {dt:g}) stopped being finite "
                f"at t = {save * spec.save_interval:g}; lower dt")
    times = spec.save_interval * np.arange(spec.saves + 1)
    return FineTruth(spec, times, snapshots)
