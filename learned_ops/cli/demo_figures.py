"""The figures of ``learned-ops demo``, rendered to PNG bytes (the caller writes them).

Each function takes a :class:`~learned_ops.cli.demo_report.DemoResult` and returns a
``matplotlib.figure.Figure`` built without ``pyplot`` (no global state, nothing to close);
:func:`render_all` turns them into ``{file name: PNG bytes}`` so the caller can write every file
only after every figure rendered (no partial output on error).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np

from learned_ops.cli.demo_report import DemoResult, DemoRow
from learned_ops.data import SeedFamily

__all__ = [
    "FIGURES",
    "burgers_figure",
    "coefficients_figure",
    "convergence_figure",
    "error_time_figure",
    "modified_wavenumber_figure",
    "render_all",
    "solutions_figure",
]

DPI = 100
ROLE_STYLE = {
    # (colour, line style, marker) per row position: textbook narrow, seed, constrained, wide
    0: ("C0", "-", "o"),
    1: ("C3", "--", "s"),
    2: ("C2", "-", "^"),
    3: ("C1", "-.", "D"),
}
EQUATION_TITLE = {"advection": "advection  $u_t + a u_x = 0$", "heat": "heat  $u_t = \\nu u_{xx}$"}


def _figure(rows: int, cols: int, size: tuple[float, float],
            margins: dict[str, float]) -> tuple[Any, np.ndarray]:
    """A figure with fixed margins (a layout engine would cost seconds per figure)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).reshape(rows, cols)
    fig.subplots_adjust(**margins)
    return fig, axes


def _problem_title(result: DemoResult, equation: str) -> str:
    """The equation with its coefficient, e.g. ``heat  u_t = 0.001 u_xx`` (mathtext)."""
    s = result.settings
    if equation == "advection":
        return f"advection  $u_t + {s.velocity:g}\\,u_x = 0$"
    return f"heat  $u_t = {s.diffusivity:g}\\,u_{{xx}}$"


def _style(index: int) -> tuple[str, str, str]:
    return ROLE_STYLE.get(index, (f"C{index % 10}", "-", "o"))


def _legend_label(row: DemoRow) -> str:
    return f"{row.label} ({row.role}, p={row.accuracy_order})"


def solutions_figure(result: DemoResult) -> Any:
    """u(x, t_final) of every operator against the exact solution, and u - u_exact."""
    s = result.settings
    fig, axes = _figure(2, 2, (14.0, 6.6), dict(left=0.065, right=0.78, bottom=0.08, top=0.95,
                                                 hspace=0.38, wspace=0.25))
    for (ax, err_ax), equation in zip(axes, ("advection", "heat"), strict=True):
        rows = result.equation_rows(equation)
        x = rows[0].x
        window = (x >= 0.0) & (x <= 1.0)
        ax.plot(x[window], rows[0].exact_final[window], color="k", lw=2.4, label="exact",
                zorder=1)
        err_ax.axhline(0.0, color="k", lw=1.2)
        for i, row in enumerate(rows):
            color, style, _ = _style(i)
            ax.plot(x[window], row.final[window], color=color, ls=style, lw=1.2,
                    label=_legend_label(row), zorder=2)
            err_ax.plot(x[window], (row.final - row.exact_final)[window], color=color,
                        ls=style, lw=1.2)
        ax.set_title(f"{_problem_title(result, equation)}: u at t = {s.t_final:g}, "
                     f"n = {s.n}", fontsize=10)
        err_ax.set_title(f"{equation}: error u - u_exact at t = {s.t_final:g}", fontsize=10)
        ax.set_ylabel(f"u(x, {s.t_final:g})")
        err_ax.set_ylabel("u - u_exact")
        for a in (ax, err_ax):
            a.set_xlabel("x (zoom on [0, 1] of the periodic domain [-2, 2))")
            a.grid(alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        err_ax.legend(handles, labels, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def error_time_figure(result: DemoResult) -> Any:
    """L2 error against time for every operator (and the scipy reference's own error)."""
    fig, axes = _figure(1, 2, (11.0, 4.4), dict(left=0.07, right=0.98, bottom=0.12, top=0.92,
                                                     wspace=0.22))
    for ax, equation in zip(axes[0], ("advection", "heat"), strict=True):
        rows = result.equation_rows(equation)
        for i, row in enumerate(rows):
            color, style, marker = _style(i)
            ax.semilogy(row.times[1:], row.error_exact[1:], color=color, ls=style,
                        marker=marker, ms=3, lw=1.2, label=_legend_label(row))
        ref = rows[0]
        ax.semilogy(ref.times[1:], ref.reference_error[1:], color="0.5", lw=5, alpha=0.35,
                    zorder=0, label=f"scipy reference (order {ref.reference_accuracy}) vs exact")
        ax.set_title(f"{_problem_title(result, equation)}, n = {result.settings.n}",
                     fontsize=10)
        ax.set_xlabel("t")
        ax.set_ylabel("L2 error against the exact solution")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7, loc="lower right")
    return fig


def _slope_line(ax: Any, h: np.ndarray, anchor: float, order: float, style: str) -> None:
    """A grey line of slope ``order`` ending ``anchor`` at the smallest h."""
    x = np.array([h.min(), h.max()])
    y = anchor * (x / h.min()) ** order
    ax.loglog(x, y, color="0.45", ls=style, lw=1.0)
    ax.annotate(f"slope {order:g}", (x[0], y[0]), fontsize=8, color="0.3",
                textcoords="offset points", xytext=(2, -11))


def convergence_figure(result: DemoResult) -> Any:
    """Log-log L2 error against h of each operator's convergence study, with slopes 2 and 4."""
    from matplotlib.ticker import NullFormatter

    fig, axes = _figure(1, 2, (11.0, 4.8), dict(left=0.07, right=0.98, bottom=0.11, top=0.92,
                                                     wspace=0.22))
    for ax, equation in zip(axes[0], ("advection", "heat"), strict=True):
        rows = result.equation_rows(equation)
        h = np.asarray(rows[0].study.h)
        for i, row in enumerate(rows):
            color, style, marker = _style(i)
            err = np.asarray(row.study.errors["l2"], dtype=np.float64)
            ok = np.isfinite(err) & (err > 0)
            order = row.study.fitted_orders["l2"]
            text = "n/a" if np.isnan(order) else f"{order:.2f}"
            ax.loglog(h[ok], err[ok], color=color, ls=style, marker=marker, ms=5, lw=1.3,
                      label=f"{row.label}: order {text}")
        for row, order, style in ((rows[0], 2.0, "--"), (rows[3], 4.0, ":")):
            finest = float(row.study.errors["l2"][-1])
            if np.isfinite(finest) and finest > 0:
                _slope_line(ax, h, 0.3 * finest, order, style)
        study = rows[0].study
        ax.set_title(f"{_problem_title(result, equation)}\nspace convergence, n = "
                     f"{study.grids[0]}..{study.grids[-1]}, t = {result.settings.t_final:g}",
                     fontsize=9)
        ax.set_xlabel("grid spacing h")
        ax.set_ylabel("L2 error at the final time")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7, loc="lower right")
    return fig


def _textbook_like(stencil: Any) -> Any:
    from learned_ops.textbook import textbook_stencil

    return textbook_stencil(stencil.derivative_order, stencil.offsets)


def coefficients_figure(result: DemoResult) -> Any:
    """Learned coefficients beside the textbook stencil on the same offsets."""
    learned = result.operators.learned()
    fig, axes = _figure(1, len(learned), (3.0 * len(learned), 4.0),
                        dict(left=0.05, right=0.99, bottom=0.2, top=0.74, wspace=0.45))
    for ax, stencil in zip(axes[0], learned, strict=True):
        book = _textbook_like(stencil)
        offsets = np.array(stencil.offsets)
        width = 0.38
        ax.bar(offsets - width / 2, book.coefficients, width, color="0.7",
               label="textbook, same offsets")
        ax.bar(offsets + width / 2, stencil.coefficients, width,
               color="C3" if stencil.accuracy_order == 0 else "C2", label="learned")
        ax.axhline(0.0, color="k", lw=0.6)
        mu = stencil.moments(stencil.derivative_order + 1)
        m = stencil.derivative_order
        ax.set_title(f"{stencil.name} (m={m})\nlearned p={stencil.accuracy_order}, textbook "
                     f"p={book.accuracy_order}\n$\\mu_0$={mu[0]:+.3g}, $\\mu_{m}$={mu[m]:.4g}",
                     fontsize=8)
        ax.set_xticks(offsets)
        ax.set_xlabel("offset j")
        ax.set_ylabel("coefficient $c_j$ (unit spacing)")
        ax.grid(alpha=0.3, axis="y")
    from matplotlib.patches import Patch

    fig.legend([Patch(color="0.7"), Patch(color="C3"), Patch(color="C2")],
               ["textbook stencil on the same offsets", "learned, free (the seed: inconsistent)",
                "learned, constrained to order p"], loc="lower center", ncol=3, fontsize=8,
               frameon=False)
    fig.suptitle("learned coefficients against the textbook stencil on the same offsets "
                 "($\\mu_q = \\sum_j c_j j^q / q!$; consistency needs $\\mu_0 = 0$, "
                 "$\\mu_m = 1$)", fontsize=9)
    return fig


def modified_wavenumber_figure(result: DemoResult) -> Any:
    """Modified wavenumbers against the exact ones, and their relative error (log scale)."""
    theta = np.linspace(1e-3, np.pi, 400)
    seed = SeedFamily()  # the seed family's largest k * dx on the demo's grid of [-2, 2)
    band = (seed.k_max - 1) * np.pi * 4.0 / result.settings.n
    fig, axes = _figure(2, 2, (11.0, 7.6), dict(left=0.07, right=0.98, bottom=0.08, top=0.95,
                                                     wspace=0.2, hspace=0.3))
    exact = {"advection": theta, "heat": theta**2}
    for col, equation in enumerate(("advection", "heat")):
        rows = result.equation_rows(equation)
        top, bottom = axes[0, col], axes[1, col]
        top.plot(theta, exact[equation], color="k", lw=2.0, label="exact")
        for i, row in enumerate(rows):
            color, style, _ = _style(i)
            sigma = np.asarray(_symbol(row.operator, theta))
            value = sigma.imag if equation == "advection" else -sigma.real
            top.plot(theta, value, color=color, ls=style, lw=1.3, label=_legend_label(row))
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.abs(value / exact[equation] - 1.0)
            bottom.semilogy(theta, np.maximum(rel, 1e-16), color=color, ls=style, lw=1.3,
                            label=row.label)
        for ax in (top, bottom):
            ax.axvspan(0.0, band, color="C9", alpha=0.12, lw=0)
            ax.set_xlim(0.0, np.pi)
            ax.grid(alpha=0.3, which="both")
            ax.set_xlabel("$\\theta = k h$ (shaded: the seed's training band, k < 20$\\pi$ at "
                          "h = 0.01)")
        what = ("Im $\\sigma(\\theta)$: modified wavenumber" if equation == "advection" else
                "$-\\sigma(\\theta)$: modified wavenumber squared")
        top.set_ylabel(what, fontsize=9)
        top.set_title(EQUATION_TITLE[equation], fontsize=10)
        top.legend(fontsize=7, loc="upper left")
        bottom.set_ylabel("relative error", fontsize=9)
        bottom.set_ylim(1e-8, 10.0)
    return fig


def _symbol(operator: Any, theta: np.ndarray) -> np.ndarray:
    """sigma(theta) = sum_j c_j exp(i j theta) of the operator's (composite) stencil."""
    from learned_ops.spectral import symbol

    return symbol(np.array(operator.offsets), np.asarray(operator.coefficients), theta)


def burgers_figure(result: DemoResult) -> Any:
    """Viscous Burgers: a sine steepening into a front on a coarse grid, exact against computed
    for the textbook 5-point and the learned 5-point pairs (u and u - u_exact at several times),
    the front runs' max error against time, and the Cole-Hopf rows' convergence."""
    from matplotlib.ticker import NullFormatter

    s = result.settings
    fig, axes = _figure(2, 3, (15.0, 7.4), dict(left=0.055, right=0.985, bottom=0.075,
                                                 top=0.9, wspace=0.27, hspace=0.34))
    times = np.asarray(s.front_times)
    shades = [f"{0.75 - 0.75 * k / max(1, len(times) - 1):.2f}" for k in range(len(times))]
    for col, run in enumerate(result.front):
        top, bottom = axes[0, col], axes[1, col]
        color = "C0" if run.role == "textbook" else "C2"
        window = (run.x >= 0.0) & (run.x <= 2.0)
        bottom.axhline(0.0, color="k", lw=0.8)
        for k, t in enumerate(run.times):
            top.plot(run.x[window], run.exact[k][window], color=shades[k], lw=2.0,
                     label=f"exact, t = {t:g}")
            top.plot(run.x[window], run.snapshots[k][window], color=color, ls="none",
                     marker="o", ms=3.0, label="computed" if k == 0 else None)
            bottom.plot(run.x[window], (run.snapshots[k] - run.exact[k])[window],
                        color=shades[k], lw=1.3, marker=".", ms=3, label=f"t = {t:g}")
        top.set_title(f"{run.label} ({run.role}): n = {s.front_n}, $\\nu$ = "
                      f"{s.front_viscosity:g}", fontsize=10)
        bottom.set_title(f"{run.label}: u - u_exact (max {run.errors.max():.2e})", fontsize=10)
        top.set_ylabel("u(x, t)")
        bottom.set_ylabel("u - u_exact")
        for ax in (top, bottom):
            ax.set_xlabel("x (zoom on [0, 2]: the front forms at x = 1)")
            ax.grid(alpha=0.3)
        top.legend(fontsize=7, loc="upper right")
        bottom.legend(fontsize=7, loc="lower left")
    ax = axes[1, 2]
    for run in result.front:
        color, marker = ("C0", "D") if run.role == "textbook" else ("C2", "^")
        ax.semilogy(run.times[1:], run.errors[1:], color=color, marker=marker, ms=4,
                    label=run.label)
    ax.axvline(1.0 / (np.pi * s.front_amplitude), color="0.5", ls=":", lw=1.0)
    ax.annotate("inviscid shock time", (1.0 / (np.pi * s.front_amplitude), ax.get_ylim()[1]),
                fontsize=7, color="0.3", textcoords="offset points", xytext=(3, -10))
    ax.set_title("front runs: max error against time", fontsize=10)
    ax.set_xlabel("t")
    ax.set_ylabel("max |u - u_exact|")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="lower right")
    ax = axes[0, 2]
    rows = result.equation_rows("burgers")
    for i, row in enumerate(rows):
        color, style, marker = ROLE_STYLE[0] if i == 0 else _style(i + 1)
        h = np.asarray(row.study.h)
        err = np.asarray(row.study.errors["l2"], dtype=np.float64)
        ok = np.isfinite(err) & (err > 0)
        order = row.study.fitted_orders["l2"]
        text = "n/a" if np.isnan(order) else f"{order:.2f}"
        ax.loglog(h[ok], err[ok], color=color, ls=style, marker=marker, ms=5, lw=1.3,
                  label=f"{row.label}: order {text}")
    if rows:
        h = np.asarray(rows[0].study.h)
        for row, order, style in ((rows[0], 2.0, "--"), (rows[-1], 4.0, ":")):
            finest = float(row.study.errors["l2"][-1])
            if np.isfinite(finest) and finest > 0:
                _slope_line(ax, h, 0.3 * finest, order, style)
        study = rows[0].study
        ax.set_title(f"Cole-Hopf wave {s.burgers_ic}, $\\nu$ = {s.viscosity:g}: space "
                     f"convergence\nn = {study.grids[0]}..{study.grids[-1]}, t = "
                     f"{s.t_final:g} (the table's rows)", fontsize=9)
    ax.set_xlabel("grid spacing h")
    ax.set_ylabel("L2 error at t = 1")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"viscous Burgers  $u_t + (u^2/2)_x = \\nu u_{{xx}}$, periodic on [-2, 2): "
                 f"u0 = {s.front_amplitude:g} sin($\\pi$ x) steepening into a front (exact: "
                 f"Cole-Hopf), flux and diffusion operators as pairs", fontsize=10)
    return fig


FIGURES: dict[str, Callable[[DemoResult], Any]] = {
    "solutions.png": solutions_figure,
    "error_vs_time.png": error_time_figure,
    "convergence.png": convergence_figure,
    "coefficients.png": coefficients_figure,
    "modified_wavenumber.png": modified_wavenumber_figure,
    "burgers.png": burgers_figure,
}
"""File name -> figure builder, in the order the demo writes them."""


def render_all(result: DemoResult) -> dict[str, bytes]:
    """Every figure as PNG bytes, keyed by file name (nothing is written here)."""
    images = {}
    for name, build in FIGURES.items():
        fig = build(result)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        images[name] = buffer.getvalue()
    return images
