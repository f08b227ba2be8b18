"""Wall time of spatial convergence studies (five grids, N = 50 .. 800, RK4).

Cases: periodic advection with the 5-point central first derivative (order 4), periodic heat
with the 3-point second derivative (order 2), and, for information, Dirichlet heat with the
5-point second derivative (bounded grids: each solve computes its stability limit from dense
eigenvalues, which dominates). Each study is timed end to end (best of a few repeats),
including the semi-discrete check of the temporal error; the fitted order is in the note.
The target from issue 5: heat and advection together well under 10 s.
"""

from __future__ import annotations

import time
from typing import Any

from learned_ops import central_stencil
from solvers import Advection, Grid, Heat, convergence_study

SECTION = "convergence studies (space, N = 50..800, rk4)"
REPEATS = 3


def _time(problem: Any, t_final: float) -> tuple[float, Any]:
    best, study = float("inf"), None
    for _ in range(REPEATS):
        started = time.perf_counter()
        study = convergence_study(problem, t_final)
        best = min(best, time.perf_counter() - started)
    return best, study


def run() -> list[dict]:
    """Rows: one per study, and the periodic pair's total against the 10 s target."""
    cases = [
        ("advection periodic, central-m1-p4", Advection(1.0, central_stencil(1, 4),
                                                        Grid.periodic(50)), 1.0, True),
        ("heat periodic, central-m2-p2", Heat(0.1, central_stencil(2, 2), Grid.periodic(50)),
         0.1, True),
        ("heat Dirichlet, central-m2-p4", Heat(0.1, central_stencil(2, 4), Grid.bounded(50),
                                               dirichlet=(0.5, -1.0)), 0.1, False),
    ]
    rows, total = [], 0.0
    for label, problem, t_final, counted in cases:
        seconds, study = _time(problem, t_final)
        if counted:
            total += seconds
        rows.append({
            "section": SECTION,
            "case": label,
            "value": seconds,
            "unit": "s",
            "note": (f"fitted order {study.fitted_order:.2f} (expected "
                     f"{study.expected_order}) over n = {list(study.fit_grids)}; "
                     f"{'meets' if study.meets_expected else 'MISSES'} it"),
        })
    rows.append({
        "section": SECTION,
        "case": "advection + heat (periodic), total",
        "value": total,
        "unit": "s",
        "target": "< 10 s",
        "meets": bool(total < 10.0),
        "note": f"best of {REPEATS}",
    })
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(f"{row['case']:<40} {row['value']:8.3f} {row['unit']}  {row['note']}")
