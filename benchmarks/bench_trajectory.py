"""Trajectory-trained Burgers pairs on held-out forced trajectories (issue 16's evaluation).

For each shipped pair ``trajectory-burgers-n{N}`` (``make pretrained``): the rollout error over
t in [10, 40] on the 8 held-out seeds, survival time, blow-ups and the equal-accuracy
coarsening factor against the textbook 7-point pair (C6), next to the derivative-trained and
textbook pairs (:func:`learned_ops.trajectory.burgers_run.evaluate_pairs`, the solver's own
compiled runs against the pseudo-spectral truth on 8 N nodes, cached in
``~/.cache/learned-ops/truth`` after the first run). Also the TensorFlow stepper's cost per
step against the solver's for the same pair (training runs the former). The training time is
the one recorded in the pair's provenance by ``make pretrained``.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["run"]


def _rows_for(n: int) -> list[dict]:
    from learned_ops.pretrained import list_pretrained, load_pretrained
    from learned_ops.pretrained.build_trajectory import setup_for
    from learned_ops.trajectory.burgers_run import Pair, evaluate_pairs, textbook_pair

    stem = f"trajectory-burgers-n{n}"
    if f"{stem}-flux" not in list_pretrained():
        return [{"section": "trajectory", "case": stem, "value": float("nan"), "unit": "",
                 "note": "not shipped: run make pretrained"}]
    flux, diffusion = load_pretrained(f"{stem}-flux"), load_pretrained(f"{stem}-diffusion")
    derivative = Pair("derivative-trained c7-o4-band + d2-c5-o2",
                      load_pretrained("learned-d1-c7-o4-band"), load_pretrained("learned-d2-c5-o2"))
    pairs = [Pair(stem, flux, diffusion), derivative, textbook_pair(3), textbook_pair(5),
             textbook_pair(7), textbook_pair(9)]
    table = evaluate_pairs(setup_for(n), pairs)
    rows = []
    c6 = next(r for r in table["rows"] if r["label"].startswith("textbook C6"))
    for row in table["rows"]:
        error = row["mean_abs_error"]
        ratio = None if error is None or c6["mean_abs_error"] is None else (
            c6["mean_abs_error"] / error)
        rows.append({"section": f"trajectory n={n}", "case": row["label"],
                     "value": float("inf") if error is None else error,
                     "unit": "mean |u - truth|", "ratio": ratio,
                     "target": ">= 1.8x C6" if row["label"] == stem and n == 256 else None,
                     "meets": (ratio is not None and ratio >= 1.8) if row["label"] == stem
                     and n == 256 else None,
                     "note": f"survival mean {row['mean_survival']:.2f} min "
                             f"{row['min_survival']:.2f}, blow-ups {row['blowups']}, "
                             f"coarsening {row['coarsening_factor']}"})
    seconds = flux.provenance.get("training_seconds")
    if seconds is not None:
        rows.append({"section": f"trajectory n={n}", "case": "training time (make pretrained)",
                     "value": float(seconds), "unit": "s", "target": "< 600 s" if n == 128
                     else None, "meets": seconds < 600 if n == 128 else None})
    return rows


def _stepper_cost(n: int = 128, steps: int = 1000, batch: int = 32) -> list[dict]:
    import solvers
    from learned_ops.textbook import textbook_stencil
    from learned_ops.trajectory.stepper import rollout, system_from_problem, tf

    offsets = range(-3, 4)
    grid = solvers.Grid.periodic(n, 0.0, 2.0 * np.pi)
    forcing = solvers.TravellingWaves.random(0, 2.0 * np.pi)
    problem = solvers.Burgers(0.04, textbook_stencil(1, offsets), textbook_stencil(2, offsets),
                              grid, forcing=forcing, speed=1.0)
    u0 = 0.5 * np.sin(grid.x)[None, :] * np.ones((batch, 1))
    system = system_from_problem(problem)
    fn = tf.function(lambda u: rollout(system, u, 1e-3, steps, every=steps), autograph=False)
    fn(tf.constant(u0))
    started = time.perf_counter()
    tf_out = fn(tf.constant(u0)).numpy()[-1]
    tf_seconds = time.perf_counter() - started
    started = time.perf_counter()
    ours = solvers.solve(problem, u0, steps * 1e-3, dt=1e-3, allow_unstable=True).final
    solver_seconds = time.perf_counter() - started
    agree = float(np.max(np.abs(tf_out - ours)))
    return [{"section": "trajectory stepper", "case": f"TF rollout, batch {batch} x n {n}",
             "value": tf_seconds / steps * 1e6, "unit": "us/step",
             "ratio": tf_seconds / solver_seconds,
             "note": f"vs solvers.solve (compiled) {solver_seconds / steps * 1e6:.1f} us/step; "
                     f"agree to {agree:.1e}"}]


def run() -> list[dict]:
    """Rows for ``benchmarks.run``."""
    rows = _stepper_cost()
    for n in (128, 256):
        rows.extend(_rows_for(n))
    return rows
