"""Seeded initial conditions for trajectory training (NumPy only)."""

from __future__ import annotations

import numpy as np

__all__ = ["sine_sums"]


def sine_sums(x: np.ndarray, count: int, seed: int, *, k_max: int = 4,
              period: float = 4.0) -> np.ndarray:
    """``count`` rows of ``sum_{l=1}^{k_max} A_l sin(2 pi l x / period + phi_l)`` at nodes x.

    ``A_l`` is uniform in [-1, 1] and ``phi_l`` in [0, 2 pi), drawn with
    ``numpy.random.default_rng(seed)`` (same seed, same rows). On n nodes over one period,
    ``k_max = n // 2`` excites every Fourier mode the grid has (the Nyquist one too), so a
    trajectory loss sees every mode's growth (a stencil unstable for a mode the data lack is
    otherwise invisible until round-off in that mode grows).
    """
    if count < 1 or k_max < 1:
        raise ValueError("count and k_max must be >= 1")
    rng = np.random.default_rng(int(seed))
    x = np.asarray(x, dtype=np.float64)
    amplitudes = rng.uniform(-1.0, 1.0, (count, k_max))
    phases = rng.uniform(0.0, 2.0 * np.pi, (count, k_max))
    wavenumbers = 2.0 * np.pi * np.arange(1, k_max + 1) / period
    angle = wavenumbers[None, :, None] * x[None, None, :] + phases[:, :, None]
    return np.einsum("bl,bln->bn", amplitudes, np.sin(angle))
