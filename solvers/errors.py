"""Exception and warning hierarchy of ``solvers``: one root, specific subclasses beneath.

Every error subclasses :class:`SolverError`, itself a :class:`ValueError`, so callers can catch
the whole family with one ``except`` clause. Messages say what was wrong and what to do.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solvers.solution import Solution

__all__ = [
    "BeyondStabilityLimitWarning",
    "BlowUpError",
    "BoundaryValueWarning",
    "GridError",
    "GrowingModeWarning",
    "InconsistentOperatorWarning",
    "InitialConditionError",
    "MaximumPrincipleWarning",
    "NoStableTimeStepError",
    "OperatorError",
    "ProblemError",
    "ReferenceSolverError",
    "ScheduleError",
    "SchemeFailureError",
    "SolverError",
    "SolverWarning",
    "StabilityError",
    "StepperError",
    "UnstableTimeStepError",
]


class SolverError(ValueError):
    """Root of every error raised by ``solvers``."""


class GridError(SolverError):
    """An invalid grid: size, bounds or kind."""


class OperatorError(SolverError):
    """An object does not follow the operator protocol, or has the wrong derivative order."""


class ProblemError(SolverError):
    """An invalid problem: coefficient, boundary values, or a grid the problem cannot use."""


class InitialConditionError(SolverError):
    """Initial data that cannot be used: wrong shape, non-finite values, unknown name."""


class StepperError(SolverError):
    """An unknown stepper name or an invalid Butcher tableau."""


class ScheduleError(SolverError):
    """Invalid final time, time step, Courant number or save times."""


class WorkTooLargeError(ScheduleError):
    """The run cannot finish: snapshots beyond memory, or (unless allowed) too many steps."""


class StabilityError(SolverError):
    """The requested run cannot be stable; the message names the limit and the reason."""

    def __init__(self, message: str, *, limit: Any = None) -> None:
        super().__init__(message)
        self.limit = limit


class UnstableTimeStepError(StabilityError):
    """The time step exceeds the stability limit computed from the operator and stepper."""


class NoStableTimeStepError(StabilityError):
    """No positive time step is stable for this operator and stepper."""


class BlowUpError(SolverError):
    """The solution became non-finite or grew far beyond its initial norm.

    Attributes:
        step: The step at which the blow-up was detected.
        time: The time reached at that step.
        norm: The grid-weighted L2 norm then (may be inf or nan).
        partial: The solution up to the last good saved snapshot.
    """

    def __init__(
        self, message: str, *, step: int, time: float, norm: float, partial: Solution
    ) -> None:
        super().__init__(message)
        self.step = step
        self.time = time
        self.norm = norm
        self.partial = partial


class SchemeFailureError(BlowUpError):
    """A nonlinear run broke an invariant of the equation: the discrete scheme is failing.

    Viscous Burgers without forcing never increases its total variation, its maximum or its
    energy; a run whose values do (by more than ``SCHEME_FAILURE_GROWTH``) is producing
    oscillations the equation does not have -- typically a front steeper than the grid resolves.

    Attributes:
        measure: ``"total variation"``, ``"maximum"`` or ``"energy"``.
        value: The measure when the run was stopped.
        initial: Its initial value.
    """

    def __init__(self, message: str, *, step: int, time: float, norm: float,
                 partial: Solution, measure: str, value: float, initial: float) -> None:
        super().__init__(message, step=step, time=time, norm=norm, partial=partial)
        self.measure = measure
        self.value = value
        self.initial = initial


class ReferenceSolverError(SolverError):
    """The scipy reference solver cannot handle the request or failed to integrate."""


class SolverWarning(UserWarning):
    """Root of the warnings ``solvers`` emits (filter on it to silence or catch them all).

    Each kind is a subclass, so code that reacts to a warning tests ``w.category`` (or
    ``isinstance(w.message, ...)``) and reads its attributes, never the English message.
    """


class InconsistentOperatorWarning(SolverWarning):
    """The operator is inconsistent: its error does not vanish as h -> 0."""


class BeyondStabilityLimitWarning(SolverWarning):
    """A run with a time step beyond the stability limit, on request (``allow_unstable``).

    Attributes:
        dt: The time step requested.
        limit_dt: The largest stable time step.
        reason: Why the limit is what it is (the stability analysis' explanation).
    """

    def __init__(self, message: str, *, dt: float = math.nan, limit_dt: float = math.nan,
                 reason: str = "") -> None:
        super().__init__(message)
        self.dt = dt
        self.limit_dt = limit_dt
        self.reason = reason


class GrowingModeWarning(SolverWarning):
    """The semi-discrete system itself has a growing mode, whatever the time step.

    Attributes:
        growth_rate: The largest real part of an eigenvalue (> 0), per unit time.
        source: ``closure`` (the boundary closures) or ``interior`` (a slightly
            anti-dissipative interior stencil): the stability limit's ``growth_source``.
    """

    def __init__(self, message: str, *, growth_rate: float = math.nan,
                 source: str = "") -> None:
        super().__init__(message)
        self.growth_rate = growth_rate
        self.source = source


class MaximumPrincipleWarning(SolverWarning):
    """``max|u|`` of an unforced Burgers run grew beyond round-off (the equation forbids it).

    Attributes:
        growth: Largest relative growth of ``max|u|`` seen, ``max|u(t)| / max|u0| - 1``.
        time: When it was largest.
    """

    def __init__(self, message: str, *, growth: float = math.nan,
                 time: float = math.nan) -> None:
        super().__init__(message)
        self.growth = growth
        self.time = time


class BoundaryValueWarning(SolverWarning):
    """The initial condition disagrees with a fixed boundary value; the boundary value wins.

    Attributes:
        node: The boundary node.
        x: Its coordinate.
        initial: The initial value there (for a batch: the largest difference over the rows).
        boundary: The boundary value imposed.
    """

    def __init__(self, message: str, *, node: int = -1, x: float = math.nan,
                 initial: float = math.nan, boundary: float = math.nan) -> None:
        super().__init__(message)
        self.node = node
        self.x = x
        self.initial = initial
        self.boundary = boundary
