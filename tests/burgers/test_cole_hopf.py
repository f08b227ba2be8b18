"""Cole-Hopf exact Burgers solutions against an independent spectral solve and each other.

The reference is written here, without ``solvers.cole_hopf``: a dealiased (2/3 rule) Fourier
Galerkin discretisation of ``u_t = -(u^2/2)_x + nu u_xx`` integrated by scipy's DOP853 at
``rtol = 1e-13``, ``atol = 1e-15``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from solvers.cole_hopf import ColeHopfModes, ColeHopfSolution, ColeHopfWave, burgers_exact
from solvers.errors import ProblemError

TWO_PI = 2.0 * math.pi


def spectral_burgers(u0: Callable[[np.ndarray], np.ndarray], nu: float, t: float,
                     n: int = 512, period: float = TWO_PI) -> tuple[np.ndarray, np.ndarray]:
    """``(x, u(x, t))`` on ``n`` points by dealiased Fourier Galerkin and DOP853."""
    x = period * np.arange(n) / n
    size = n // 3 + 1  # modes kept: the quadratic product is exact on n >= 3 (size - 1) points
    k = TWO_PI / period * np.arange(size)
    c0 = np.fft.rfft(u0(x), norm="forward")[:size]

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        c = y[:size] + 1j * y[size:]
        u = np.fft.irfft(c, n=n, norm="forward")
        dc = -0.5j * k * np.fft.rfft(u * u, norm="forward")[:size] - nu * k * k * c
        return np.concatenate([dc.real, dc.imag])

    with np.errstate(under="ignore"):  # scipy's minimum-step test underflows near t = 0
        run = solve_ivp(rhs, (0.0, t), np.concatenate([c0.real, c0.imag]), method="DOP853",
                        rtol=1e-13, atol=1e-15)
    assert run.success, run.message
    c = run.y[:size, -1] + 1j * run.y[size:, -1]
    return x, np.fft.irfft(c, n=n, norm="forward")


def relative_error(value: np.ndarray, reference: np.ndarray) -> float:
    return float(np.max(np.abs(value - reference)) / np.max(np.abs(reference)))


# --- closed forms and the general method against the spectral solve -----------------------

@pytest.mark.parametrize(("nu", "amplitude", "k", "t"), [
    (0.1, 1.5, 1.0, 1.0), (0.03, 1.2, 2.0, 1.0), (0.01, 1.1, 1.0, 2.0), (0.01, 1.1, 3.0, 0.5),
])
def test_wave_matches_spectral_solve(nu: float, amplitude: float, k: float, t: float) -> None:
    wave = ColeHopfWave(nu, amplitude, k)
    x, reference = spectral_burgers(wave, nu, t)
    assert relative_error(wave.solution(x, t), reference) <= 1e-10


@pytest.mark.parametrize(("nu", "seed"), [(0.1, 0), (0.03, 1), (0.01, 2)])
def test_modes_match_spectral_solve(nu: float, seed: int) -> None:
    modes = ColeHopfModes.random(seed, nu, margin=0.1)
    for t in (0.3, 1.0):
        x, reference = spectral_burgers(modes, nu, t)
        assert relative_error(modes.solution(x, t), reference) <= 1e-10


@pytest.mark.parametrize(("nu", "t"), [(0.1, 1.5), (0.03, 0.5), (0.01, 0.5)])
def test_general_method_on_a_sine_matches_spectral_solve(nu: float, t: float) -> None:
    """nu = 0.01, t = 0.5: phi spans e^0 .. e^-100, where the Fourier series of phi fails."""
    n = 1024 if nu == 0.03 else 512
    x, reference = spectral_burgers(np.sin, nu, t, n=n)
    exact = ColeHopfSolution(np.sin, nu, 0.0, TWO_PI)
    assert relative_error(exact.solution(x, t), reference) <= 1e-10
    assert relative_error(burgers_exact(np.sin, nu, t, x, lower=0.0, upper=TWO_PI),
                          reference) <= 1e-10


# --- the general method reproduces the closed forms --------------------------------------

FAMILIES = [
    ColeHopfWave(0.1, 1.5), ColeHopfWave(0.03, 1.1, 2.0), ColeHopfWave(0.01, 1.1),
    ColeHopfWave(0.005, 1.5, 3.0), ColeHopfWave(0.01, 1.0001),
    ColeHopfModes.random(0, 0.1), ColeHopfModes.random(1, 0.01, margin=0.05),
    ColeHopfModes.random(2, 0.005),
]


@pytest.mark.parametrize("family", FAMILIES, ids=repr)
@pytest.mark.parametrize("method", ["auto", "images"])
def test_general_method_reproduces_closed_forms(family: ColeHopfWave | ColeHopfModes,
                                                method: str) -> None:
    exact = ColeHopfSolution(family, family.viscosity, -math.pi, math.pi)
    x = np.linspace(-math.pi, math.pi, 301)
    for t in (1e-3, 0.1, 1.0, 5.0, 50.0):
        if method == "images" and family.viscosity * t > 1.0:
            continue  # there the image sum cancels; "auto" takes the Fourier route
        assert relative_error(exact.solution(x, t, method=method), family.solution(x, t)) \
            <= 1e-11, t


def test_general_method_at_very_large_times_keeps_relative_accuracy() -> None:
    """u decays like exp(-nu t); the Fourier route keeps its digits relative to max|u(t)|."""
    wave = ColeHopfWave(0.01, 1.2)
    exact = ColeHopfSolution(wave, 0.01, 0.0, TWO_PI)
    x = np.linspace(0.0, TWO_PI, 64, endpoint=False)
    assert relative_error(exact.solution(x, 1e4), wave.solution(x, 1e4)) <= 1e-11


def test_samples_and_callable_agree_and_t0_returns_u0() -> None:
    modes = ColeHopfModes.random(5, 0.02)
    grid = TWO_PI * np.arange(256) / 256
    from_samples = ColeHopfSolution(modes(grid), 0.02, 0.0, TWO_PI)
    from_callable = ColeHopfSolution(modes, 0.02, 0.0, TWO_PI)
    x = np.array([-7.0, 0.1, 2.5, 6.2, 13.0])
    assert np.array_equal(from_callable.solution(x, 0.0), modes(x))
    assert relative_error(from_samples.solution(x, 0.0), modes(x)) <= 1e-13
    for t in (0.01, 0.7):
        assert relative_error(from_samples.solution(x, t), modes.solution(x, t)) <= 1e-11
        assert relative_error(from_callable.solution(x, t), modes.solution(x, t)) <= 1e-11
    assert from_samples.solution(x.reshape(5, 1), 0.7).shape == (5, 1)


def test_fourier_route_refuses_when_it_loses_every_digit() -> None:
    with pytest.raises(ProblemError, match="lost all its digits"):
        ColeHopfSolution(np.sin, 0.005, 0.0, TWO_PI).solution(np.zeros(3), 0.5, method="fourier")


# --- closed-form properties ---------------------------------------------------------------

def test_wave_slope_call_and_no_overflow() -> None:
    wave = ColeHopfWave(0.02, 1.05, 2.0)
    x = np.linspace(0.0, math.pi, 20001)
    slope = np.gradient(wave(x), x)
    assert np.max(np.abs(slope)) == pytest.approx(wave.max_slope, rel=1e-5)
    assert wave.max_slope == pytest.approx(2 * 0.02 * 4 / 0.05)
    assert np.array_equal(wave(x), wave.solution(x, 0.0))
    late = wave.solution(x, 1e7)  # nu k^2 t = 8e5: exp(nu k^2 t) would overflow
    assert np.all(np.isfinite(late))
    assert np.max(np.abs(late)) == 0.0
    assert wave.solution(1.0, 0.5).shape == ()


def test_modes_random_is_deterministic_and_positive() -> None:
    a, b = ColeHopfModes.random(7, 0.01), ColeHopfModes.random(7, 0.01)
    assert a == b
    assert a != ColeHopfModes.random(8, 0.01)
    assert a.offset > sum(abs(v) for v in a.amplitudes)
    single = ColeHopfModes(0.05, 1.3, (1.0,), (1.0,))
    x = np.linspace(0.0, TWO_PI, 33)
    np.testing.assert_allclose(single.solution(x, 0.4), ColeHopfWave(0.05, 1.3).solution(x, 0.4),
                               rtol=0, atol=1e-16)


# --- input errors -------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "match"), [
    (lambda: ColeHopfWave(0.1, 1.0), r"amplitude A must be > 1"),
    (lambda: ColeHopfWave(0.0, 2.0), r"viscosity must be > 0"),
    (lambda: ColeHopfWave(-0.1, 2.0), r"viscosity must be > 0"),
    (lambda: ColeHopfWave(math.nan, 2.0), r"viscosity must be finite"),
    (lambda: ColeHopfModes(0.1, 1.0, (0.6, -0.5), (1.0, 2.0)), r"offset A must exceed"),
    (lambda: ColeHopfModes(0.1, 3.0, (0.6, -0.5), (1.0,)), r"one entry per mode"),
    (lambda: ColeHopfSolution(np.sin, -1.0, 0.0, TWO_PI), r"viscosity must be > 0"),
    (lambda: ColeHopfSolution(lambda x: np.sin(x) + 1e-6, 0.1, 0.0, TWO_PI),
     r"u0 has mean 1e-06 .*needs zero mean"),
    (lambda: ColeHopfSolution(np.sin, 0.1, 0.0, 3.0), r"u0 is not resolved"),
    (lambda: ColeHopfSolution(np.sin, 0.1, 1.0, 1.0), r"need lower < upper"),
    (lambda: ColeHopfWave(0.1, 2.0).solution(0.0, -1.0), r"t must be >= 0"),
    (lambda: ColeHopfSolution(np.sin, 0.1, 0.0, TWO_PI).solution(0.0, -0.5), r"t must be >= 0"),
    (lambda: ColeHopfWave(0.1, 2.0).solution([0.0, math.inf], 1.0), r"x must be finite"),
])
def test_bad_input_raises_problem_error(make: Callable[[], object], match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        make()
