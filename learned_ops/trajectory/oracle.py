"""The closed-form K-step trajectory loss of a linear periodic problem, and its minimiser.

For ``u_t = s D u`` on a periodic grid (advection: ``s = -a / h``, D a first derivative; heat:
``s = nu / h**2``, D a second derivative) with a constant stencil ``c`` on offsets ``o_j``, the
grid's Fourier modes ``exp(i theta x / h)`` are the eigenvectors of every step: the semi-discrete
eigenvalue is ``lambda(theta) = s sum_j c_j exp(i o_j theta)`` and one step of an explicit
Runge-Kutta method multiplies the mode by ``R(dt lambda)``, its stability polynomial
(:attr:`solvers.tableaux.ButcherTableau.stability_coefficients`). The exact solution multiplies
it by ``E = exp(dt lambda_exact)`` with ``lambda_exact = -i a k`` or ``-nu k**2``. By Parseval
the relative squared error after k steps of initial data ``u0`` with DFT ``U`` is

    sum_m |R_m**k - E_m**k|**2 |U_m|**2 / sum_m |E_m**k|**2 |U_m|**2,

and the trajectory loss (:func:`learned_ops.trajectory.train.trajectory_loss`) is its mean over
the initial conditions and the steps k = 1..K. (On an even grid the Nyquist mode's exact
factor is ``Re E**k``, as in the exact solution of the sampled data.) This module needs only
NumPy and SciPy: it is
the oracle the TensorFlow trajectory training is checked against, and the minimiser works in
the same constrained parameterisation ``c = base + basis @ theta``
(:func:`learned_ops.training.constraints.stencil_space`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.optimize

from learned_ops.training.constraints import AffineStencilSpace

__all__ = ["FourierTrajectoryLoss", "OracleResult", "fourier_loss_for", "minimise_fourier_loss"]

Equation = Literal["advection", "heat"]


@dataclass(frozen=True, eq=False)
class OracleResult:
    """The oracle's minimiser.

    Attributes:
        theta: Free parameters at the minimum.
        coefficients: ``base + basis @ theta`` (dimensionless).
        loss: The loss there.
        initial_loss: The loss at the starting theta.
        iterations: Optimiser iterations.
        gradient_norm: ``|dL/dtheta|`` at the minimum.
    """

    theta: np.ndarray
    coefficients: np.ndarray
    loss: float
    initial_loss: float
    iterations: int
    gradient_norm: float


class FourierTrajectoryLoss:
    """The K-step relative trajectory loss of a constant stencil, mode by mode.

    Args:
        equation: ``"advection"`` or ``"heat"``.
        physical: The velocity a or the diffusivity nu.
        h: Grid spacing.
        offsets: The stencil's offsets.
        stability_coefficients: ``r_0..r_s`` of R(z) (a tableau's
            ``stability_coefficients``).
        dt: Time step.
        steps: K.
        u0: Initial grid values, shape (batch, n) (or (n,)).
    """

    def __init__(self, equation: Equation, physical: float, h: float, offsets: tuple[int, ...],
                 stability_coefficients: np.ndarray, dt: float, steps: int,
                 u0: np.ndarray) -> None:
        if equation not in ("advection", "heat"):
            raise ValueError(f"equation must be 'advection' or 'heat', got {equation!r}")
        u0 = np.atleast_2d(np.asarray(u0, dtype=np.float64))
        n = u0.shape[-1]
        self.offsets = np.asarray(offsets, dtype=np.float64)
        self.order = 1 if equation == "advection" else 2
        self.scale = (-physical / h) if equation == "advection" else physical / h**2
        self.r = np.asarray(stability_coefficients, dtype=np.float64)
        self.dt = float(dt)
        self.steps = int(steps)
        theta = 2.0 * np.pi * np.fft.fftfreq(n)  # k h of every mode of the full DFT
        k = theta / h
        exact = -1j * physical * k if equation == "advection" else -physical * k**2 + 0j
        self.modes = np.exp(1j * np.outer(theta, self.offsets))  # (n, taps)
        self.power = np.abs(np.fft.fft(u0, axis=-1)) ** 2  # (batch, n)
        powers = np.arange(1, self.steps + 1)
        self.exact_k = np.exp(np.outer(powers, self.dt * exact))  # E**k, (K, n)
        if n % 2 == 0:
            # A real grid function's Nyquist mode cannot travel: the exact solution of the
            # sampled data (solvers.fourier_periodic, an rfft) keeps the real part of E**k.
            self.exact_k[:, n // 2] = self.exact_k[:, n // 2].real
        norms = self.power @ (np.abs(self.exact_k) ** 2).T  # (batch, K)
        if np.any(norms <= 0.0):
            raise ValueError("an initial condition has no energy at some step (all zero?)")
        self.weights = self.power[:, None, :] / norms[:, :, None]  # (batch, K, n)
        self.batch = u0.shape[0]

    def _factors(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        z = self.dt * self.scale * (self.modes @ np.asarray(c, dtype=np.float64))
        amplification = np.polynomial.polynomial.polyval(z, self.r)
        derivative = np.polynomial.polynomial.polyval(
            z, np.polynomial.polynomial.polyder(self.r))
        return z, amplification, derivative

    def value_and_gradient(self, c: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss at coefficients ``c`` and its gradient with respect to ``c``."""
        _, amp, damp = self._factors(c)
        powers = np.arange(1, self.steps + 1)[:, None]
        amp_k = amp[None, :] ** powers  # R**k, (K, n)
        error = amp_k - self.exact_k  # (K, n)
        total = np.einsum("bkn,kn->", self.weights, np.abs(error) ** 2)
        loss = float(total / (self.batch * self.steps))
        # d(R**k)/dc_j = k R**(k-1) R'(z) dt s exp(i o_j theta)
        with np.errstate(divide="ignore", invalid="ignore"):
            amp_km1 = amp[None, :] ** (powers - 1)
        dk = powers * amp_km1 * (damp * self.dt * self.scale)[None, :]  # (K, n)
        weighted = np.einsum("bkn,kn->n", self.weights, np.conj(error) * dk)  # (n,)
        grad = 2.0 * np.real(weighted @ self.modes) / (self.batch * self.steps)
        return loss, grad

    def __call__(self, c: np.ndarray) -> float:
        """The loss at coefficients ``c``."""
        return self.value_and_gradient(c)[0]


def minimise_fourier_loss(loss: FourierTrajectoryLoss, space: AffineStencilSpace,
                          theta0: np.ndarray | None = None, *, max_iterations: int = 2000,
                          gtol: float = 1e-13) -> OracleResult:
    """Minimise the loss over ``c = space.base + space.basis @ theta`` (SciPy BFGS).

    Starts from ``theta0`` (default zeros: the classical stencil); a Newton polish with the
    finite-difference Hessian of the exact gradient follows, so the minimiser is accurate far
    beyond the 1e-6 the trajectory training is checked to.
    """
    base, basis = space.base, space.basis
    theta0 = np.zeros(space.dim) if theta0 is None else np.asarray(theta0, dtype=np.float64)

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad_c = loss.value_and_gradient(base + basis @ theta)
        return value, basis.T @ grad_c

    initial = fun(theta0)[0]
    result = scipy.optimize.minimize(fun, theta0, jac=True, method="BFGS",
                                     options={"gtol": gtol, "maxiter": max_iterations})
    theta = np.asarray(result.x, dtype=np.float64)
    for _ in range(5):  # Newton polish
        value, grad = fun(theta)
        step = 1e-6 * max(1.0, float(np.abs(theta).max()))
        hessian = np.column_stack([
            (fun(theta + step * e)[1] - fun(theta - step * e)[1]) / (2 * step)
            for e in np.eye(space.dim)])
        hessian = (hessian + hessian.T) / 2
        try:
            delta = np.linalg.solve(hessian, grad)
        except np.linalg.LinAlgError:
            break
        candidate = theta - delta
        if not fun(candidate)[0] <= value:
            break
        theta = candidate
        if np.abs(delta).max() <= 1e-15 * max(1.0, float(np.abs(theta).max())):
            break
    value, grad = fun(theta)
    return OracleResult(theta, base + basis @ theta, value, initial, int(result.nit),
                        float(np.linalg.norm(grad)))


def fourier_loss_for(problem: object, space: AffineStencilSpace, *, dt: float, steps: int,
                     u0: np.ndarray, stepper: object = "rk4") -> FourierTrajectoryLoss:
    """The Fourier loss of a periodic ``solvers.Advection`` or ``solvers.Heat`` problem whose
    operator is replaced by a stencil on ``space.offsets`` (the same setting as
    :func:`learned_ops.trajectory.train.train_trajectory` with ``slot=0``)."""
    from solvers import Advection, Heat, get_tableau

    if isinstance(problem, Advection):
        equation, physical = "advection", problem.velocity
    elif isinstance(problem, Heat):
        equation, physical = "heat", problem.diffusivity
    else:
        raise ValueError(f"no closed-form trajectory loss for {type(problem).__name__}")
    if not problem.grid.is_periodic:
        raise ValueError("the Fourier loss needs a periodic grid")
    r = get_tableau(stepper).stability_coefficients
    return FourierTrajectoryLoss(equation, physical, problem.grid.h, space.offsets, r, dt,
                                 steps, u0)
