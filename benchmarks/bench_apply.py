"""Throughput of :class:`~learned_ops.Stencil` application against NumPy and a memory copy.

For periodic 3- and 5-point first-derivative stencils and arrays of shape (1, 400),
(1000, 400) and (1, 10**6), measures millions of grid points per second of

- ``stencil(u, h)`` (validation included: that is what users call),
- hand-written NumPy slicing for the same stencil (interior slices plus wrapped edges),
- ``np.copyto`` of the same array: one read and one write, the bandwidth limit.

Ratios are stencil / slicing (target >= 1) and stencil / copy (how close to the memory limit).
Run: ``python -m benchmarks.run --only apply``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from learned_ops import central_stencil

__all__ = ["run"]

SHAPES: tuple[tuple[int, int], ...] = ((1, 400), (1000, 400), (1, 10**6))
_BUDGET_S = 0.25
"""Time spent per measurement (best of several repeats)."""


def _best_seconds(fn: Callable[[], object], budget: float = _BUDGET_S) -> float:
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(budget / 5 / once))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def _slicing_3(u: np.ndarray, h: float) -> np.ndarray:
    """Hand-written periodic central 3-point first derivative."""
    c = 0.5 / h
    out = np.empty_like(u)
    out[..., 1:-1] = c * (u[..., 2:] - u[..., :-2])
    out[..., 0] = c * (u[..., 1] - u[..., -1])
    out[..., -1] = c * (u[..., 0] - u[..., -2])
    return out


def _slicing_5(u: np.ndarray, h: float) -> np.ndarray:
    """Hand-written periodic central 5-point first derivative."""
    a, b = 2.0 / (3.0 * h), 1.0 / (12.0 * h)
    out = np.empty_like(u)
    out[..., 2:-2] = a * (u[..., 3:-1] - u[..., 1:-3]) - b * (u[..., 4:] - u[..., :-4])
    pad = np.concatenate([u[..., -4:], u[..., :4]], axis=-1)  # wrapped edges
    edge = a * (pad[..., 3:-1] - pad[..., 1:-3]) - b * (pad[..., 4:] - pad[..., :-4])
    out[..., -2:], out[..., :2] = edge[..., :2], edge[..., 2:]
    return out


def run() -> list[dict]:
    """Benchmark rows for :mod:`benchmarks.run`."""
    rng = np.random.default_rng(0)
    h = 0.01
    rows: list[dict] = []
    for accuracy, slicing in ((2, _slicing_3), (4, _slicing_5)):
        stencil = central_stencil(1, accuracy)
        for shape in SHAPES:
            u = rng.standard_normal(shape)
            expected = slicing(u, h)
            got = stencil(u, h)
            if not np.allclose(got, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max()):
                raise AssertionError(f"stencil and slicing disagree for {shape}")
            dst = np.empty_like(u)
            t_stencil = _best_seconds(lambda s=stencil, u=u: s(u, h))
            t_slicing = _best_seconds(lambda f=slicing, u=u: f(u, h))
            t_copy = _best_seconds(lambda u=u, d=dst: np.copyto(d, u))
            mpts = u.size / 1e6
            case = f"{stencil.taps}-point periodic {shape[0]}x{shape[1]}"
            rate = mpts / t_stencil
            rows += [
                {
                    "section": "apply",
                    "case": f"{case}: Stencil",
                    "value": rate,
                    "unit": "Mpoints/s",
                    "ratio": t_slicing / t_stencil,
                    "target": ">= 1x slicing",
                    "meets": t_slicing / t_stencil >= 1.0,
                    "note": f"{t_stencil * 1e6:.1f} us per call",
                },
                {
                    "section": "apply",
                    "case": f"{case}: NumPy slicing",
                    "value": mpts / t_slicing,
                    "unit": "Mpoints/s",
                    "note": f"{t_slicing * 1e6:.1f} us per call",
                },
                {
                    "section": "apply",
                    "case": f"{case}: np.copyto",
                    "value": mpts / t_copy,
                    "unit": "Mpoints/s",
                    "ratio": t_copy / t_stencil,
                    "note": "ratio: Stencil speed / copy speed (1 = bandwidth limit)",
                },
            ]
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
