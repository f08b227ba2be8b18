"""The result of a convergence study: :class:`ConvergenceStudy`, its table and JSON form."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from solvers.convergence.orders import AGREEMENT, MIN_VERDICT_GRIDS, NORMS, _fmt
from solvers.errors import ScheduleError

_VERDICT_TEXT = {
    "met": "meets the expected order",
    "above expected": "ABOVE the expected order (not met)",
    "not met": "converges, below the expected order",
    "inconclusive: refine": "inconclusive: refine",
    "does not converge": "DOES NOT CONVERGE",
}


@dataclass(frozen=True)
class ConvergenceStudy:
    """The result of a convergence study (see :mod:`solvers.convergence` for the method).

    Attributes:
        kind: ``space``, ``time`` or ``coupled``.
        description: The problem, operator(s) and stepper in one line.
        stepper: The stepper's name.
        grids: Nodes per level.
        h: Grid spacing per level.
        dt: Time step per level (as taken; NaN where no run happened).
        errors: Per norm (``l2``, ``linf``): the absolute error per level (inf: blew up).
        orders: Per norm: observed order between consecutive levels (NaN where undefined).
        fitted_orders: Per norm: least-squares order over the fit range.
        mean_orders: Per norm: mean of the pairwise orders in the fit range.
        fit_range: ``(first, last)`` level indices (inclusive) used by the fit; ``first ==
            last`` when no order could be fitted.
        expected_order: The order promised by the operator / stepper.
        converges: Every run finished, the operator is consistent (studies against the exact
            solution) and the fitted order is at least :data:`MIN_ORDER` in both norms; for
            an inconclusive study: the finest two pairwise orders are (see the module
            docstring).
        meets_expected: The verdict is ``met``: both fitted orders within ``tolerance`` of the
            expected order, over a run of at least :data:`MIN_VERDICT_GRIDS` grids.
        tolerance: The tolerance of the verdict (two-sided).
        reason: One paragraph: why it does or does not converge / meet the order.
        target: ``exact`` (analytic solution) or ``semi-discrete`` (exact ODE solution).
        time_errors: Spatial studies: the temporal part of each error (L2 distance to the
            semi-discrete solution); empty otherwise.
        notes: What the study decided along the way (levels cut, dt reduced, warnings).
        scale: Per norm: the size of the target solution on the finest level.
        verdict: One of :data:`VERDICTS`: ``met``, ``above expected``, ``not met``,
            ``inconclusive: refine`` or ``does not converge``.
        agreement: The absolute part of the agreement tolerance of the run (see
            :func:`longest_agreeing_run`).
        time_error_shares: Spatial studies: per level, the temporal error as a share of the
            spatial error (the larger of the two norms; at most ``time_error_ratio`` unless
            a note says otherwise); empty otherwise.
    """

    kind: str
    description: str
    stepper: str
    grids: tuple[int, ...]
    h: tuple[float, ...]
    dt: tuple[float, ...]
    errors: dict[str, tuple[float, ...]]
    orders: dict[str, tuple[float, ...]]
    fitted_orders: dict[str, float]
    mean_orders: dict[str, float]
    fit_range: tuple[int, int]
    expected_order: int
    converges: bool
    meets_expected: bool
    tolerance: float
    reason: str
    target: str = "exact"
    time_errors: tuple[float, ...] = ()
    notes: tuple[str, ...] = ()
    scale: dict[str, float] = field(default_factory=dict)
    verdict: str = ""
    agreement: float = AGREEMENT
    time_error_shares: tuple[float, ...] = ()

    @property
    def steps(self) -> tuple[float, ...]:
        """The refined quantity per level: dt for a temporal study, else h."""
        return self.dt if self.kind == "time" else self.h

    @property
    def fitted_order(self) -> float:
        """The smaller of the two fitted orders (the one the verdict rests on)."""
        values = [v for v in self.fitted_orders.values() if not math.isnan(v)]
        return min(values) if len(values) == len(self.fitted_orders) else math.nan

    @property
    def fit_grids(self) -> tuple[int, ...]:
        """Nodes of the levels the fit used (empty when no order could be fitted)."""
        first, last = self.fit_range
        return self.grids[first:last + 1] if last > first else ()

    def table(self) -> str:
        """A table a person can read: ``n | h | dt | error | order`` per norm, then fit rows."""
        first, last = self.fit_range
        head = (f"{'':2}{'n':>6} | {'h':>10} | {'dt':>10} | {'L2 error':>10} | {'order':>6} | "
                f"{'max error':>10} | {'order':>6}")
        lines = [f"{self.kind} convergence study: {self.description}", head,
                 "-" * len(head)]
        for i, n in enumerate(self.grids):
            mark = "* " if first <= i <= last and last > first else "  "
            cells = [f"{mark}{n:>6}", f"{_fmt(self.h[i], '.4e'):>10}",
                     f"{_fmt(self.dt[i], '.4e'):>10}"]
            for k in NORMS:
                order = self.orders[k][i - 1] if i > 0 else math.nan
                cells += [f"{_fmt(self.errors[k][i]):>10}", f"{_fmt(order, '.2f'):>6}"]
            lines.append(" | ".join(cells))
        lines.append("-" * len(head))
        for label, values in (("fitted", self.fitted_orders), ("mean", self.mean_orders)):
            lines.append(f"{label:>8} | {'':>10} | {'':>10} | {'':>10} | "
                         f"{_fmt(values['l2'], '.2f'):>6} | {'':>10} | "
                         f"{_fmt(values['linf'], '.2f'):>6}")
        if last <= first:
            used = "no levels"
        elif self.kind == "time":
            used = f"dt = {self.dt[first]:.4g} .. {self.dt[last]:.4g} on n = {self.grids[0]}"
        else:
            used = "n = " + ", ".join(str(n) for n in self.fit_grids)
        if self.verdict == "inconclusive: refine" and last > first:
            used += " (the finest pair, for information)"
        lines.append(f"fit over {used} (marked *); expected order {self.expected_order}; "
                     f"errors against the {self.target} solution")
        lines.append(f"rule: the fit uses the longest run of consecutive pairwise orders that "
                     f"agree within {self.agreement:g} (or 3% of the order) in both norms, the "
                     f"finest on ties; a verdict needs >= {MIN_VERDICT_GRIDS} grids in it; met: "
                     f"both fitted orders within {self.tolerance:g} of {self.expected_order}")
        fitted_levels = self.time_error_shares[first:last + 1] if last > first else ()
        shares = [v for v in fitted_levels if math.isfinite(v)]
        if shares:
            worst = max(shares)
            bias = (math.log2((1.0 + worst) / (1.0 - worst)) if worst < 1.0 else math.inf)
            lines.append(f"time error: at most {100.0 * worst:.2g}% of the spatial error on "
                         f"the fitted levels (biases a pairwise order by <= "
                         f"{_fmt(bias, '.3f')})")
        lines.append(f"verdict: {_VERDICT_TEXT.get(self.verdict, self.verdict)}. "
                     f"{self.reason}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def assert_order(self, expected: float | None = None, tol: float = 0.1,
                     norm: str = "both") -> None:
        """Fail unless the fitted order is within ``tol`` of ``expected``.

        Args:
            expected: The order to check (default: the study's expected order).
            tol: Allowed absolute difference.
            norm: ``l2``, ``linf`` or ``both``.

        Raises:
            AssertionError: With the table in the message.
        """
        target = float(self.expected_order if expected is None else expected)
        norms = NORMS if norm == "both" else (norm,)
        if any(k not in NORMS for k in norms):
            raise ScheduleError(f"norm must be 'l2', 'linf' or 'both', got {norm!r}")
        problems = []
        if self.verdict == "inconclusive: refine":
            problems.append("the study is inconclusive (too few grids agree): refine")
        elif not self.converges:
            problems.append("the study does not converge")
        for k in norms:
            got = self.fitted_orders[k]
            if not (abs(got - target) <= tol):
                problems.append(f"fitted {k} order {got:.3f} is not within {tol:g} of {target:g}")
        if problems:
            raise AssertionError("; ".join(problems) + "\n" + self.table())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (inf and NaN become None)."""
        def clean(v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, dict):
                return {k: clean(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [clean(x) for x in v]
            return v

        return clean({
            "kind": self.kind,
            "description": self.description,
            "stepper": self.stepper,
            "grids": list(self.grids),
            "h": list(self.h),
            "dt": list(self.dt),
            "errors": {k: list(v) for k, v in self.errors.items()},
            "orders": {k: list(v) for k, v in self.orders.items()},
            "fitted_order": self.fitted_order,
            "fitted_orders": dict(self.fitted_orders),
            "mean_orders": dict(self.mean_orders),
            "fit_range": list(self.fit_range),
            "fit_grids": list(self.fit_grids),
            "expected_order": self.expected_order,
            "converges": self.converges,
            "meets_expected": self.meets_expected,
            "verdict": self.verdict,
            "tolerance": self.tolerance,
            "agreement": self.agreement,
            "reason": self.reason,
            "target": self.target,
            "time_errors": list(self.time_errors),
            "time_error_shares": list(self.time_error_shares),
            "notes": list(self.notes),
        })
