"""Convergence-order studies: measure the order of any operator and stepper under refinement.

A study solves one problem on a sequence of refinements, measures the error of each run in the
grid-weighted L2 and max norms, and reports the observed order between each pair of levels,
a least-squares fitted order and the mean order over the *asymptotic range*, the order the
operator and stepper promise, and a verdict. Three kinds:

- ``space``: grids refined (doubling by default), compared with the exact solution. The time
  step is taken small enough that the temporal error is negligible: ``dt ∝ h**s`` with
  ``s = max(m, p / r)`` (``m``: the power of h in the stability limit, 1 for advection and 2
  for heat; ``p``: the operator's accuracy order; ``r``: the stepper's order), starting from a
  quarter of the stability limit on the coarsest grid, so the ratio of temporal to spatial
  error does not grow under refinement. Each run is then *checked*: its distance to the exact
  solution of the semi-discrete system ``u' = L u`` (the temporal error alone) must be at most
  ``time_error_ratio`` (default 1%) of the spatial error (the semi-discrete solution's distance
  to the exact one), in both norms. If it is not, dt is reduced by the factor the stepper's
  order predicts (``(ratio / measured)**(1/r)``, with a safety margin) and the run repeated (a
  few times at most); the reduction carries over to the finer levels. Then every measured error
  is within 1% of the spatial error, so no pairwise order is biased by more than
  ``log2(1.01 / 0.99) ≈ 0.029``. A level where this cannot be reached is named in the notes
  with the bias it allows.
- ``time``: a fixed grid, dt halved at each level, compared with the exact solution of the
  semi-discrete system (computed exactly: Fourier symbols on periodic grids, ``expm_multiply``
  on bounded ones), so only the stepper's error is measured.
- ``coupled``: grids refined at a fixed Courant number (advection: ``dt ∝ h``) or diffusion
  number (heat: ``dt ∝ h**2``), compared with the exact solution; order ``min(p, m r)``.

Choosing the asymptotic range (automatic; the levels used are reported as ``fit_range``):

1. Levels whose run blew up (or had no finite error) are excluded; any blow-up makes the study
   a non-convergence result with the solver's message as the reason.
2. Trailing levels at the round-off floor are dropped: a relative error below ``floor``
   (default 1e-11, a hundred times the ~1e-13 that float64 arithmetic over thousands of steps
   attains), or below ``1e-8`` with an order that collapses to under half the previous pair's.
3. Of the remaining pairwise orders, the fit uses the *longest run of consecutive pairs that
   agree with each other*: in both norms, the spread (largest minus smallest order) of the run
   is at most ``max(agreement, 0.03 * |mean order of the run|)`` (``agreement`` defaults to
   :data:`AGREEMENT` = 0.1; the relative part matters for orders above 3.3). On ties the
   finest run wins. One odd pair (at either end) therefore cannot discard the consistent
   pairs next to it; coarser pairs outside the run are pre-asymptotic, and finer pairs that
   depart from it are named in the notes.

The fitted order is the least-squares slope of ``log(error)`` against ``log(step)`` over that
run; the mean order is the mean of the pairwise orders in it. The expected order is the
operator's verified accuracy order (space), the stepper's order (time) or ``min(p, m r)``
(coupled). The verdict (:attr:`ConvergenceStudy.verdict`), first match wins:

- ``does not converge``: a run blew up, no stable time step exists, the operator is
  inconsistent (studies against the exact solution), or the fitted order is below
  :data:`MIN_ORDER` in a norm.
- ``inconclusive: refine``: the run has fewer than :data:`MIN_VERDICT_GRIDS` = 3 grids (a
  single pair of levels; e.g. a study of two grids). No order is claimed; the fit shown is the
  finest pair's, for information. Refine further.
- ``not met``: a fitted order is below ``expected - tolerance``.
- ``above expected``: a fitted order is above ``expected + tolerance`` (and none below):
  the grids are pre-asymptotic (a higher-order error term still dominates) or the operator is
  more accurate than claimed. Not met.
- ``met``: both fitted orders within ``tolerance`` of the expected order (two-sided).

``converges`` is True for ``met``, ``above expected`` and ``not met``, and for an inconclusive
study whose finest two pairwise orders are both at least :data:`MIN_ORDER` (the errors shrink
over the last three grids); ``meets_expected`` is True only for ``met``.

Modules: :mod:`~solvers.convergence.orders` (pairwise and fitted orders, the asymptotic range,
the verdict rule), :mod:`~solvers.convergence.problems` (kinds, refinement, expected order,
default initial condition), :mod:`~solvers.convergence.semidiscrete` (the exact semi-discrete
solution), :mod:`~solvers.convergence.result` (:class:`ConvergenceStudy`, its table and
``to_dict``), :mod:`~solvers.convergence.levels` (one run per level, dt and the work bound) and
:mod:`~solvers.convergence.study` (:func:`convergence_study`).
"""

from solvers.convergence.orders import (
    AGREEMENT,
    MIN_ORDER,
    MIN_VERDICT_GRIDS,
    VERDICTS,
    asymptotic_range,
    fitted_order,
    longest_agreeing_run,
    pairwise_orders,
)
from solvers.convergence.problems import KINDS, default_initial_condition, expected_order
from solvers.convergence.result import ConvergenceStudy
from solvers.convergence.semidiscrete import semidiscrete_solution
from solvers.convergence.study import DEFAULT_GRIDS, TIME_ERROR_RATIO, convergence_study

__all__ = [
    "AGREEMENT",
    "DEFAULT_GRIDS",
    "KINDS",
    "MIN_ORDER",
    "MIN_VERDICT_GRIDS",
    "TIME_ERROR_RATIO",
    "VERDICTS",
    "ConvergenceStudy",
    "asymptotic_range",
    "convergence_study",
    "default_initial_condition",
    "expected_order",
    "fitted_order",
    "longest_agreeing_run",
    "pairwise_orders",
    "semidiscrete_solution",
]
