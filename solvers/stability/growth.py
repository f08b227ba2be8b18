"""What growing eigenvalues mean: nothing, weak growth to report, or a refusal.

A growing mode of the semi-discrete system is not something a time step can cure; the question
is whether it is *weak* (a rate that stays bounded under refinement, or a tiny anti-dissipation)
and so worth reporting while the run goes ahead, or a reason to refuse the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from solvers.grid import Grid
from solvers.operators import ComposedOperator, stencil_data
from solvers.problems import Problem
from solvers.stability.spectrum import (
    EXACT_EIG_MAX,
    Spectrum,
    closure_spectrum,
    rightmost_on_full_grid,
)

__all__ = ["CLOSURE_GROWTH_EXPONENT", "WEAK_GROWTH_RTOL", "Growth", "classify_growth"]

WEAK_GROWTH_RTOL = 1e-3
"""Growing interior eigenvalues with Re(lambda) <= this times max|lambda| are *weak* growth (a
learned stencil a hair off symmetry): reported with their rate, not refused. Stronger growth
(a downwind or inconsistent-at-theta=0 operator) makes every time step unstable."""
CLOSURE_GROWTH_EXPONENT = 0.5
"""Closure growth whose rate scales like h**-alpha with alpha above this is refused: it grows
without bound under refinement (an unstable closure), unlike a mode whose rate is set by the
domain (alpha ~ 0: a 4th-order central closure's mode, Re lambda ~ 0.07 at every h)."""
MIN_COMPARISON_NODES = 16
"""Fewest free nodes of the coarser grid used to see how a closure mode's rate scales."""

@dataclass(frozen=True)
class Growth:
    """What the growing eigenvalues mean: nothing, weak growth to report, or a refusal.

    Attributes:
        rate: Largest growing real part (0: nothing grows).
        source: ``"closure"``, ``"interior"`` or ``""``.
        refused: Empty, ``"amplifying"`` (explained by the caller), or the full reason.
        bound: The rate comes from a section of the grid and bounds the full grid's.
    """

    rate: float = 0.0
    source: str = ""
    refused: str = ""
    bound: bool = False


def _width(problem: Problem) -> int:
    spans = []
    for _, op in problem.terms():
        ops = [op.outer, op.inner] if isinstance(op, ComposedOperator) else [op]
        spans.append(sum(int(np.ptp(stencil_data(o)[0])) for o in ops))
    return max(spans, default=1)


def _closure_rate(problem: Problem) -> float:
    edge, _ = closure_spectrum(problem)
    growing = edge.growing
    return float(edge.values.real[growing].max()) if growing.any() else 0.0


def _rate_exponent(problem: Problem, rate: float) -> tuple[float, float, float]:
    """How the closure growth rate scales with h at a fixed domain: (alpha, h2, rate2).

    Compared with the grid of twice the spacing when that grid keeps enough free nodes and
    still grows, else with the grid of half the spacing.
    """
    grid = problem.grid
    fixed = len(problem.fixed_values())
    coarse_n = (grid.n - 1) // 2 + 1
    if coarse_n - fixed >= max(MIN_COMPARISON_NODES, 4 * _width(problem)):
        coarse = replace(problem, grid=Grid.bounded(coarse_n, grid.lower, grid.upper))
        coarse_rate = _closure_rate(coarse)
        if coarse_rate > 0.0:
            ratio = coarse.grid.h / grid.h
            return math.log(rate / coarse_rate) / math.log(ratio), coarse.grid.h, coarse_rate
    fine = replace(problem, grid=Grid.bounded(2 * (grid.n - 1) + 1, grid.lower, grid.upper))
    fine_rate = _closure_rate(fine)
    if fine_rate <= 0.0:
        return -math.inf, fine.grid.h, fine_rate
    return math.log(fine_rate / rate) / math.log(grid.h / fine.grid.h), fine.grid.h, fine_rate


def _section(problem: Problem) -> Problem:
    grid = problem.grid
    span = EXACT_EIG_MAX * grid.h
    return replace(problem, grid=Grid.bounded(EXACT_EIG_MAX + 1, grid.lower, grid.lower + span))


def classify_growth(problem: Problem, spectrum: Spectrum, bulk: Spectrum, exact: bool) -> Growth:
    """Classify the growing eigenvalues.

    * On a bounded grid whose interior symbol does not grow, growth comes from the edges
      ("closure"). Its rate is compared at h and at 2h (or h/2) on the same domain: a rate
      that scales like h**-alpha, alpha > CLOSURE_GROWTH_EXPONENT, grows without bound under
      refinement and is refused; a rate set by the domain is weak growth, reported.
    * Anywhere, growth with Re(lambda) <= WEAK_GROWTH_RTOL * max|lambda| is weak ("interior":
      tiny anti-dissipation, e.g. a learned stencil a hair off symmetry).
    * Anything else that grows is refused.
    """
    growing = spectrum.growing
    if not growing.any():
        return Growth()
    rate = float(spectrum.values.real[growing].max())
    if not problem.grid.is_periodic and not bulk.growing.any():
        measured = problem if exact else _section(problem)
        alpha, h2, rate2 = _rate_exponent(measured, rate)
        if alpha > CLOSURE_GROWTH_EXPONENT:
            return Growth(rate, "closure", (
                f"the boundary closures make the semi-discrete system grow at a rate that "
                f"scales like h**-{alpha:.2g} (max Re lambda = {rate:.4g} at h = "
                f"{measured.grid.h:.4g}, {rate2:.4g} at h = {h2:.4g}): refining makes it "
                "grow without bound, so this is an unstable scheme, not weak growth; use "
                "lower-order boundary closures or a periodic grid"))
        if exact:
            return Growth(rate, "closure")
        near = complex(spectrum.values[np.argmax(np.where(growing, spectrum.values.real,
                                                          -np.inf))])
        full = rightmost_on_full_grid(problem, near)
        if full is None or full <= 0.0:
            return Growth(rate, "closure", bound=True)
        return Growth(min(rate, full), "closure")
    if rate > WEAK_GROWTH_RTOL * float(np.abs(spectrum.values).max()):
        return Growth(rate, "interior", refused="amplifying")
    return Growth(rate, "interior")
