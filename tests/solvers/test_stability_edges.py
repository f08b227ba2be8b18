"""The stability certificate at the edges: tiny dissipation, closures, round-off, large grids.

Every expected value here is computed independently of ``solvers.stability``: eigenvalues
from the circulant's FFT or a dense eigen-solve of the assembled matrix, stability functions
``R(z) - 1 = z b^T (I - z A)^-1 1`` straight from the Butcher tableau.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from learned_ops import Stencil, central_stencil, textbook_stencil
from solvers import (
    Advection,
    Grid,
    Heat,
    NoStableTimeStepError,
    UnstableTimeStepError,
    get_tableau,
    solve,
    stability_limit,
)
from solvers.discretization import discretize

STEPPERS = ["euler", "heun", "ssprk3", "rk4"]


def _r_minus_one(stepper: str):
    tableau = get_tableau(stepper)
    a = np.asarray(tableau.a, dtype=np.float64)
    b = np.asarray(tableau.b, dtype=np.float64)
    ones = np.ones(b.size)

    def r(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=np.complex128).ravel()
        systems = np.eye(b.size) - z[:, None, None] * a  # A is strictly lower triangular
        stages = np.linalg.solve(systems, np.broadcast_to(ones, (z.size, b.size))[..., None])
        return z * (stages[..., 0] @ b)  # R(z) - 1, without the cancellation of forming R

    return r


def _periodic_eigenvalues(problem) -> np.ndarray:
    """Eigenvalues of the periodic semi-discrete operator: FFT of its circulant's first column."""
    n, h = problem.grid.n, problem.grid.h
    column = np.zeros(n)
    for coef, op in problem.terms():
        for j, c in zip(op.offsets, op.coefficients, strict=True):
            column[(-j) % n] += coef * c * h ** (-op.derivative_order)
    return np.fft.fft(column)


def _dense_eigenvalues(problem) -> np.ndarray:
    disc = discretize(problem)
    free = np.setdiff1d(np.arange(disc.n), np.array(sorted(disc.fixed), dtype=int))
    return np.linalg.eigvals(disc.matrix.toarray()[np.ix_(free, free)])


def _excess(r_minus_one, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|R(z)|**2 - 1 = 2 Re d + |d|**2 with d = R(z) - 1 (accurate even for tiny z), and the
    size of its terms."""
    d = r_minus_one(z)
    return 2.0 * d.real + np.abs(d) ** 2, 2.0 * np.abs(d.real) + np.abs(d) ** 2


def _stable_up_to(r_minus_one, lam: np.ndarray, dt: float, samples: int = 64) -> bool:
    """|R(s lambda)| <= 1 (within round-off) for s in (0, dt] and every eigenvalue."""
    s = dt * np.linspace(1.0 / samples, 1.0, samples)
    excess, size = _excess(r_minus_one, np.outer(s, lam).ravel())
    return bool(np.all(excess <= 1e-13 * size))


def _amplifies_at(r_minus_one, lam: np.ndarray, dt: float) -> bool:
    """|R(dt lambda)| > 1 for some eigenvalue."""
    excess, size = _excess(r_minus_one, dt * lam)
    return bool(np.any(excess > 1e-13 * size))


# --------------------------------------------------------------------------- case 1
def test_tiny_dissipation_gives_its_tiny_forward_euler_limit() -> None:
    """Central + 1e-8 upwind noise: Euler is stable only up to Courant ~1e-8, never for all dt."""
    e = 1e-8
    op = Stencil((-1, 0, 1), [-0.5 - e, 2 * e, 0.5 - e], 1)
    problem = Advection(1.0, op, Grid.periodic(50))
    lam = _periodic_eigenvalues(problem)
    lam = lam[np.abs(lam) > 1e-9 * np.abs(lam).max()]
    # |1 + dt lambda| <= 1  <=>  dt <= -2 Re(lambda) / |lambda|**2
    true_dt = float(np.min(-2.0 * lam.real / np.abs(lam) ** 2))
    limit = stability_limit(problem, "euler")
    assert limit.kind == "finite"
    assert math.isfinite(limit.dt)
    assert limit.dt == pytest.approx(true_dt, rel=1e-6)
    assert limit.number < 1e-7
    assert "almost on the imaginary axis" in limit.reason
    with pytest.raises(UnstableTimeStepError):
        solve(problem, np.sin(np.pi * problem.grid.x / 2), 2.0, dt=2.0, stepper="euler")


# --------------------------------------------------------------------------- case 2
@pytest.mark.parametrize("n", [51, 101])
def test_closure_growth_that_scales_like_one_over_h_is_refused(n: int) -> None:
    problem = Advection(1.0, central_stencil(1, 8), Grid.bounded(n))
    rate_here = _dense_eigenvalues(problem).real.max()
    coarse = Advection(1.0, central_stencil(1, 8), Grid.bounded((n - 1) // 2 + 1))
    assert rate_here / _dense_eigenvalues(coarse).real.max() == pytest.approx(2.0, rel=0.05)
    limit = stability_limit(problem, "rk4")
    assert not limit.stable
    assert limit.kind == "amplifying"
    assert "scales like h**-1" in limit.reason
    with pytest.raises(NoStableTimeStepError, match="boundary closures"):
        solve(problem, lambda x: np.exp(-10 * x**2), 0.1)


def test_closure_growth_set_by_the_domain_is_reported_with_its_rate() -> None:
    """The 4th-order central closure mode grows at Re lambda ~ 0.07 at every h: weak growth."""
    problem = Advection(1.0, central_stencil(1, 4), Grid.bounded(201))
    limit = stability_limit(problem, "rk4")
    assert limit.kind == "finite"
    assert limit.growth_source == "closure"
    assert limit.growth_rate == pytest.approx(_dense_eigenvalues(problem).real.max(), rel=1e-6)


# --------------------------------------------------------------------------- case 3
@pytest.mark.parametrize("grid", [Grid.periodic(101), Grid.bounded(101)])
def test_verdict_does_not_depend_on_the_last_bit_of_a_coefficient(grid: Grid) -> None:
    """6th-order central: sum(c) = -2.4e-17 in float64; adding 1e-16 to one weight must not
    flip refuse-or-run (periodic: runs; bounded: refused for its O(1/h) closure growth)."""
    base = central_stencil(1, 6)
    nudged_c = np.array(base.coefficients, dtype=np.float64)
    nudged_c[0] += 1e-16
    nudged = Stencil(base.offsets, nudged_c, 1)
    limits = [stability_limit(Advection(1.0, op, grid), "rk4") for op in (base, nudged)]
    assert limits[0].kind == limits[1].kind
    assert limits[0].dt == pytest.approx(limits[1].dt, rel=1e-9)
    if grid.is_periodic:
        assert limits[0].kind == "finite"
        assert limits[0].growth_rate == 0.0
    else:
        assert limits[0].kind == "amplifying"
        assert "boundary closures" in limits[0].reason
        assert "constants" not in limits[0].reason


# --------------------------------------------------------------------------- case 4
def test_growth_rate_on_a_large_bounded_grid_is_the_full_grids() -> None:
    """Above 512 free nodes the rate is not the section's (2.3x too large at n = 1200)."""
    problem = Advection(1.0, central_stencil(1, 4), Grid.bounded(801))
    limit = stability_limit(problem, "rk4")
    assert limit.growth_source == "closure"
    assert not limit.growth_rate_is_bound
    assert limit.growth_rate == pytest.approx(_dense_eigenvalues(problem).real.max(), rel=1e-6)


# --------------------------------------------------------------------------- brute force
def _random_operators(rng: np.random.Generator, count: int):
    """Textbook stencils on random offsets, nudged by random noise of random size."""
    out = []
    while len(out) < count:
        m = int(rng.integers(1, 3))
        width = int(rng.integers(m + 1, 6))
        low = -int(rng.integers(0, width))
        offsets = tuple(range(low, low + width))
        base = np.asarray(textbook_stencil(m, offsets).coefficients, dtype=np.float64)
        noise = 10.0 ** rng.uniform(-9, -1) * rng.standard_normal(width)
        out.append(Stencil(offsets, base + noise, m))
    return out


def _problem(op, grid: Grid):
    return Advection(1.0, op, grid) if op.derivative_order == 1 else Heat(0.3, op, grid)


@pytest.mark.parametrize("stepper", STEPPERS)
def test_periodic_limits_agree_with_brute_force(stepper: str) -> None:
    """Random stencils on a periodic grid: the limit is stable on [0, dt], unstable just
    beyond it; refusals have a growing (or imaginary-axis) eigenvalue."""
    rng = np.random.default_rng(12)
    r = _r_minus_one(stepper)
    for op in _random_operators(rng, 40):
        problem = _problem(op, Grid.periodic(int(rng.integers(8, 80))))
        lam = _periodic_eigenvalues(problem)
        limit = stability_limit(problem, stepper)
        scale = np.abs(lam).max()
        if limit.kind == "amplifying":
            assert lam.real.max() > 1e-13 * scale, (op, limit.reason)
            continue
        assert limit.kind in ("finite", "imaginary-axis"), limit.kind
        assert math.isfinite(limit.dt)
        if limit.growth_rate > 0.0:  # weak growth: the limit is for its imaginary part
            assert lam.real.max() == pytest.approx(limit.growth_rate, rel=1e-6)
            lam = np.where(lam.real > 0.0, 1j * lam.imag, lam)
        if limit.kind == "imaginary-axis":  # every step amplifies an imaginary eigenvalue
            on_axis = lam[(lam.real == 0.0) & (lam.imag != 0.0)]
            assert on_axis.size
            for dt in np.array([1e-6, 1e-3, 1.0]) / np.abs(on_axis).max():
                assert _amplifies_at(r, on_axis, dt)
            continue
        assert _stable_up_to(r, lam, limit.dt * (1 - 1e-7)), op
        assert _amplifies_at(r, lam, limit.dt * (1 + 1e-4)), op


@pytest.mark.parametrize("stepper", STEPPERS)
def test_bounded_limits_agree_with_brute_force(stepper: str) -> None:
    """Bounded grids: no growth reported means |R(s lambda)| <= 1 for the matrix's eigenvalues
    and the interior symbol's, and the step just beyond the limit amplifies one of them."""
    rng = np.random.default_rng(5)
    r = _r_minus_one(stepper)
    checked = 0
    for op in _random_operators(rng, 24):
        problem = _problem(op, Grid.bounded(int(rng.integers(20, 60))))
        limit = stability_limit(problem, stepper)
        if limit.kind != "finite" or limit.growth_rate > 0.0:
            continue
        theta = np.linspace(0.0, np.pi, 2001)
        coef, _ = problem.terms()[0]
        h = problem.grid.h
        sigma = np.exp(1j * np.outer(theta, op.offsets)) @ np.asarray(op.coefficients)
        lam = np.concatenate([_dense_eigenvalues(problem),
                              coef * h ** (-op.derivative_order) * sigma])
        assert _stable_up_to(r, lam, limit.dt * (1 - 1e-7)), op
        assert _amplifies_at(r, lam, limit.dt * (1 + 1e-4)), op
        checked += 1
    assert checked >= 5


# --------------------------------------------------------------------------- reuse
def test_a_limit_is_computed_once_per_operator_grid_and_stepper(monkeypatch) -> None:
    """solve() and studies reuse the limit; any change of operator, grid or stepper does not."""
    import solvers.stability.policy as policy

    calls = []
    compute = policy._compute_limit
    monkeypatch.setattr(policy, "_compute_limit", lambda p, t: calls.append(1) or compute(p, t))
    monkeypatch.setattr(policy, "_limits", type(policy._limits)())
    op = central_stencil(1, 4)
    grid = Grid.periodic(64)
    first = stability_limit(Advection(1.0, op, grid), "rk4")
    solve(Advection(1.0, Stencil(op.offsets, op.coefficients, 1, name=op.name), grid),
          lambda x: np.sin(np.pi * x / 2), 0.1)
    assert len(calls) == 1
    assert stability_limit(Advection(1.0, op, grid), "rk4") is first
    nudged = np.array(op.coefficients, dtype=np.float64)
    nudged[0] += 1e-6
    others = [
        stability_limit(Advection(1.0, Stencil(op.offsets, nudged, 1), grid), "rk4"),
        stability_limit(Advection(2.0, op, grid), "rk4"),
        stability_limit(Advection(1.0, op, Grid.periodic(65)), "rk4"),
        stability_limit(Advection(1.0, op, grid), "ssprk3"),
    ]
    assert len(calls) == 5
    assert others[1].dt == pytest.approx(first.dt / 2, rel=1e-12)
