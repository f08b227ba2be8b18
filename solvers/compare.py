"""Error norms of a solution against the exact solution and against the reference."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from solvers.errors import SolverError
from solvers.solution import Solution

__all__ = ["Comparison", "ErrorNorms", "compare", "error_norms"]


@dataclass(frozen=True)
class ErrorNorms:
    """Absolute and relative errors at one time.

    Attributes:
        l2: Grid-weighted L2 norm sqrt(h * sum e**2).
        linf: Max norm.
        rel_l2: l2 / (L2 norm of the target); inf if the target is 0 and the error is not.
        rel_linf: linf / (max norm of the target).
    """

    l2: float
    linf: float
    rel_l2: float
    rel_linf: float

    def to_dict(self) -> dict[str, float]:
        """Plain floats."""
        return asdict(self)


def _ratio(a: float, b: float) -> float:
    if b > 0.0:
        return a / b
    return 0.0 if a == 0.0 else math.inf


def error_norms(values: np.ndarray, target: np.ndarray, h: float) -> ErrorNorms:
    """Errors of ``values`` against ``target`` on a grid of spacing ``h``."""
    u = np.asarray(values, dtype=np.float64)
    ref = np.asarray(target, dtype=np.float64)
    if u.shape != ref.shape:
        raise SolverError(f"cannot compare shapes {u.shape} and {ref.shape}")
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        e = u - ref
        l2 = math.sqrt(h * float(np.sum(e * e)))
        ref_l2 = math.sqrt(h * float(np.sum(ref * ref)))
        linf = float(np.max(np.abs(e))) if e.size else 0.0
        ref_linf = float(np.max(np.abs(ref))) if ref.size else 0.0
    return ErrorNorms(l2, linf, _ratio(l2, ref_l2), _ratio(linf, ref_linf))


_TARGETS = ("analytic", "reference", "reference_vs_analytic")
_NORMS = ("l2", "linf", "rel_l2", "rel_linf")


@dataclass(frozen=True)
class Comparison:
    """Errors of a solution at each saved time (as arrays: :meth:`errors`, :meth:`array`).

    Attributes:
        times: The saved times.
        analytic: Errors against the exact solution (None if not available).
        reference: Errors against the scipy reference (None if not available).
        reference_vs_analytic: Errors of the reference against the exact solution.
    """

    times: tuple[float, ...]
    analytic: tuple[ErrorNorms, ...] | None
    reference: tuple[ErrorNorms, ...] | None
    reference_vs_analytic: tuple[ErrorNorms, ...] | None

    def errors(self, against: str = "analytic") -> dict[str, np.ndarray]:
        """The errors against one target as arrays over the saved times.

        Args:
            against: ``analytic``, ``reference`` or ``reference_vs_analytic``.

        Returns:
            ``{"l2", "linf", "rel_l2", "rel_linf"}`` -> float64 array of shape
            ``(len(times),)`` (read-only), in the order of :attr:`times`.

        Raises:
            SolverError: If ``against`` is not one of the three, or was not computed.
        """
        if against not in _TARGETS:
            raise SolverError(f"against must be one of {', '.join(_TARGETS)}, got {against!r}")
        rows = getattr(self, against)
        if rows is None:
            have = [name for name in _TARGETS if getattr(self, name) is not None]
            raise SolverError(f"no {against} errors in this comparison (compare() was not "
                              f"given that solution); available: {', '.join(have) or 'none'}")
        result = {}
        for norm in _NORMS:
            values = np.array([getattr(row, norm) for row in rows], dtype=np.float64)
            values.setflags(write=False)
            result[norm] = values
        return result

    def array(self, against: str = "analytic", norm: str = "l2") -> np.ndarray:
        """One error norm against one target over the saved times (see :meth:`errors`).

        Raises:
            SolverError: Unknown or missing ``against``, or ``norm`` not one of ``l2``,
                ``linf``, ``rel_l2``, ``rel_linf``.
        """
        if norm not in _NORMS:
            raise SolverError(f"norm must be one of {', '.join(_NORMS)}, got {norm!r}")
        return self.errors(against)[norm]

    def final(self) -> dict[str, Any]:
        """Errors at the final time as plain dicts (None where not available)."""
        def last(items: tuple[ErrorNorms, ...] | None) -> dict[str, float] | None:
            return None if items is None else items[-1].to_dict()

        return {
            "analytic": last(self.analytic),
            "reference": last(self.reference),
            "reference_vs_analytic": last(self.reference_vs_analytic),
        }


def compare(solution: Solution, exact: np.ndarray | None = None,
            reference: np.ndarray | None = None) -> Comparison:
    """Errors of ``solution`` at each saved time against ``exact`` and/or ``reference``.

    Args:
        solution: A :class:`Solution`.
        exact: Exact values, shape (len(solution.times), n) (see solvers.analytic).
        reference: Reference values, same shape (see solvers.reference).
    """
    h = float(solution.x[1] - solution.x[0])
    grid = getattr(solution.problem, "grid", None)
    if grid is not None:
        h = grid.h

    def rows(a: np.ndarray, b: np.ndarray) -> tuple[ErrorNorms, ...]:
        if np.shape(a) != np.shape(b):
            raise SolverError(f"cannot compare shapes {np.shape(a)} and {np.shape(b)}")
        return tuple(error_norms(x, y, h) for x, y in zip(a, b, strict=True))

    snaps = solution.snapshots
    return Comparison(
        tuple(float(t) for t in solution.times),
        None if exact is None else rows(snaps, exact),
        None if reference is None else rows(snaps, reference),
        None if exact is None or reference is None else rows(reference, exact),
    )
