"""Fourier analysis of a stencil: symbol, modified wavenumber, dissipation, resolving band.

For a stencil with coefficients c_j at offsets j, the symbol is
sigma(theta) = sum_j c_j exp(i j theta), whose exact value is (i theta)**m. On a periodic grid of
N points the operator's eigenvalues are h**(-m) sigma(2 pi k / N).
"""

from __future__ import annotations

import numpy as np

__all__ = ["relative_symbol_error", "resolving_band", "symbol"]

_BAND_SAMPLES = 4096


def symbol(offsets: np.ndarray, coefficients: np.ndarray, theta: np.ndarray | float) -> np.ndarray:
    """sigma(theta) = sum_j c_j exp(i j theta), vectorised over ``theta``."""
    t = np.asarray(theta, dtype=np.float64)
    with np.errstate(under="ignore"):  # tiny theta: a subnormal sine is harmless
        phase = np.exp(1j * np.multiply.outer(t, np.asarray(offsets, dtype=np.float64)))
        return phase @ np.asarray(coefficients, dtype=np.complex128)


def relative_symbol_error(
    offsets: np.ndarray, coefficients: np.ndarray, derivative_order: int, theta: np.ndarray
) -> np.ndarray:
    """|sigma(theta) - (i theta)**m| / |theta|**m for theta > 0."""
    t = np.asarray(theta, dtype=np.float64)
    exact = (1j * t) ** derivative_order
    return np.abs(symbol(offsets, coefficients, t) - exact) / np.abs(t) ** derivative_order


def resolving_band(
    offsets: np.ndarray, coefficients: np.ndarray, derivative_order: int, eps: float
) -> float:
    """Largest theta in [0, pi] such that the relative symbol error is <= eps on (0, theta].

    Returns 0.0 when even the longest waves are resolved worse than ``eps`` (an inconsistent
    stencil) and pi when every wave on the grid is resolved.
    """
    theta = np.linspace(np.pi / _BAND_SAMPLES, np.pi, _BAND_SAMPLES)
    err = relative_symbol_error(offsets, coefficients, derivative_order, theta) - eps
    bad = np.flatnonzero(err > 0)
    if bad.size == 0:
        return float(np.pi)
    first = int(bad[0])
    if first == 0:
        return 0.0

    def excess(t: float) -> float:
        value = relative_symbol_error(offsets, coefficients, derivative_order, np.array([t]))
        return float(value[0]) - eps

    from scipy.optimize import brentq  # imported here: scipy.optimize costs ~0.3 s to import

    return float(brentq(excess, theta[first - 1], theta[first], xtol=1e-14))
