"""An equation's right-hand side as data: the terms of ``u_t = sum of terms``.

- :class:`LinearTerm`: ``coefficient * D u`` along one axis of the grid, for a derivative
  operator ``D`` (any object following the operator protocol, or a composed pair);
- :class:`FluxTerm`: ``coefficient * N(u)``, the quadratic flux ``(u**2 / 2)_x`` through a
  first-derivative operator ``D`` in one of three discrete forms:

  - ``"conservative"``: ``N = D(u**2 / 2)`` (conserves the discrete mean of u);
  - ``"advective"``: ``N = u D(u)``;
  - ``"skew"``: ``N = (D(u**2) + u D(u)) / 3``, which conserves the discrete energy
    ``sum u**2`` when ``D`` is skew-symmetric (a central stencil);

- a forcing ``f(x, t)`` (see :mod:`solvers.forcing`).

Every flux form is ``alpha D(u**2) + beta u D(u)`` for two numbers (:func:`flux_weights`), which
is how the kernels evaluate it. Problems (:mod:`solvers.problems`) build their terms; the
discretization, the kernels, the stability analysis and the convergence studies read only these
terms, so a new equation is a new combination of terms, not a new solver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from solvers.errors import ProblemError

if TYPE_CHECKING:
    from solvers.forcing import TravellingWaves
    from solvers.operators import OperatorLike

__all__ = ["FLUX_FORMS", "FluxForm", "FluxTerm", "LinearTerm", "RightHandSide", "flux_weights"]

FluxForm = Literal["conservative", "advective", "skew"]
FLUX_FORMS: tuple[str, ...] = get_args(FluxForm)


@dataclass(frozen=True)
class LinearTerm:
    """``coefficient * D u`` along ``axis``.

    Attributes:
        coefficient: The physical coefficient (``-a`` for advection, ``nu`` for heat).
        operator: A derivative operator (protocol object or ComposedOperator).
        axis: The grid axis the operator acts along (0 on one-dimensional grids).
    """

    coefficient: float
    operator: OperatorLike
    axis: int = 0


@dataclass(frozen=True)
class FluxTerm:
    """``coefficient * N(u)`` for the quadratic flux ``(u**2/2)_x`` in a discrete form.

    Attributes:
        coefficient: ``-1`` for Burgers' ``u_t + (u**2/2)_x = ...``.
        operator: A first-derivative operator.
        form: ``"conservative"``, ``"advective"`` or ``"skew"``.
        axis: The grid axis.
    """

    coefficient: float
    operator: OperatorLike
    form: FluxForm = "conservative"
    axis: int = 0

    def __post_init__(self) -> None:
        if self.form not in FLUX_FORMS:
            raise ProblemError(
                f"flux form must be one of {', '.join(FLUX_FORMS)}, got {self.form!r}"
            )


def flux_weights(term: FluxTerm) -> tuple[float, float]:
    """(alpha, beta) with ``coefficient * N(u) = alpha D(u**2) + beta u D(u)``."""
    c = float(term.coefficient)
    if term.form == "conservative":
        return c / 2.0, 0.0
    if term.form == "advective":
        return 0.0, c
    return c / 3.0, c / 3.0


@dataclass(frozen=True)
class RightHandSide:
    """``u_t = sum linear + sum fluxes + forcing(x, t)``.

    Attributes:
        linear: The linear stencil terms.
        fluxes: The nonlinear flux terms (empty for a linear equation).
        forcing: A forcing ``f(x, t)`` or None.
    """

    linear: tuple[LinearTerm, ...]
    fluxes: tuple[FluxTerm, ...] = ()
    forcing: TravellingWaves | None = None

    @property
    def is_linear(self) -> bool:
        """True without flux terms (a forcing keeps the equation linear but not homogeneous)."""
        return not self.fluxes

    @property
    def operators(self) -> tuple[OperatorLike, ...]:
        """Every operator of every term, linear terms first."""
        return (*(t.operator for t in self.linear), *(t.operator for t in self.fluxes))
