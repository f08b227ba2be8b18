"""Named initial profiles on periodic 2-D grids, as callables ``f(X, Y)``.

Both are periodic on ``[-2, 2) x [-2, 2)`` (any domain whose lengths are multiples of 4) and
off-axis, so that a test of them is not a 1-D test in disguise:

- ``"wave"``: ``sin(pi (x + 2 y) / 2)``, the single mode of wavevector ``(pi/2, pi)``;
- ``"bump"``: a smooth periodic bump times that wave (every wavenumber present, decaying fast).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solvers.errors import InitialConditionError

__all__ = ["IC_NAMES_2D", "initial_condition_2d"]

Profile2D = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _wave(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * (x + 2.0 * y) / 2.0)


def _bump(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    envelope = np.exp(-2.0 * (np.sin(np.pi * (x - 0.3) / 4.0) ** 2
                              + np.sin(np.pi * (y + 0.2) / 4.0) ** 2))
    return envelope * _wave(x, y)


_PROFILES: dict[str, Profile2D] = {"wave": _wave, "bump": _bump}
IC_NAMES_2D: tuple[str, ...] = tuple(_PROFILES)


def initial_condition_2d(name: str) -> Profile2D:
    """The profile called ``name``.

    Raises:
        InitialConditionError: For an unknown name; the message lists the valid ones.
    """
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in _PROFILES:
        raise InitialConditionError(
            f"unknown 2-D initial condition {name!r}; choose one of {', '.join(IC_NAMES_2D)}")
    return _PROFILES[key]
