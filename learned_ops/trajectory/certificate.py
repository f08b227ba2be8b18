"""Certificates of a trained Burgers pair, for the stepper and dt it was trained for.

A pair is certified when both stencils have their verified accuracy orders (from the moments,
:attr:`~learned_ops.stencil.Stencil.accuracy_order`), the frozen-coefficient linearisation of
Burgers with the pair (:func:`solvers.stability_limit`: advection at every velocity in the
range u takes, plus the viscous term) is stable at the training dt, and no held-out run blew
up. A pair that fails any of these is not saved (:func:`require_certified`).

NumPy and ``solvers`` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["PairCertificate", "UncertifiedPairError", "certify_pair", "require_certified"]


class UncertifiedPairError(ValueError):
    """A trained pair that is unstable (or blows up) where it is meant to be used."""


@dataclass(frozen=True)
class PairCertificate:
    """What was verified of a pair.

    Attributes:
        flux_order: Verified accuracy order of the flux's u_x stencil.
        diffusion_order: Of the u_xx stencil.
        dt: The step certified for.
        dt_limit: The largest stable step of the linearisation.
        velocities: The frozen advection velocities checked (u's range in the data, widened
            by ``margin``).
        stepper: The Runge-Kutta method.
        heldout_blowups: Blown-up held-out runs (None: not evaluated).
    """

    flux_order: int
    diffusion_order: int
    dt: float
    dt_limit: float
    velocities: tuple[float, float]
    stepper: str
    heldout_blowups: int | None = None

    @property
    def stable(self) -> bool:
        """The linearisation is stable at dt."""
        return self.dt <= self.dt_limit

    @property
    def certified(self) -> bool:
        """Consistent, stable at dt, and no held-out blow-up."""
        return (self.flux_order >= 1 and self.diffusion_order >= 1 and self.stable
                and not self.heldout_blowups)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"flux_order": self.flux_order, "diffusion_order": self.diffusion_order,
                "dt": self.dt, "dt_limit": self.dt_limit if math.isfinite(self.dt_limit)
                else None, "velocities": list(self.velocities), "stepper": self.stepper,
                "heldout_blowups": self.heldout_blowups, "stable": self.stable,
                "certified": self.certified}


def certify_pair(flux: Any, diffusion: Any, *, n: int, viscosity: float, period: float,
                 velocities: tuple[float, float], dt: float, stepper: str = "rk4",
                 form: str = "conservative", margin: float = 1.25,
                 heldout_blowups: int | None = None) -> PairCertificate:
    """Verify a pair's orders and its linearised stability at ``dt``.

    Args:
        flux: The flux's u_x stencil.
        diffusion: The u_xx stencil.
        n: Grid nodes.
        viscosity: nu.
        period: Domain length.
        velocities: (min u, max u) seen in the data the pair runs on.
        dt: The step to certify.
        stepper: The Runge-Kutta method.
        form: The flux form.
        margin: The velocity range is widened by this factor about zero.
        heldout_blowups: Blow-ups on held-out runs, when evaluated.
    """
    import solvers

    low, high = (margin * float(v) for v in velocities)
    grid = solvers.Grid.periodic(int(n), 0.0, float(period))
    problem = solvers.Burgers(viscosity, flux, diffusion, grid, form=form,
                              speed=max(-low, high), velocities=(low, high))
    limit = solvers.stability_limit(problem, stepper)
    return PairCertificate(int(flux.accuracy_order), int(diffusion.accuracy_order), float(dt),
                           float(limit.dt), (low, high), str(stepper), heldout_blowups)


def require_certified(certificate: PairCertificate) -> None:
    """Refuse a pair that is not certified, saying which check failed.

    Raises:
        UncertifiedPairError: If a check failed.
    """
    if certificate.certified:
        return
    reasons = []
    if certificate.flux_order < 1 or certificate.diffusion_order < 1:
        reasons.append(f"inconsistent (orders {certificate.flux_order}, "
                       f"{certificate.diffusion_order})")
    if not certificate.stable:
        reasons.append(f"unstable at dt = {certificate.dt:g} (limit "
                       f"{certificate.dt_limit:.4g} for u in {certificate.velocities})")
    if certificate.heldout_blowups:
        reasons.append(f"{certificate.heldout_blowups} held-out runs blew up")
    raise UncertifiedPairError("the trained pair is not saved: " + "; ".join(reasons)
                               + ". Train with a smaller dt, a shorter curriculum or an order "
                               "constraint")
