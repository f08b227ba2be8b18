"""Log-log plots of convergence studies: error against h (or dt) with reference slopes.

matplotlib is imported inside :func:`plot_convergence` only, so ``import solvers`` stays light.
The caller saves the figure (the CLI writes it atomically).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from solvers.convergence.result import ConvergenceStudy

__all__ = ["plot_convergence"]

_NORM_LABELS = {"l2": "L2", "linf": "max"}
_REFERENCE_OFFSET = 0.3
"""Reference lines sit this factor below the anchor point, so they do not hide the data."""


def _reference_line(ax: Any, steps: np.ndarray, anchor_step: float, anchor_error: float,
                    order: float, style: str) -> None:
    """A line of slope ``order`` through (anchor_step, anchor_error) over the steps' span."""
    x = np.array([np.nanmin(steps), np.nanmax(steps)])
    y = _REFERENCE_OFFSET * anchor_error * (x / anchor_step) ** order
    ax.plot(x, y, style, color="0.45", lw=1)
    ax.annotate(f"slope {order:g}", (x[-1], y[-1]), fontsize=7, color="0.35",
                textcoords="offset points", xytext=(3, 0), va="center")


def plot_convergence(studies: ConvergenceStudy | Sequence[ConvergenceStudy], *,
                     norms: Sequence[str] = ("l2", "linf"), slopes: Sequence[float] | None = None,
                     ax: Any = None, title: str | None = None) -> Any:
    """Plot error against the refined step on log-log axes.

    Every study gets one line per norm (markers filled on the levels of its fit range, open
    on the levels left out); grey reference lines of the expected orders (or ``slopes``) run
    a little below the finest fitted level of the first study.

    Args:
        studies: One study or several (e.g. operators side by side).
        norms: Which norms to draw (``l2``, ``linf``).
        slopes: Reference slopes (default: the studies' expected orders, at least 1).
        ax: An existing matplotlib Axes (default: a new figure).
        title: Axes title (default: the first study's description).

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    items = [studies] if isinstance(studies, ConvergenceStudy) else list(studies)
    if not items:
        raise ValueError("plot_convergence needs at least one study")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.6))
    else:
        fig = ax.figure
    anchor = None
    for i, study in enumerate(items):
        steps = np.asarray(study.steps, dtype=np.float64)
        first, last = study.fit_range
        for j, norm in enumerate(norms):
            errors = np.asarray(study.errors[norm], dtype=np.float64)
            ok = np.isfinite(errors) & (errors > 0) & np.isfinite(steps)
            if not ok.any():
                continue
            color = f"C{i % 10}"
            label = f"{study.description.split(';')[0]} ({_NORM_LABELS[norm]})" if len(
                items) > 1 else _NORM_LABELS[norm] + " error"
            fitted = study.fitted_orders.get(norm, math.nan)
            if not math.isnan(fitted):
                label += f", order {fitted:.2f}"
            ax.loglog(steps[ok], errors[ok], "-" if j == 0 else ":", color=color, lw=1,
                      label=label)
            in_fit = np.zeros_like(ok)
            if last > first:
                in_fit[first:last + 1] = True
            marker = "o" if j == 0 else "s"
            ax.loglog(steps[ok & in_fit], errors[ok & in_fit], marker, color=color, ms=5)
            ax.loglog(steps[ok & ~in_fit], errors[ok & ~in_fit], marker, color=color, ms=5,
                      mfc="none")
            if anchor is None and j == 0:
                k = last if last > first and ok[last] else int(np.flatnonzero(ok)[-1])
                anchor = (steps, float(steps[k]), float(errors[k]))
    if anchor is not None:
        wanted = slopes if slopes is not None else sorted(
            {max(1, s.expected_order) for s in items})
        for order, style in zip(wanted, ("--", "-.", (0, (1, 1)), "--"), strict=False):
            _reference_line(ax, *anchor, float(order), style)
    first_study = items[0]
    ax.set_xlabel(("dt" if first_study.kind == "time" else "h")
                  + "  (filled markers: levels in the fit)")
    ax.set_ylabel("error")
    ax.set_title(title if title is not None else first_study.description, fontsize=8)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
