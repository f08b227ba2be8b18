"""What ``solve`` derives from (operators, grid, stepper) before stepping, made once and reused.

For a linear problem the operator warnings, the stability limit and the discretization depend
only on the problem's operators and their coefficients, its grid, its boundary values and
the stepper. :func:`prepare` remembers
them by value under the stability cache's key (:func:`solvers.stability.policy.limit_key`),
the :data:`PREPARED_CACHE_SIZE` most recent, so a second ``solve`` with an equal problem
(even a new object) skips that work, and one whose coefficients differ by a bit gets its own
entry.

Kernels hold state (and may be wrapped by their user), so they are not kept: each ``solve``
builds its own (tens of microseconds).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from solvers.discretization import Discretization, discretize
from solvers.grid import Grid
from solvers.problems.base import Problem
from solvers.stability.policy import StabilityLimit, limit_key, stability_limit
from solvers.tableaux import ButcherTableau

__all__ = ["PREPARED_CACHE_SIZE", "Prepared", "cacheable", "clear_prepared", "prepare"]

PREPARED_CACHE_SIZE = 64
"""Problems (by value) whose warnings, discretization and limit are kept."""


@dataclass(frozen=True, eq=False)
class Prepared:
    """A problem's operator warnings, discretization and stability limit.

    Attributes:
        messages: One message per inconsistent operator (see ``operator_warnings``).
        disc: The discretization.
        limit: The stability limit (:func:`~solvers.stability.stability_limit`).
    """

    messages: tuple[str, ...]
    disc: Discretization
    limit: StabilityLimit


_entries: OrderedDict[tuple, Prepared] = OrderedDict()
_entries_lock = threading.Lock()


def clear_prepared() -> None:
    """Forget every prepared problem."""
    with _entries_lock:
        _entries.clear()


def cacheable(problem: Problem) -> bool:
    """Whether the key describes the problem fully: linear stencil terms only (no flux terms,
    no forcing) on a 1-D :class:`~solvers.grid.Grid` (what :func:`limit_key` reads)."""
    if type(problem.grid) is not Grid:
        return False
    rhs = problem.right_hand_side()
    return not rhs.fluxes and rhs.forcing is None


def prepare(problem: Problem, tableau: ButcherTableau,
            messages: Callable[[Problem], list[str]]) -> Prepared:
    """The prepared linear problem, remembered by value.

    Args:
        problem: A problem that :func:`cacheable` accepts (it runs as it is: ``for_state``
            returns it unchanged).
        tableau: The stepper.
        messages: Computes the operator warnings for a problem.

    Returns:
        The :class:`Prepared` entry.
    """
    key = limit_key(problem, tableau)
    with _entries_lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
            return entry
    entry = Prepared(tuple(messages(problem)), discretize(problem),
                     stability_limit(problem, tableau))
    with _entries_lock:
        entry = _entries.setdefault(key, entry)
        _entries.move_to_end(key)
        while len(_entries) > PREPARED_CACHE_SIZE:
            _entries.popitem(last=False)
    return entry
