"""The largest stable step of an explicit Runge-Kutta method along each eigenvalue's ray.

An explicit method with stability polynomial ``R(z) = sum_k r_k z**k`` (degree p) is stable for
``u' = lambda u`` when ``|R(dt lambda)| <= 1``. Along the ray of a nonzero eigenvalue,
``z = t w`` with ``w = lambda / |lambda|`` and ``t = dt |lambda| >= 0``, and

    |R(t w)|**2 - 1 = t * P(t),    P(t) = sum_{m=1}^{2p} q_m t**(m-1),
    q_m = sum_{j + k = m} r_j r_k Re(w**(j - k)).

The leading coefficient ``q_2p = r_p**2`` is positive, so P is positive for large t: every
explicit method's region is bounded, and every nonzero eigenvalue has a *finite* limit ``t*``,
the end of the first stretch ``(0, t*]`` on which ``P <= 0``. It is 0 when P is positive just
right of 0 (an eigenvalue on the imaginary axis outside the region, e.g. forward Euler with a
central first derivative).

Everything here is judged relative to the size of the terms summed, never against an absolute
number, so a tiny but real dissipation (``Re w = -1e-8``) gives its tiny but real limit, and
round-off (``Re w = 1e-17`` on an eigenvalue that is imaginary in exact arithmetic) cannot
decide a verdict: callers put such eigenvalues exactly on the axis first (see
:func:`solvers.stability.spectrum.snap_to_axes`).
"""

from __future__ import annotations

import math

import numpy as np

from solvers.tableaux import ButcherTableau

__all__ = ["ray_limits", "step_limit"]

ROUND_OFF = 64.0 * np.finfo(np.float64).eps
"""Relative size of round-off in a sum of a few dozen float64 terms (about 1.4e-14)."""
BISECTION_STEPS = 80
"""Bisection steps that polish each limit (the bracket shrinks by 2**-80)."""


def _ray_coefficients(w: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """q[:, m-1] for m = 1..2p, and the size of the terms summed into each.

    Powers of w are formed by repeated multiplication, so w = +-1 and w = +-i give exact
    zeros (``np.angle`` and ``cos`` would leave 6e-17 behind).
    """
    p = r.size - 1
    powers = np.ones((w.size, p + 1), dtype=np.complex128)
    for k in range(1, p + 1):
        powers[:, k] = powers[:, k - 1] * w
    q = np.zeros((w.size, 2 * p))
    size = np.zeros(2 * p)
    for j in range(p + 1):
        for k in range(p + 1):
            if j + k >= 1:
                d = j - k
                power = powers[:, d] if d >= 0 else np.conj(powers[:, -d])
                q[:, j + k - 1] += r[j] * r[k] * power.real
                size[j + k - 1] += abs(r[j] * r[k])
    q[np.abs(q) <= ROUND_OFF * size] = 0.0  # round-off of the sum, not a coefficient
    return q, size


def _evaluate(q: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(t) per row (Horner) and the size of its terms, sum_m |q_m| t**(m-1)."""
    value = np.zeros_like(t)
    size = np.zeros_like(t)
    for m in range(q.shape[1] - 1, -1, -1):
        value = value * t + q[:, m : m + 1]
        size = size * t + np.abs(q[:, m : m + 1])
    return value, size


def _clearly_positive(q: np.ndarray, t: np.ndarray) -> np.ndarray:
    value, size = _evaluate(q, t)
    return value > ROUND_OFF * size


def _breakpoints(q: np.ndarray) -> np.ndarray:
    """Per row, sorted |roots| of P: every positive real root is (close to) one of them."""
    rows, deg = q.shape
    d = deg - 1
    if d == 0:
        return np.zeros((rows, 0))
    # Leading zeros cannot occur (q_2p = r_p**2 > 0); trailing (low-order) zeros are roots at 0.
    companion = np.zeros((rows, d, d))
    companion[:, 0, :] = -q[:, -2::-1] / q[:, -1:]
    if d > 1:
        companion[:, np.arange(1, d), np.arange(d - 1)] = 1.0
    return np.sort(np.abs(np.linalg.eigvals(companion)), axis=1)


def ray_limits(w: np.ndarray, stability_coefficients: np.ndarray) -> np.ndarray:
    """The largest t with |R(s w)| <= 1 for every s in [0, t], per unit direction w.

    Args:
        w: Unit complex directions with Re(w) <= 0 (growing directions have limit 0 anyway).
        stability_coefficients: r_0..r_p of the stability polynomial (r_p != 0).

    Returns:
        Finite limits t* >= 0, one per direction.
    """
    w = np.asarray(w, dtype=np.complex128).ravel()
    r = np.asarray(stability_coefficients, dtype=np.float64)
    if w.size == 0:
        return np.zeros(0)
    q, _ = _ray_coefficients(w, r)
    rows = w.size
    edges = np.concatenate([np.zeros((rows, 1)), _breakpoints(q)], axis=1)
    # P keeps its sign between consecutive breakpoints: probe the middle of each stretch and
    # a point beyond the last one (where P > 0, as P -> +inf).
    beyond = np.maximum(2.0 * edges[:, -1:], 1.0)
    probes = np.concatenate([0.5 * (edges[:, :-1] + edges[:, 1:]), beyond], axis=1)
    positive = _clearly_positive(q, probes) & (probes > edges)  # zero-width stretches: skip
    positive[:, -1] = True
    first = np.argmax(positive, axis=1)
    index = np.arange(rows)
    # P <= 0 (within round-off) at every probe before ``first``; the limit is the crossing
    # between the last of them (or 0 where P(0) = q_1 < 0) and the first positive probe.
    hi = probes[index, first]
    lo = np.where(first > 0, probes[index, np.maximum(first - 1, 0)], 0.0)
    crossing_inside = (first > 0) | (q[:, 0] < 0.0)
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        up = _clearly_positive(q, mid[:, None])[:, 0]
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(crossing_inside, lo, 0.0)


def step_limit(
    eigenvalues: np.ndarray, tableau: ButcherTableau
) -> tuple[float, int | None, str]:
    """Largest dt with |R(s lambda)| <= 1 for all s in [0, dt] and every eigenvalue.

    The eigenvalues must already be cleaned (see :mod:`solvers.stability.spectrum`): exact
    zeros where they vanish within round-off, real parts exactly 0 where they are round-off, and no
    eigenvalue with a positive real part (those are the caller's policy: growth of the
    semi-discrete system, which no time step cures).

    Returns:
        (dt, index of the limiting eigenvalue or None, kind), kind one of ``"finite"``,
        ``"imaginary-axis"`` (dt = 0: an eigenvalue on the imaginary axis outside the
        method's region) and ``"unconditional"`` (every eigenvalue is zero; dt = inf).
    """
    lam = np.asarray(eigenvalues, dtype=np.complex128).ravel()
    mag = np.abs(lam)
    nonzero = np.flatnonzero(mag > 0.0)
    if nonzero.size == 0:
        return math.inf, None, "unconditional"
    if np.any(lam.real[nonzero] > 0.0):
        raise ValueError("step_limit needs eigenvalues with Re <= 0 (clean them first)")
    w = lam[nonzero] / mag[nonzero]
    directions, inverse = np.unique(w, return_inverse=True)  # symmetric stencils: one or two
    dts = ray_limits(directions, tableau.stability_coefficients)[inverse.ravel()] / mag[nonzero]
    dt = float(dts.min())
    ties = np.flatnonzero(dts <= dt * (1.0 + 1e-9))
    k = int(nonzero[ties[np.argmax(mag[nonzero][ties])]])  # among ties, the largest eigenvalue
    if dt == 0.0:
        return 0.0, k, "imaginary-axis"
    return dt, k, "finite"
