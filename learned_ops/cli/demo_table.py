"""What ``learned-ops demo`` concludes and prints: one line per row, and the table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from learned_ops.cli.demo_report import DemoResult, DemoRow
    from learned_ops.cli.demo_setup import DemoSettings

__all__ = ["conclusions", "format_table"]


def _ratio_text(mine: float, theirs: float) -> str:
    """``3.2x smaller``, ``1.9x larger`` or ``about the same`` (within 10%)."""
    if not (math.isfinite(mine) and math.isfinite(theirs)) or mine <= 0 or theirs <= 0:
        return "not comparable"
    if abs(math.log(mine / theirs)) < math.log(1.1):
        return "about the same"
    if mine < theirs:
        return f"{theirs / mine:.1f}x smaller"
    return f"{mine / theirs:.1f}x larger"


def _finest(row: DemoRow) -> float:
    return float(row.study.errors["l2"][-1])


def conclusions(rows: Sequence[DemoRow], settings: DemoSettings) -> list[str]:
    """One line per row of one equation (in table order), computed from the numbers.

    The rows are the equation's lineup: a textbook baseline first, the textbook stencil of the
    constrained one's width last, the constrained learned one (and for advection and heat the
    seed's) between.
    """
    base = rows[0]
    wide = rows[-1]
    constrained = next((row for row in rows if row.role == "constrained"), wide)
    n = settings.comparison_n(base.equation)
    n_fine = settings.study_grids(base.equation)[-1]
    lines = []
    for row in rows:
        order = row.study.fitted_orders["l2"]
        order_text = "-" if math.isnan(order) else f"{order:.2f}"
        at_n = _ratio_text(row.final_error, base.final_error)
        if row is base:
            promised = "as promised" if row.study.meets_expected else "not as promised"
            text = (f"baseline: order {order_text} {promised} (expected "
                              f"{row.study.expected_order}); matches the scipy reference to "
                              f"{row.error_reference[-1]:.1e}")
        elif row.role == "seed-learned":
            if math.isnan(order):
                trend = "no convergence result"
            else:
                trend = "the error stalls" if order > -0.5 else "the error grows"
            stable = "" if row.stable else "no stable dt (ran anyway); "
            link = "but" if row.final_error < base.final_error else "and"
            text = (f"inconsistent: {stable}{at_n} error than the textbook at n = "
                              f"{n}, {link} {trend} under refinement (order "
                              f"{order_text}, {_finest(row):.1e} at n = {n_fine})")
        elif row.role == "constrained":
            versus_wide = _ratio_text(row.final_error, wide.final_error)
            versus_wide += " as" if versus_wide.startswith("about") else " than"
            verdict = "" if row.study.meets_expected else f" ({row.study.verdict})"
            text = (f"order {row.accuracy_order} by construction: {at_n} error than "
                              f"the textbook {base.taps}-point at n = {n} ({versus_wide} "
                              f"the textbook {wide.taps}-point); order {order_text}{verdict}")
        else:
            versus = _ratio_text(_finest(row), _finest(constrained))
            text = (f"textbook of the constrained stencil's width: order "
                              f"{order_text}, {versus} error than it at n = {n_fine}: "
                              "refinement favours the higher order")
        lines.append(text)
    return lines


def _fmt(value: float) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.2e}"


def format_table(result: DemoResult) -> str:
    """One compact table: errors at the training resolution, order under refinement, verdict."""
    s = result.settings
    ic = result.initial_condition
    burgers = any(row.equation == "burgers" for row in result.rows)
    lines = [
        f"learned-ops demo: advection u_t + {s.velocity:g} u_x = 0"
        + (", " if burgers else " and ") + f"heat u_t = {s.diffusivity:g} u_xx"
        + (f" and burgers u_t + (u^2/2)_x = {s.viscosity:g} u_xx" if burgers else "")
        + f" on [-2, 2), periodic, t = {s.t_final:g}, {s.stepper.upper()}",
        f"comparison runs: n = {s.n} (the seed's training spacing h = {4.0 / s.n:g}), "
        f"u0 = {ic.b:.3g} ({ic.a:.3g} sin({ic.k1} pi x) + {1 - ic.a:.3g} "
        f"sin({ic.k2} pi x)) from the seed's training family",
        f"order: fitted L2 order of a space convergence study of the same problems on n = "
        f"{', '.join(str(g) for g in s.grids)} (smooth bump)"
        + (";  operators trained in this run" if result.trained else ""),
    ]
    if burgers:
        lines.append(
            f"burgers: coarse n = {s.burgers_n} (h = {4.0 / s.burgers_n:g}), u0 = the exact "
            f"Cole-Hopf wave {s.burgers_ic}, flux and diffusion operators as a pair "
            f"(fd:{{1,2}}: D1 and D2 on those offsets); order on n = "
            f"{', '.join(str(g) for g in s.burgers_grids)} from the same wave")
    lines.append("")
    head = (f"{'equation':<10} {'operator':<27} {'taps':>4} {'p':>2} {'L2 vs exact':>11} "
            f"{'vs scipy':>9} {'scipy err':>9} {'order':>6}  conclusion")
    lines += [head, "-" * len(head)]
    for row in result.rows:
        order = row.study.fitted_orders["l2"]
        label = row.label if len(row.label) <= 27 else row.label[:26] + "…"
        lines.append(
            f"{row.equation:<10} {label:<27} {row.taps:>4} {row.accuracy_order:>2} "
            f"{_fmt(row.final_error):>11} {_fmt(row.error_reference[-1]):>9} "
            f"{_fmt(row.reference_error[-1]):>9} "
            f"{'-' if math.isnan(order) else format(order, '.2f'):>6}  {row.conclusion}"
        )
    lines += [
        "",
        "p: verified accuracy order (0 = inconsistent); vs scipy: L2 distance to the scipy "
        "reference (classical FD of order max(2, p) + solve_ivp); scipy err: the reference's "
        "own L2 error.",
        "Learned stencils can beat the textbook at the resolution they were trained for; only "
        "the constrained ones keep converging when the grid is refined.",
    ]
    return "\n".join(lines)
