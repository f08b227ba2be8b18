"""Exact periodic solutions of viscous Burgers ``u_t + (u^2/2)_x = nu u_xx`` by Cole-Hopf.

``u = -2 nu phi_x / phi`` turns Burgers into ``phi_t = nu phi_xx`` (``phi > 0``).
:class:`ColeHopfWave` (``phi = A + exp(-nu k^2 t) cos(k x)``) and :class:`ColeHopfModes`
(``phi = A + sum_j a_j exp(-nu k_j^2 t) cos(k_j x + theta_j)``) are closed forms.
:class:`ColeHopfSolution` takes any smooth periodic zero-mean ``u0`` (callable or uniform
samples); a class, so the spectral set-up is done once for all times (:func:`burgers_exact`
is the one-shot function).

Its method: ``U0`` is the spectral antiderivative of ``u0`` and ``phi_0 = exp(-U0 / (2 nu))``.
The Fourier series of ``phi`` loses every digit where ``phi`` is tiny (``u0 = sin x``,
``nu = 0.01``: ``phi_0`` spans ``e^0 .. e^-100``), so ``u`` is the heat kernel on the line
(images of the period) with log-sum-exp weights::

    E(y) = U0(y) / (2 nu) + (x - y)^2 / (4 nu t),   w = exp(-(E - min E)),
    u(x, t) = sum_y w(y) (x - y) / t / sum_y w(y),

a trapezoid rule of spacing ``sigma / 3``, ``sigma = sqrt(2 nu / (max|u0'| + 1 / t))`` (the
narrowest width of ``exp(-E)``; error about ``exp(-2 pi^2 9)``), at most half the spacing of
the samples resolving ``u0``, over every ``y`` whose weight can exceed ``1e-300``. For large
``t`` that sum cancels (terms ``~ L / t`` for a decaying ``u``) while ``phi`` becomes nearly
constant: when the Fourier-evolved ``phi(t)`` (``max phi_0 = 1``) stays above ``1e-2``, its
round-off costs at most two digits and ``u = -2 nu phi_x / phi`` is summed from it instead
(``method="auto"``; ``"images"`` or ``"fourier"`` force one route).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from solvers.errors import ProblemError

__all__ = ["ColeHopfModes", "ColeHopfSolution", "ColeHopfWave", "burgers_exact"]

_EPS = float(np.finfo(np.float64).eps)
_LOG_TINY = 690.0  # exp(-690) ~ 1e-300: weights below this, relative to the largest, are left out
_BLOCK = 1 << 20  # elements per work array (8 MB of float64; a few alive at once, < 50 MB)
_MAX_SAMPLES = 1 << 16  # finest sampling tried to resolve a callable u0
_MAX_GRID = 1 << 22  # finest stored quadrature grid; beyond it U0 is summed at the points
_FOURIER_MIN_PHI = 1e-2  # Fourier route when min phi(t) >= this (with max phi_0 = 1)
_NU_HINT = "the Cole-Hopf transform u = -2 nu phi_x / phi needs a viscosity nu > 0"


def _number(name: str, value: Any) -> float:
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise ProblemError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(number):
        raise ProblemError(f"{name} must be finite, got {value!r}; pass a finite number")
    return number


def _positive(name: str, value: Any, hint: str) -> float:
    number = _number(name, value)
    if number <= 0:
        raise ProblemError(f"{name} must be > 0, got {value!r}; {hint}")
    return number


def _coordinates(x: Any) -> np.ndarray:
    array = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ProblemError("x must be finite; it holds nan or inf coordinates: drop or fix them")
    return array


def _time(t: Any) -> float:
    time = _number("t", t)
    if time < 0:
        raise ProblemError(
            f"t must be >= 0, got {t!r}; viscous Burgers is solved forward from the initial "
            "condition at t = 0 (backward in time it is ill-posed)"
        )
    return time


def _blocks(n: int, per_row: int) -> Iterator[slice]:
    rows = max(1, _BLOCK // max(1, per_row))
    for start in range(0, n, rows):
        yield slice(start, min(n, start + rows))


@dataclass(frozen=True)
class ColeHopfWave:
    """Single-mode solution ``u = 2 nu k sin(k x) / (A exp(nu k^2 t) + cos(k x))``.

    From ``phi = A + exp(-nu k^2 t) cos(k x)``. Periodic with period ``2 pi / k`` (choose
    ``k`` so that the domain length is a multiple of it); zero mean. ``A -> 1+`` gives a
    near-shock front at ``k x = pi`` of width about ``sqrt(2 (A - 1)) / k``.

    Attributes:
        viscosity: ``nu > 0``.
        amplitude: ``A > 1`` (so that ``phi > 0``).
        wavenumber: ``k > 0``.
    """

    viscosity: float
    amplitude: float
    wavenumber: float = 1.0

    def __post_init__(self) -> None:
        nu = _positive("viscosity", self.viscosity, _NU_HINT)
        amplitude = _number("amplitude", self.amplitude)
        if amplitude <= 1:
            raise ProblemError(
                f"amplitude A must be > 1 so that phi = A + exp(-nu k^2 t) cos(k x) stays "
                f"positive, got {self.amplitude!r}; take A slightly above 1 for a steep front"
            )
        k = _positive("wavenumber", self.wavenumber, "pass k = 2 pi m / (domain length)")
        for name, value in (("viscosity", nu), ("amplitude", amplitude), ("wavenumber", k)):
            object.__setattr__(self, name, value)

    @property
    def max_slope(self) -> float:
        """``max |u_x|`` at ``t = 0``: ``2 nu k^2 / (A - 1)``, at ``k x = pi`` (large as A -> 1)."""
        return 2.0 * self.viscosity * self.wavenumber**2 / (self.amplitude - 1.0)

    def __call__(self, x: Any) -> np.ndarray:
        """The initial condition ``u(x, 0)``."""
        return self.solution(x, 0.0)

    def solution(self, x: Any, t: float) -> np.ndarray:
        """``u(x, t)`` (float64, the shape of ``x``); no overflow for large ``nu k^2 t``."""
        x, t = _coordinates(x), _time(t)
        nu, k = self.viscosity, self.wavenumber
        decay = math.exp(-nu * k * k * t)  # dividing through by exp(nu k^2 t)
        with np.errstate(under="ignore"):
            return 2.0 * nu * k * decay * np.sin(k * x) / (self.amplitude + decay * np.cos(k * x))


@dataclass(frozen=True)
class ColeHopfModes:
    """Multi-mode solution from ``phi = A + sum_j a_j exp(-nu k_j^2 t) cos(k_j x + theta_j)``.

    ``u = 2 nu sum_j a_j k_j e_j sin(k_j x + theta_j) / phi`` with ``e_j = exp(-nu k_j^2 t)``.
    Periodic on any interval whose length is a multiple of every ``2 pi / k_j``; zero mean.

    Attributes:
        viscosity: ``nu > 0``.
        offset: ``A > sum_j |a_j|`` (so that ``phi > 0`` for all ``x`` and ``t``).
        amplitudes: ``a_j``.
        wavenumbers: ``k_j > 0``.
        phases: ``theta_j`` (default all zero).
    """

    viscosity: float
    offset: float
    amplitudes: Sequence[float]
    wavenumbers: Sequence[float]
    phases: Sequence[float] = field(default=())

    def __post_init__(self) -> None:
        nu = _positive("viscosity", self.viscosity, _NU_HINT)
        offset = _number("offset", self.offset)
        amplitudes = tuple(_number("amplitudes[j]", a) for a in self.amplitudes)
        wavenumbers = tuple(
            _positive("wavenumbers[j]", k, "pass k_j = 2 pi m_j / (domain length)")
            for k in self.wavenumbers
        )
        phases = tuple(_number("phases[j]", p) for p in self.phases) or (0.0,) * len(amplitudes)
        if not len(amplitudes) == len(wavenumbers) == len(phases):
            raise ProblemError(
                f"amplitudes, wavenumbers and phases must have one entry per mode, got "
                f"{len(amplitudes)}, {len(wavenumbers)} and {len(phases)}"
            )
        total = sum(abs(a) for a in amplitudes)
        if offset <= total:
            raise ProblemError(
                f"offset A must exceed sum |a_j| = {total:.6g} so that phi stays positive, got "
                f"A = {self.offset!r}; raise the offset or shrink the amplitudes"
            )
        for name, value in (("viscosity", nu), ("offset", offset), ("amplitudes", amplitudes),
                            ("wavenumbers", wavenumbers), ("phases", phases)):
            object.__setattr__(self, name, value)

    @classmethod
    def random(cls, seed: int, viscosity: float, *, modes: int = 3, max_wavenumber: int = 4,
               period: float = 2.0 * math.pi, margin: float = 0.25) -> ColeHopfModes:
        """Draw modes with ``numpy.random.default_rng(seed)`` (deterministic for a seed).

        Args:
            seed: Integer >= 0.
            viscosity: ``nu > 0``.
            modes: Number of modes; ``a_j ~ U(-1, 1)``, ``theta_j ~ U(0, 2 pi)``.
            max_wavenumber: ``k_j = 2 pi m_j / period``, integer ``m_j`` in
                ``[1, max_wavenumber]``.
            period: Length of the periodic domain.
            margin: ``A = (1 + margin) sum |a_j|``; small margins give steep fronts.
        """
        for name, value, low in (("seed", seed, 0), ("modes", modes, 1)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ProblemError(f"{name} must be an integer >= {low}, got {value!r}")
        period = _positive("period", period, "pass the domain length")
        margin = _positive("margin", margin, "A must exceed sum |a_j|")
        rng = np.random.default_rng(int(seed))
        amplitudes = rng.uniform(-1.0, 1.0, size=modes)
        wavenumbers = rng.integers(1, int(max_wavenumber) + 1, size=modes) * (2 * math.pi / period)
        phases = rng.uniform(0.0, 2 * math.pi, size=modes)
        offset = (1.0 + margin) * float(np.abs(amplitudes).sum())
        return cls(viscosity, offset, tuple(amplitudes), tuple(wavenumbers), tuple(phases))

    def __call__(self, x: Any) -> np.ndarray:
        """The initial condition ``u(x, 0)``."""
        return self.solution(x, 0.0)

    def solution(self, x: Any, t: float) -> np.ndarray:
        """``u(x, t)`` (float64, the shape of ``x``)."""
        x, t = _coordinates(x), _time(t)
        phi = np.full(x.shape, self.offset)
        flux = np.zeros(x.shape)
        with np.errstate(under="ignore"):
            for a, k, theta in zip(self.amplitudes, self.wavenumbers, self.phases, strict=True):
                weight = a * math.exp(-self.viscosity * k * k * t)
                phi += weight * np.cos(k * x + theta)
                flux += weight * k * np.sin(k * x + theta)
            return 2.0 * self.viscosity * flux / phi


def _trig_sum(coefficients: np.ndarray, k: np.ndarray, xi: np.ndarray) -> np.ndarray:
    """``Re sum_n w_n c_n exp(i k_n xi)`` for rfft-style ``c`` (``w_0 = 1``, else 2)."""
    c = coefficients * np.where(np.arange(len(k)) == 0, 1.0, 2.0)
    out = np.empty(xi.size)
    flat = xi.ravel()
    for rows in _blocks(flat.size, len(k)):
        out[rows] = (np.exp(1j * np.outer(flat[rows], k)) @ c).real
    return out.reshape(xi.shape)


class ColeHopfSolution:
    """Exact Burgers solution for a smooth periodic zero-mean ``u0`` on ``[lower, upper)``.

    Args:
        u0: A vectorised callable of ``x`` (sampled until its Fourier coefficients beyond a
            quarter of the band fall below ``1e-14 max|u0|``), or samples at
            ``lower + j L / n``, ``j = 0 .. n - 1`` that resolve it spectrally (used through
            their trigonometric interpolant).
        viscosity: ``nu > 0``.
        lower: Left end of the period.
        upper: Right end (``> lower``).

    Raises:
        ProblemError: Bad viscosity or bounds, non-finite or unresolved ``u0``, or ``u0``
            with a nonzero mean.
    """

    def __init__(self, u0: Callable[[np.ndarray], Any] | Any, viscosity: float, lower: float,
                 upper: float) -> None:
        self.viscosity = _positive("viscosity", viscosity, _NU_HINT)
        self.lower, self.upper = _number("lower", lower), _number("upper", upper)
        if self.upper <= self.lower:
            raise ProblemError(f"need lower < upper, got [{lower!r}, {upper!r})")
        self.period = self.upper - self.lower
        self._u0 = u0 if callable(u0) else None
        samples = self._samples(u0) if self._u0 is None else self._resolve(u0)
        n = samples.size
        c = np.fft.rfft(samples, norm="forward")
        scale = float(np.max(np.abs(samples)))
        tolerance = 64.0 * _EPS * math.sqrt(n) * scale
        if abs(c[0].real) > tolerance:
            raise ProblemError(
                f"u0 has mean {c[0].real:.3g} on [{self.lower:g}, {self.upper:g}) (relative to "
                f"max|u0| {c[0].real / scale:.3g}, tolerance {tolerance / scale:.2g}); the "
                "periodic Cole-Hopf solution needs zero mean: solve for v0 = u0 - c with the "
                "mean c, then u(x, t) = c + v(x - c t, t)"
            )
        c[0], c[-1] = 0.0, c[-1] if n % 2 else 0.0  # the Nyquist mode: no antiderivative
        self._k, self._c, self._resolution = 2 * math.pi / self.period * np.arange(c.size), c, n
        self._cU = np.concatenate([[0.0], c[1:] / (1j * self._k[1:])])
        slope = np.fft.irfft(1j * self._k * c, n=4 * n, norm="forward")
        self._max_slope, self._grids = float(np.max(np.abs(slope))), {}

    def _samples(self, u0: Any) -> np.ndarray:
        samples = np.asarray(u0, dtype=np.float64)
        if samples.ndim != 1 or samples.size < 3 or not np.all(np.isfinite(samples)):
            raise ProblemError(f"u0 samples must be a 1-D array of >= 3 finite values, got "
                               f"shape {samples.shape}; or pass a callable of x")
        return samples

    def _resolve(self, u0: Callable[[np.ndarray], Any]) -> np.ndarray:
        n = 64
        while True:
            x = self.lower + self.period * np.arange(n) / n
            samples = np.asarray(u0(x), dtype=np.float64)
            if samples.shape != x.shape or not np.all(np.isfinite(samples)):
                raise ProblemError(f"u0(x) must return finite values of x's shape {x.shape}, "
                                   f"got shape {samples.shape}")
            c = np.abs(np.fft.rfft(samples, norm="forward"))
            if c[n // 4:].max() <= 1e-14 * np.abs(samples).max():
                return samples
            if n >= _MAX_SAMPLES:
                raise ProblemError(f"u0 is not resolved by {n} samples on [{self.lower:g}, "
                                   f"{self.upper:g}): it must be smooth and periodic there")
            n *= 2

    def __call__(self, x: Any) -> np.ndarray:
        """The initial condition at ``x`` (the callable, or the samples' interpolant)."""
        x = _coordinates(x)
        if self._u0 is None:
            return _trig_sum(self._c, self._k, x - self.lower)
        return np.asarray(self._u0(x), dtype=np.float64).reshape(x.shape)

    def _grid_size(self, t: float) -> int:
        sigma = math.sqrt(2.0 * self.viscosity / (self._max_slope + 1.0 / t + 1e-300))
        return 1 << max(math.ceil(math.log2(3.0 * self.period / sigma)),
                        (2 * self._resolution - 1).bit_length())

    def _scaled_antiderivative(self, m: int) -> np.ndarray:
        """``U0 / (2 nu)`` at ``lower + j L / m`` (cached), by zero-padded inverse FFT."""
        if m not in self._grids:  # irfft zero-pads the coefficients up to m // 2 + 1
            self._grids[m] = np.fft.irfft(self._cU, n=m, norm="forward") / (2 * self.viscosity)
        return self._grids[m]

    def solution(self, x: Any, t: float, *, method: str = "auto") -> np.ndarray:
        """``u(x, t)`` (float64, the shape of ``x``; any real ``x``, reduced modulo the period).

        Args:
            x: Coordinates.
            t: Time ``>= 0`` (``t = 0`` returns ``u0``).
            method: ``"auto"`` (Fourier route when ``phi(t)`` is nearly constant, else image
                sum; see the module docstring), ``"images"`` or ``"fourier"``.
        """
        x, t = _coordinates(x), _time(t)
        if method not in ("auto", "images", "fourier"):
            raise ProblemError(f"method must be 'auto', 'images' or 'fourier', got {method!r}")
        if t == 0:
            return self(x)
        xi = np.mod(x - self.lower, self.period).ravel()
        with np.errstate(under="ignore"):
            if method != "images":
                u = self._fourier(xi, t, check=method == "auto")
                if u is not None:
                    return u.reshape(x.shape)
            return self._images(xi, t).reshape(x.shape)

    def _fourier(self, xi: np.ndarray, t: float, *, check: bool) -> np.ndarray | None:
        m = self._grid_size(math.inf)
        if m > _MAX_GRID:
            return None
        scaled = self._scaled_antiderivative(m)
        phi0 = np.exp(-(scaled - scaled.min()))
        c = np.fft.rfft(phi0, norm="forward")
        c[np.abs(c) <= 16 * _EPS] = 0.0  # round-off (max phi_0 = 1): would outlive true modes
        c[-1] = 0.0
        k = 2.0 * math.pi / self.period * np.arange(c.size)
        c *= np.exp(-self.viscosity * k * k * t)
        lowest = np.fft.irfft(c, n=m, norm="forward").min()
        if check and lowest < _FOURIER_MIN_PHI:
            return None
        if lowest <= 0:
            raise ProblemError(f"the Fourier series of phi lost all its digits at t = {t:g} "
                               f"(min phi {lowest:.2g} <= 0); use method='auto' or 'images'")
        size = np.abs(c)  # keep the modes that matter next to the largest nonconstant one
        size[0] = 0.0
        keep = int(np.flatnonzero(size > 1e-18 * size.max()).max(initial=0)) + 1
        c, k = c[:keep], k[:keep]
        return -2.0 * self.viscosity * _trig_sum(1j * k * c, k, xi) / _trig_sum(c, k, xi)

    def _images(self, xi: np.ndarray, t: float) -> np.ndarray:
        m = self._grid_size(t)
        h, stored = self.period / m, m <= _MAX_GRID
        if stored:
            scaled = self._scaled_antiderivative(m)
            spread = float(scaled.max() - scaled.min())
        else:  # very small t: sum U0 at the points used, bound its range from the coarse grid
            coarse = self._scaled_antiderivative(self._grid_size(1.0))
            spread = 1.01 * float(coarse.max() - coarse.min())
        reach = math.sqrt(4.0 * self.viscosity * t * (_LOG_TINY + spread)) + h
        offsets = np.arange(-math.ceil(reach / h), math.ceil(reach / h) + 1)
        base = np.rint(xi / h).astype(np.int64)
        rest = xi - base * h
        out = np.empty(xi.size)
        for rows in _blocks(xi.size, offsets.size * (1 if stored else self._k.size)):
            index = base[rows, None] + offsets
            d = rest[rows, None] - offsets * h  # x - y for the unwrapped y = lower + index h
            if stored:
                energy = scaled[index % m]
            else:
                energy = _trig_sum(self._cU, self._k, (index % m) * h) / (2.0 * self.viscosity)
            energy = energy + d * d / (4.0 * self.viscosity * t)
            w = np.exp(-(energy - energy.min(axis=1, keepdims=True)))
            out[rows] = (w * d).sum(axis=1) / (w.sum(axis=1) * t)
        return out


def burgers_exact(u0: Callable[[np.ndarray], Any] | Any, viscosity: float, t: float, x: Any,
                  *, lower: float, upper: float) -> np.ndarray:
    """One-shot ``ColeHopfSolution(u0, viscosity, lower, upper).solution(x, t)``.

    Build a :class:`ColeHopfSolution` instead to evaluate several times (the set-up is reused).
    """
    return ColeHopfSolution(u0, viscosity, lower, upper).solution(x, t)
