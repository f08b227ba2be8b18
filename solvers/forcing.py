"""Forcing terms f(x, t): a sum of travelling sine waves, deterministic for a seed.

The family is the one used to train and test learned discretisations of forced Burgers
(Bar-Sinai et al. 2019; the data-driven-discretization code's defaults)::

    f(x, t) = sum_j A_j sin(k_j x + omega_j t + phi_j),   k_j = 2 pi l_j / L,

with ``A_j`` uniform in [-0.5, 0.5], ``omega_j`` in [-0.4, 0.4], ``phi_j`` in [0, 2 pi) and
integer ``l_j`` in {3, 4, 5, 6}, so that every wave is periodic on the domain of length ``L``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solvers.errors import ProblemError

__all__ = ["TravellingWaves"]


def _vector(name: str, values: object) -> np.ndarray:
    try:
        arr = np.array(values, dtype=np.float64, ndmin=1)
    except (TypeError, ValueError):
        raise ProblemError(f"forcing {name} must be numbers, got {values!r}") from None
    if arr.ndim != 1 or not np.isfinite(arr).all():
        raise ProblemError(f"forcing {name} must be a 1-D sequence of finite numbers")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class TravellingWaves:
    """``f(x, t) = sum_j A_j sin(k_j x + omega_j t + phi_j)``.

    Attributes:
        amplitudes: A_j.
        wavenumbers: k_j (dimensional: radians per unit length).
        frequencies: omega_j (radians per unit time).
        phases: phi_j (radians).
        seed: The seed it was drawn from (None when given explicitly).
    """

    amplitudes: np.ndarray
    wavenumbers: np.ndarray
    frequencies: np.ndarray
    phases: np.ndarray
    seed: int | None = None

    def __post_init__(self) -> None:
        arrays = {name: _vector(name, getattr(self, name))
                  for name in ("amplitudes", "wavenumbers", "frequencies", "phases")}
        sizes = {arr.size for arr in arrays.values()}
        if len(sizes) != 1:
            raise ProblemError(
                "forcing amplitudes, wavenumbers, frequencies and phases must have the same "
                f"length, got {[arr.size for arr in arrays.values()]}"
            )
        for name, arr in arrays.items():
            object.__setattr__(self, name, arr)

    @classmethod
    def random(cls, seed: int, period: float, *, count: int = 20, max_amplitude: float = 0.5,
               max_frequency: float = 0.4, modes: tuple[int, ...] = (3, 4, 5, 6),
               ) -> TravellingWaves:
        """Waves drawn with ``numpy.random.default_rng(seed)`` (same seed, same forcing).

        Args:
            seed: The seed (a non-negative integer).
            period: Length L of the periodic domain.
            count: Number of waves.
            max_amplitude: A_j is uniform in [-max_amplitude, max_amplitude].
            max_frequency: omega_j is uniform in [-max_frequency, max_frequency].
            modes: Integer wavenumbers l_j (k_j = 2 pi l_j / L) drawn from these.

        Raises:
            ProblemError: On a negative seed, a non-positive period or count, or no modes.
        """
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ProblemError(f"forcing seed must be a non-negative integer, got {seed!r}")
        if not (isinstance(period, (int, float)) and math.isfinite(period) and period > 0):
            raise ProblemError(f"forcing period must be a finite number > 0, got {period!r}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ProblemError(f"forcing count must be an integer >= 1, got {count!r}")
        if not modes or any(not isinstance(m, int) or m == 0 for m in modes):
            raise ProblemError(f"forcing modes must be nonzero integers, got {modes!r}")
        rng = np.random.default_rng(int(seed))
        amplitudes = rng.uniform(-max_amplitude, max_amplitude, count)
        frequencies = rng.uniform(-max_frequency, max_frequency, count)
        phases = rng.uniform(0.0, 2.0 * math.pi, count)
        wavenumbers = 2.0 * math.pi * rng.choice(np.array(modes), count) / period
        return cls(amplitudes, wavenumbers.astype(np.float64), frequencies, phases, int(seed))

    def shifted(self, t0: float) -> TravellingWaves:
        """The same waves on a clock started at ``t0``: ``g(x, s) = f(x, t0 + s)``.

        A run that starts from a state at time ``t0`` (a coarse rollout from a truth snapshot)
        uses this, since :func:`solvers.solve` starts every clock at 0.
        """
        if not (isinstance(t0, (int, float)) and math.isfinite(t0)):
            raise ProblemError(f"forcing time shift must be a finite number, got {t0!r}")
        return TravellingWaves(self.amplitudes, self.wavenumbers, self.frequencies,
                               self.phases + self.frequencies * float(t0), self.seed)

    @property
    def bound(self) -> float:
        """sup |f| <= sum |A_j| (what the maximum principle allows ``max|u|`` to gain per unit
        time)."""
        return float(np.abs(self.amplitudes).sum())

    def check_period(self, lower: float, upper: float) -> None:
        """Refuse waves that are not periodic on ``[lower, upper)``.

        Raises:
            ProblemError: Naming the first wave whose ``k L / (2 pi)`` is not an integer.
        """
        cycles = self.wavenumbers * (upper - lower) / (2.0 * math.pi)
        off = np.abs(cycles - np.round(cycles)) > 1e-9 * np.maximum(1.0, np.abs(cycles))
        if off.any():
            j = int(np.flatnonzero(off)[0])
            raise ProblemError(
                f"forcing wave {j} has k = {self.wavenumbers[j]:.6g}, {cycles[j]:.6g} cycles "
                f"on the domain of length {upper - lower:g}; a periodic grid needs whole cycles"
            )

    def tables(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``sin(k_j x)`` and ``cos(k_j x)``, shape (waves, nodes), for :meth:`coefficients`."""
        phase = np.outer(self.wavenumbers, np.asarray(x, dtype=np.float64))
        return np.sin(phase), np.cos(phase)

    def coefficients(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """(a, b) with ``f(x, t) = a @ sin(k x) + b @ cos(k x)``."""
        angle = self.frequencies * t + self.phases
        return self.amplitudes * np.cos(angle), self.amplitudes * np.sin(angle)

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        """f at nodes ``x`` and time ``t``."""
        x = np.asarray(x, dtype=np.float64)
        phase = np.multiply.outer(x, self.wavenumbers) + (self.frequencies * t + self.phases)
        return np.sin(phase) @ self.amplitudes
