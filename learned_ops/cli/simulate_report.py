"""What ``learned-ops simulate`` shows: the error table, the JSON-safe result and the plot."""

from __future__ import annotations

import math
from typing import Any

from learned_ops.cli.simulate_dt import TIME_ERROR_SHARE, percent

__all__ = ["finite", "plot_final_state", "table"]


def _time_lines(result: dict[str, Any]) -> list[str]:
    """The time-error lines of the table."""
    error = result["time_error"]
    if error is None:
        return []
    if error["share"] is None:
        return [f"time error: L2 {error['l2']:.3e} against the exact semi-discrete solution "
                "(no exact solution, so no share)"]
    lines = [f"time error: {percent(error['share'])}% of the error (L2 {error['l2']:.3e} of "
             f"{error['total_l2']:.3e}; ours against the exact semi-discrete solution)"]
    if error["dt_choice"] == "reduced":
        lines.append(f"default dt: 0.9 x the stability limit (dt = {error['first_dt']:.4g}) "
                     f"gave {percent(error['first_share'])}% time error; dt reduced so the "
                     f"time error is <= {100 * TIME_ERROR_SHARE:g}% of the error")
    return lines


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3e}"


def table(result: dict[str, Any]) -> str:
    """The human-readable report of one run (``result`` as :func:`cmd_simulate.run` builds)."""
    rows = [
        ("ours vs exact", result["errors"]["analytic"]),
        ("reference vs exact", result["reference_errors"]),
        ("ours vs reference", result["errors"]["reference"]),
    ]
    diff = None
    if result["errors"]["analytic"] and result["reference_errors"]:
        diff = {k: result["errors"]["analytic"][k] - result["reference_errors"][k]
                for k in ("l2", "linf", "rel_l2")}
    rows.append(("difference (ours - ref)", diff))
    lines = [
        f"{result['equation']} with {result['operator']}: n = {result['n']}, "
        f"t_final = {result['t_final']:g}, {result['stepper']}, dt = {result['dt']:.4g} "
        f"({result['number_name']} {result['number']:.4g}; limit {result['number_limit']:.4g}), "
        f"{result['steps']} steps, {result['seconds']:.2f} s",
        f"problem: {result['problem']}; u0 = {result['ic']}"
        + (f" (seed {result['seed']})" if result["ic"].strip().lower() == "sinusoid" else ""),
        f"{'errors at t_final':<26}{'L2':>12}{'max':>12}{'rel L2':>12}",
    ]
    for label, err in rows:
        vals = [None] * 3 if err is None else [err["l2"], err["linf"], err["rel_l2"]]
        lines.append(f"{label:<26}" + "".join(f"{_fmt(v):>12}" for v in vals))
    return "\n".join(lines + _time_lines(result))


def finite(obj: Any) -> Any:
    """JSON-safe: inf and nan become None."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [finite(v) for v in obj]
    return obj


def plot_final_state(
    path: str, solution: Any, exact: Any, reference: Any, title: str, *, overwrite: bool
) -> None:
    """Plot the initial and final states, the exact and the reference ones, to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from learned_ops.atomic import atomic_path

    fig, ax = plt.subplots(figsize=(7, 4))
    try:
        ax.plot(solution.x, solution.snapshots[0], color="0.7", lw=1, label="initial")
        if exact is not None:
            ax.plot(solution.x, exact, "k-", lw=1.5, label="exact")
        if reference is not None:
            ax.plot(solution.x, reference, "C1--", lw=1, label="scipy reference")
        ax.plot(solution.x, solution.final, "C0.", ms=3, label="ours")
        ax.set_xlabel("x")
        ax.set_ylabel(f"u(x, {solution.t_final:g})")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        with atomic_path(path, overwrite=overwrite) as tmp:
            fig.savefig(tmp)
    finally:
        plt.close(fig)
