"""Explicit Runge-Kutta methods as data: Butcher tableaux and a registry by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import factorial
from types import MappingProxyType

import numpy as np

from solvers.errors import StepperError

__all__ = [
    "CLASSICAL_RK4",
    "FORWARD_EULER",
    "HEUN",
    "SSP_RK3",
    "STEPPERS",
    "ButcherTableau",
    "get_tableau",
    "stepper_names",
]

_TOL = 1e-12


def _order_conditions(
    a: np.ndarray, b: np.ndarray, c: np.ndarray
) -> list[tuple[int, float, float]]:
    """(order, value, expected) for the rooted-tree conditions up to order 4."""
    ac = a @ c
    return [
        (1, float(b.sum()), 1.0),
        (2, float(b @ c), 1 / 2),
        (3, float(b @ c**2), 1 / 3),
        (3, float(b @ ac), 1 / 6),
        (4, float(b @ c**3), 1 / 4),
        (4, float(b @ (c * ac)), 1 / 8),
        (4, float(b @ (a @ c**2)), 1 / 12),
        (4, float(b @ (a @ ac)), 1 / 24),
    ]


@dataclass(frozen=True, eq=False)
class ButcherTableau:
    """An explicit Runge-Kutta method ``(a, b, c)`` that checks itself.

    Attributes:
        name: Registry name.
        a: Strictly lower-triangular stage matrix (s x s).
        b: Weights (s).
        order: Claimed order, verified against the order conditions (up to 4).
        description: Free text.
    """

    name: str
    a: np.ndarray
    b: np.ndarray
    order: int
    description: str = ""

    def __post_init__(self) -> None:
        a = np.array(self.a, dtype=np.float64)
        b = np.array(self.b, dtype=np.float64).ravel()
        s = b.size
        if s == 0 or a.shape != (s, s):
            raise StepperError(f"tableau {self.name!r}: a must be {s} x {s} for {s} weights")
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            raise StepperError(f"tableau {self.name!r}: entries must be finite")
        if np.any(np.triu(a) != 0.0):
            raise StepperError(
                f"tableau {self.name!r}: a must be strictly lower triangular (explicit method)"
            )
        if not isinstance(self.order, int) or not 1 <= self.order <= 4:
            raise StepperError(f"tableau {self.name!r}: order must be 1..4, got {self.order!r}")
        c = a.sum(axis=1)
        for order, value, expected in _order_conditions(a, b, c):
            if order <= self.order and abs(value - expected) > _TOL:
                raise StepperError(
                    f"tableau {self.name!r} claims order {self.order} but an order-{order} "
                    f"condition gives {value:.15g} instead of {expected:.15g}"
                )
        for arr in (a, b, c):
            arr.setflags(write=False)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "_c", c)

    @property
    def c(self) -> np.ndarray:
        """Stage times (row sums of a)."""
        return self._c  # type: ignore[attr-defined]

    @property
    def stages(self) -> int:
        """Number of stages s."""
        return self.b.size

    @property
    def stability_coefficients(self) -> np.ndarray:
        """r_0..r_s of R(z) = sum_k r_k z**k, with r_k = b^T a^(k-1) 1 (r_0 = 1)."""
        coeffs = [1.0]
        v = np.ones(self.stages)
        for _ in range(self.stages):
            coeffs.append(float(self.b @ v))
            v = self.a @ v
        r = np.array(coeffs)
        last = np.flatnonzero(np.abs(r) > 0.0)[-1]
        return r[: last + 1]

    def stability_polynomial(self, z: np.ndarray | complex) -> np.ndarray:
        """R(z): the amplification factor for u' = lambda u with z = dt * lambda."""
        r = self.stability_coefficients
        return np.polynomial.polynomial.polyval(np.asarray(z, dtype=np.complex128), r)

    def __repr__(self) -> str:
        return f"ButcherTableau({self.name!r}, stages={self.stages}, order={self.order})"


FORWARD_EULER = ButcherTableau("euler", [[0.0]], [1.0], 1, "forward Euler")
HEUN = ButcherTableau(
    "heun", [[0.0, 0.0], [1.0, 0.0]], [0.5, 0.5], 2, "Heun's method = SSP-RK2 (Shu-Osher)"
)
SSP_RK3 = ButcherTableau(
    "ssprk3",
    [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.25, 0.25, 0.0]],
    [1 / 6, 1 / 6, 2 / 3],
    3,
    "strong-stability-preserving RK3 (Shu-Osher)",
)
CLASSICAL_RK4 = ButcherTableau(
    "rk4",
    [[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1.0, 0]],
    [1 / 6, 1 / 3, 1 / 3, 1 / 6],
    4,
    "classical fourth-order Runge-Kutta",
)

STEPPERS: Mapping[str, ButcherTableau] = MappingProxyType(
    {t.name: t for t in (FORWARD_EULER, HEUN, SSP_RK3, CLASSICAL_RK4)}
)
"""The registered methods by canonical name."""

_ALIASES = {
    "forward-euler": "euler",
    "fe": "euler",
    "ssprk2": "heun",
    "ssp-rk2": "heun",
    "rk2": "heun",
    "ssp-rk3": "ssprk3",
    "rk3": "ssprk3",
    "classical-rk4": "rk4",
}


def stepper_names() -> list[str]:
    """Canonical names followed by aliases."""
    return [*STEPPERS, *_ALIASES]


def get_tableau(stepper: str | ButcherTableau) -> ButcherTableau:
    """The tableau for a name (or the tableau itself).

    Raises:
        StepperError: For an unknown name; the message lists the valid ones.
    """
    if isinstance(stepper, ButcherTableau):
        return stepper
    if isinstance(stepper, str):
        key = stepper.strip().lower().replace("_", "-")
        key = _ALIASES.get(key, key)
        if key in STEPPERS:
            return STEPPERS[key]
    raise StepperError(
        f"unknown stepper {stepper!r}; valid names: {', '.join(stepper_names())}"
    )


def taylor_coefficients(order: int) -> np.ndarray:
    """1, 1, 1/2, ..., 1/order!: R(z) of every s = p explicit method with p <= 4."""
    return np.array([1.0 / factorial(k) for k in range(order + 1)])
