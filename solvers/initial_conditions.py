"""Ready initial conditions, and turning any function or array into values on a grid.

The seed's sinusoid family ``u = b (a sin(k1 pi x) + (1 - a) sin(k2 pi x))`` with integer
``k1, k2`` in ``[0, 20)``, ``a ~ U(0, 1)``, ``b ~ U(0, 2)`` (seeded), single sine modes and a
smooth periodic bump are callables of ``x``, so the analytic solutions can evaluate them anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from solvers.errors import InitialConditionError
from solvers.grid import Grid

__all__ = [
    "IC_NAMES",
    "Bump",
    "InitialData",
    "SineMode",
    "Sinusoid",
    "initial_condition",
    "initial_values",
]


@dataclass(frozen=True)
class Sinusoid:
    """``b (a sin(k1 pi x) + (1 - a) sin(k2 pi x))``; periodic on any interval of length 2.

    Attributes:
        k1: First integer wavenumber (in units of pi).
        k2: Second integer wavenumber.
        a: Mixing weight in [0, 1].
        b: Amplitude.
    """

    k1: int
    k2: int
    a: float
    b: float

    @classmethod
    def random(cls, seed: int, k_max: int = 20, amplitude_max: float = 2.0) -> Sinusoid:
        """Draw from the seed family with ``numpy.random.default_rng(seed)``."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InitialConditionError(f"seed must be an integer >= 0, got {seed!r}")
        rng = np.random.default_rng(int(seed))
        k1, k2 = (int(k) for k in rng.integers(0, k_max, size=2))
        a = float(rng.uniform(0.0, 1.0))
        b = float(rng.uniform(0.0, amplitude_max))
        return cls(k1, k2, a, b)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return self.b * (
            self.a * np.sin(self.k1 * np.pi * x) + (1.0 - self.a) * np.sin(self.k2 * np.pi * x)
        )


@dataclass(frozen=True)
class SineMode:
    """``amplitude * sin(k pi x)`` (periodic on any interval of length 2 for integer k)."""

    k: int
    amplitude: float = 1.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.amplitude * np.sin(self.k * np.pi * np.asarray(x, dtype=np.float64))


@dataclass(frozen=True)
class Bump:
    """A smooth periodic bump ``exp(-sin(pi (x - center) / period)**2 / width**2)``.

    Infinitely differentiable and exactly periodic with ``period``; about ``exp(-1/width**2)``
    (1.4e-11 for the default width) half a period away from the centre.
    """

    center: float = 0.0
    width: float = 0.2
    period: float = 4.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        s = np.sin(np.pi * (np.asarray(x, dtype=np.float64) - self.center) / self.period)
        with np.errstate(under="ignore"):
            return np.exp(-(s**2) / self.width**2)


InitialData = Union[Callable[[np.ndarray], np.ndarray], np.ndarray]  # noqa: UP007 (py3.10)
IC_NAMES = ("sinusoid", "mode[:K]", "bump", "cole-hopf[:A=..,k=..]")


def _cole_hopf(name: str, arg: str, viscosity: float | None) -> Callable:
    """``cole-hopf[:A=1.5,k=1]``: the Cole-Hopf wave with ``phi = A + cos(k pi x)``."""
    from solvers.cole_hopf import ColeHopfWave

    if viscosity is None or not viscosity > 0.0:
        raise InitialConditionError(
            f"{name!r} is an exact viscous Burgers solution: it needs the problem's viscosity "
            "> 0 (initial_condition(..., viscosity=nu))"
        )
    params = {"a": 1.5, "k": 1.0}
    for item in filter(None, (part.strip() for part in arg.split(","))):
        key, equals, value = item.partition("=")
        key = key.strip().lower()
        try:
            number = float(value)
        except ValueError:
            number = None
        if not equals or key not in params or number is None:
            raise InitialConditionError(
                f"bad {name!r}: expected cole-hopf:A=<number>,k=<integer> (A > 1, k >= 1 in "
                f"units of pi, as mode:K), got {item!r}"
            )
        params[key] = number
    k = params["k"]
    if k != round(k) or k < 1:
        raise InitialConditionError(f"bad {name!r}: k must be an integer >= 1 (units of pi)")
    return ColeHopfWave(float(viscosity), params["a"], float(k) * np.pi)


def initial_condition(name: str, *, seed: int = 0, grid: Grid | None = None,
                      viscosity: float | None = None) -> Callable:
    """A ready initial condition by name: ``sinusoid``, ``mode`` / ``mode:K``, ``bump``,
    ``cole-hopf[:A=..,k=..]``.

    Args:
        name: The name.
        seed: Seed for ``sinusoid``.
        grid: If given, the bump is centred on it with its length as period.
        viscosity: Burgers' viscosity, which ``cole-hopf`` (the exact wave
            ``u = 2 nu k sin(k pi x) / (A exp(nu (k pi)**2 t) + cos(k pi x))``, default
            ``A = 1.5``, ``k = 1``; periodic on any interval of length 2) needs.
    """
    key, _, arg = str(name).strip().lower().partition(":")
    if key == "cole-hopf":
        return _cole_hopf(name, str(name).strip().partition(":")[2], viscosity)
    if key == "sinusoid" and not arg:
        return Sinusoid.random(seed)
    if key == "mode":
        try:
            k = int(arg) if arg else 1
        except ValueError:
            raise InitialConditionError(
                f"bad mode {name!r}: expected mode:K with K an integer"
            ) from None
        if k == 0:
            raise InitialConditionError("mode:0 is identically zero; use K >= 1")
        if grid is not None and abs(k) * grid.length / 2 > grid.n / 2:
            raise InitialConditionError(
                f"mode:{k} has {abs(k) * grid.length / 2:g} wavelengths on a grid of {grid.n} "
                f"nodes, beyond the {grid.n // 2} the grid can represent (aliasing); use a "
                "smaller K or more nodes"
            )
        return SineMode(k)
    if key == "bump" and not arg:
        if grid is None:
            return Bump()
        return Bump(center=0.5 * (grid.lower + grid.upper), period=grid.length)
    raise InitialConditionError(
        f"unknown initial condition {name!r}; choose one of {', '.join(IC_NAMES)}"
    )


def initial_values(u0: Any, grid: Grid) -> np.ndarray:
    """``u0`` on the grid nodes as a new float64 array: a function of x, or an array.

    Raises:
        InitialConditionError: On a wrong shape, a non-real dtype, or non-finite values.
    """
    if callable(u0):
        try:
            values = np.asarray(u0(grid.x))
        except Exception as exc:
            raise InitialConditionError(f"the initial function failed on the grid: {exc}") from exc
        if values.shape == ():
            values = np.full(grid.n, values)
        what = "the initial function's values"
    else:
        values = np.asarray(u0)
        what = "initial data"
    if values.dtype.kind != "f" or values.dtype.itemsize > 8:
        raise InitialConditionError(
            f"{what} must be real floating-point numbers, got dtype {values.dtype} (convert "
            "with .astype(float); nothing is cast silently)"
        )
    if values.shape != (grid.n,):
        raise InitialConditionError(
            f"{what} have shape {values.shape}, but the grid has {grid.n} nodes"
        )
    values = np.array(values, dtype=np.float64)
    if not np.isfinite(values).all():
        bad = int(values.size - np.count_nonzero(np.isfinite(values)))
        raise InitialConditionError(f"{what} contain {bad} NaN or infinite value(s)")
    return values
