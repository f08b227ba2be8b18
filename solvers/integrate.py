"""``solve``: run an explicit Runge-Kutta method on a problem, safely.

The loop lands exactly on ``t_final`` and on every save time (each interval between them is
split into equal steps no larger than ``dt``), refuses time steps beyond the stability limit
computed from the operator (unless ``allow_unstable``), warns about inconsistent operators, and
stops a run that blows up with an error carrying the step, the time, the norm and the partial
solution. The steps themselves run in a replaceable kernel (:mod:`solvers.kernels`); the
compiled one (:mod:`solvers.fast_kernels`) is used when numba is importable, unless
``kernel="numpy"`` or ``LEARNED_OPS_NO_JIT=1``. ``u0`` may carry a leading batch axis (an
ensemble of initial conditions advanced together).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from solvers.discretization import discretize
from solvers.errors import (
    BeyondStabilityLimitWarning,
    BlowUpError,
    BoundaryValueWarning,
    GrowingModeWarning,
    InconsistentOperatorWarning,
    InitialConditionError,
    MaximumPrincipleWarning,
    NoStableTimeStepError,
    ScheduleError,
    SchemeFailureError,
    SolverWarning,
    UnstableTimeStepError,
)
from solvers.initial_conditions import initial_values
from solvers.kernels import KernelFactory
from solvers.monitor import InvariantMonitor
from solvers.operators import ComposedOperator, consistency_problem
from solvers.prepared import cacheable, prepare
from solvers.problems import Problem
from solvers.progress import Progress, ProgressCallback
from solvers.runner import RowByRow, make_runner, row_squares
from solvers.schedule import positive_time, save_schedule
from solvers.solution import Solution, SolveInfo
from solvers.stability import StabilityLimit, stability_limit
from solvers.tableaux import ButcherTableau, get_tableau
from solvers.work import check_work

__all__ = ["operator_warnings", "solve"]

CHECKS_PER_CALL = 256
"""A kernel with ``advance_checked`` (blow-up checks in compiled code) runs up to this many
check intervals per call, so Python's per-call cost is spread over many steps."""
DT_TOLERANCE = 1e-8
"""A dt up to (1 + this) times the limit is accepted (the limit is computed to round-off)."""
MONITORED_CHECK_EVERY = 1
"""Steps between checks of a watched nonlinear run (invariants and norm; see
:mod:`solvers.monitor`)."""
POINTS_PER_CALL = 20_000_000
"""Point-stage updates per compiled call (about 0.02-0.1 s here), so Ctrl-C and progress
respond promptly at any grid size."""



def operator_warnings(problem: Problem) -> list[str]:
    """One message per inconsistent operator of the problem (composites: per factor)."""
    messages = []
    for op in problem.right_hand_side().operators:
        parts = [op.outer, op.inner] if isinstance(op, ComposedOperator) else []
        found = [m for m in (consistency_problem(p) for p in parts) if m]
        if not found:
            message = consistency_problem(op)
            found = [message] if message else []
        messages.extend(found)
    return messages


def _choose_dt(problem: Problem, limit: StabilityLimit, t_final: float, dt: float | None,
               courant: float | None, allow_unstable: bool,
               safety: float) -> tuple[float, list[SolverWarning]]:
    """The largest step to take, and the warning when it is beyond the limit on request."""
    if dt is not None and courant is not None:
        raise ScheduleError("give dt or courant, not both")
    if courant is not None:
        dt = problem.dt_for_number(positive_time("courant", courant))
    if not limit.stable and not (allow_unstable and dt is not None):
        raise NoStableTimeStepError(
            f"no stable time step for {problem.equation} with {limit.stepper}: {limit.reason}"
            + ("" if dt is None else " (pass allow_unstable=True to run anyway)"),
            limit=limit,
        )
    if dt is None:
        return (t_final if math.isinf(limit.dt) else safety * limit.dt), []
    dt = positive_time("dt", dt)
    if dt > limit.dt * (1.0 + DT_TOLERANCE):
        name = limit.number_name
        message = (
            f"dt = {dt:.6g} ({name} {problem.number_for_dt(dt):.6g}) exceeds the stability "
            f"limit dt = {limit.dt:.6g} ({name} {limit.number:.6g}) of {limit.stepper} with "
            f"this operator: {limit.reason}"
        )
        if not allow_unstable:
            raise UnstableTimeStepError(
                message + "; choose a smaller dt or pass allow_unstable=True", limit=limit
            )
        return dt, [BeyondStabilityLimitWarning(
            "running beyond the stability limit on request: " + message, dt=dt,
            limit_dt=limit.dt, reason=limit.reason)]
    return dt, []


def _initial_state(problem: Problem, u0: Any) -> tuple[np.ndarray, list[SolverWarning]]:
    """The initial values with the boundary values imposed, and a warning per disagreement."""
    if not callable(u0) and np.ndim(u0) == 2:  # a batch: one initial condition per row
        rows = np.asarray(u0)
        if rows.shape[0] == 0:
            raise InitialConditionError("a batch of initial conditions needs at least one row")
        values = np.stack([initial_values(row, problem.grid) for row in rows])
    else:
        values = initial_values(u0, problem.grid)
    scale = max(1.0, float(np.abs(values).max()))
    pending: list[SolverWarning] = []
    for node, value in problem.fixed_values().items():
        worst = float(np.abs(values[..., node] - value).max())
        if worst > 1e-9 * scale:
            first = float(np.ravel(values[..., node])[0])
            initial = first if values.ndim == 1 else worst
            pending.append(BoundaryValueWarning(
                f"initial value {initial:.6g} "
                f"{'at' if values.ndim == 1 else 'off (largest difference over the batch) at'} "
                f"node {node} (x = {problem.grid.x[node]:g}) differs from the boundary value "
                f"{value:.6g}; the boundary value is imposed",
                node=node, x=float(problem.grid.x[node]), initial=initial, boundary=value))
        values[..., node] = value
    return values, pending


def solve(
    problem: Problem,
    u0: Any,
    t_final: float,
    *,
    stepper: str | ButcherTableau = "rk4",
    dt: float | None = None,
    courant: float | None = None,
    save_times: Sequence[float] | None = None,
    save_every: float | None = None,
    progress: bool | ProgressCallback | None = None,
    allow_unstable: bool = False,
    safety: float = 0.9,
    blowup_factor: float = 1e6,
    check_every: int = 10,
    kernel: KernelFactory | str | None = None,
    allow_long: bool = False,
) -> Solution:
    """Integrate ``problem`` from ``u0`` at t = 0 to ``t_final``.

    Args:
        problem: An :class:`~solvers.problems.Advection`, :class:`~solvers.problems.Heat` or
            :class:`~solvers.problems.AdvectionDiffusion`.
        u0: A function of x, or an array of grid values; or a 2-D array, one initial
            condition per row (an ensemble, advanced together: snapshots then have shape
            ``(times, rows, n)`` and blow-up is checked row by row). On a bounded grid the
            fixed boundary values are imposed (with a warning if ``u0`` disagrees).
        t_final: Final time (> 0); the run lands on it exactly.
        stepper: A stepper name (see :func:`~solvers.tableaux.stepper_names`) or tableau.
        dt: Time step; ``None`` picks ``safety`` times the stability limit.
        courant: Instead of ``dt``: a Courant number ``a dt / h`` (advection) or a
            diffusion number ``nu dt / h**2`` (heat, advection-diffusion).
        save_times: Extra times in (0, t_final] to save (0 and t_final are always saved).
        save_every: Instead of ``save_times``: save every this much time.
        progress: True prints progress on stderr; a callable ``f(step, t, t_final)`` is
            called about twice a second and at the end.
        allow_unstable: Run even with a dt beyond the stability limit.
        safety: Fraction of the limit used when ``dt`` is None.
        blowup_factor: Stop when the L2 norm exceeds this times the initial norm.
        check_every: Steps between blow-up checks (an unforced nonlinear run is checked every
            step: see :mod:`solvers.monitor`).
        allow_long: Run even when the estimated work exceeds ``LONG_RUN_UPDATES`` point
            updates (snapshots that do not fit in memory are refused regardless).
        kernel: A kernel factory ``f(discretization, tableau) -> Kernel`` to use instead of
            the registered ones, or a name: ``"auto"`` (default: the compiled kernel when
            numba is importable and ``LEARNED_OPS_NO_JIT`` is unset, else NumPy),
            ``"numpy"`` (the NumPy kernel, always) or ``"numba"`` (the compiled kernel, or
            an error saying why it is unavailable). Results agree to round-off.

    Returns:
        A :class:`~solvers.solution.Solution`.

    Raises:
        UnstableTimeStepError: dt beyond the stability limit (message names limit and reason).
        NoStableTimeStepError: No stable dt exists for this operator and stepper.
        BlowUpError: The solution became non-finite or grew beyond ``blowup_factor``.
        WorkTooLargeError: The run cannot finish: its snapshots exceed memory, or its work
            is beyond ``LONG_RUN_UPDATES`` without ``allow_long``.
        ScheduleError, InitialConditionError, StepperError: Bad arguments.
    """
    started = time.perf_counter()
    t_final = positive_time("t_final", t_final)
    if isinstance(safety, bool) or not isinstance(safety, (int, float)) or not (
        0.0 < safety <= 1.0
    ):
        raise ScheduleError(f"safety must be a number in (0, 1], got {safety!r}")
    if isinstance(blowup_factor, bool) or not isinstance(blowup_factor, (int, float)) or not (
        math.isfinite(blowup_factor) and blowup_factor > 1.0
    ):
        raise ScheduleError(f"blowup_factor must be a finite number > 1, got {blowup_factor!r}")
    if isinstance(check_every, bool) or not isinstance(check_every, int) or check_every < 1:
        raise ScheduleError(f"check_every must be an integer >= 1, got {check_every!r}")
    tableau = get_tableau(stepper)
    times = save_schedule(t_final, save_times, save_every)
    # Linear problems: warnings, limit and discretization remembered by value (prepared.py)
    setup = prepare(problem, tableau, operator_warnings) if cacheable(problem) else None
    messages = setup.messages if setup is not None else operator_warnings(problem)
    issued: list[SolverWarning] = [InconsistentOperatorWarning(message) for message in messages]
    for warning in issued:
        warnings.warn(warning, stacklevel=2)
    state, pending = _initial_state(problem, u0)  # each kind its own SolverWarning subclass
    problem = problem.for_state(state, t_final)
    limit = setup.limit if setup is not None else stability_limit(problem, tableau)
    dt_max, beyond = _choose_dt(problem, limit, t_final, dt, courant, allow_unstable, safety)
    pending += beyond
    check_work(problem, state, times, dt_max, len(tableau.b), allow_long)
    if limit.growth_rate > 0.0:
        where = ("the operator's boundary closures make" if limit.growth_source == "closure"
                 else "the operator is slightly anti-dissipative, so")
        pending.append(GrowingModeWarning(
            f"{where} the semi-discrete system grow: an "
            f"eigenvalue has real part {limit.growth_rate:.4g} > 0 (e-folding time "
            f"{1.0 / limit.growth_rate:.4g}); expect growth like exp({limit.growth_rate:.3g} t), "
            "whatever the time step",
            growth_rate=limit.growth_rate, source=limit.growth_source))
    for warning in pending:
        issued.append(warning)
        warnings.warn(warning, stacklevel=2)
    disc = setup.disc if setup is not None else discretize(problem)
    runner = make_runner(kernel, disc, tableau)
    batch = state.ndim == 2
    if batch and not getattr(runner, "batched", False):
        runner = RowByRow(runner)
    runner.load(state)
    checked = getattr(runner, "advance_checked", None)
    # Check intervals per compiled call, sized by work so that a call stays short at any n.
    # On huge grids even one interval of check_every steps is too long: check more often.
    per_step = max(1, state.size * len(tableau.b))
    interval = min(check_every, max(1, POINTS_PER_CALL // per_step))
    calls_per_chunk = max(1, min(CHECKS_PER_CALL, POINTS_PER_CALL // (per_step * interval)))
    grid = problem.grid
    monitor = InvariantMonitor(problem, state)
    # A front can steepen past the grid within a few steps: a watched run checks every step,
    # inside the compiled loop where the kernel can (advance_watched), else from here.
    watched = getattr(runner, "advance_watched", None) if monitor.active else None
    if watched is not None:
        runner.h = grid.h
        limits = monitor.limits()
        watch_chunk = max(1, POINTS_PER_CALL // per_step)
    elif monitor.active:
        interval = check_every = calls_per_chunk = MONITORED_CHECK_EVERY
    snapshots = np.empty((times.size, *state.shape))
    snapshots[0] = state
    norms0 = np.sqrt(grid.h * row_squares(state))
    ceilings = blowup_factor * np.where(norms0 > 0.0, norms0, 1.0)
    with np.errstate(over="ignore"):
        ceiling2 = ceilings * ceilings / grid.h
    report = Progress(progress, t_final)
    steps, dt_used = 0, 0.0

    def info(wall: float) -> SolveInfo:
        margin = limit.dt / dt_used if dt_used > 0 else math.inf
        return SolveInfo(steps, dt_used, limit.dt, margin, problem.number_for_dt(dt_used),
                         limit.number_name, tableau.name, getattr(runner, "name", "kernel"),
                         wall, tuple(str(w) for w in issued), limit, tuple(issued))

    for k in range(1, times.size):
        t0, t1 = float(times[k - 1]), float(times[k])
        count = max(1, math.ceil((t1 - t0) / dt_max * (1.0 - 1e-12)))
        h_t = (t1 - t0) / count
        dt_used = max(dt_used, h_t)
        done = 0
        while done < count:
            if watched is not None:  # invariants and norm after every step, compiled
                chunk = min(watch_chunk, count - done)
                taken, sq_rows, largest = watched(t0 + done * h_t, h_t, chunk, ceiling2, limits)
                monitor.record_maximum(largest, t0 + (done + taken) * h_t)
            elif checked is not None:  # checks every check_every steps inside compiled code
                chunk = min(interval * calls_per_chunk, count - done)
                taken, sq_rows = checked(t0 + done * h_t, h_t, chunk, interval, ceiling2)
                if taken == chunk:
                    sq_rows = row_squares(runner.state)
            else:
                taken = chunk = min(check_every, count - done)
                runner.advance(t0 + done * h_t, h_t, chunk)
                sq_rows = row_squares(runner.state)
            done += taken
            steps += taken
            bad = np.flatnonzero(~(sq_rows <= ceiling2))
            if bad.size:
                row = int(bad[0])
                sq = float(sq_rows[row])
                norm0 = float(norms0[row])
                now = t0 + done * h_t
                norm = math.sqrt(grid.h * sq) if math.isfinite(sq) else sq
                partial = Solution(times[:k], grid.x, snapshots[:k].copy(),
                                   info(time.perf_counter() - started), problem, complete=False)
                what = "non-finite values" if not math.isfinite(sq) else "runaway growth"
                member = f" (batch row {row})" if batch else ""
                raise BlowUpError(
                    f"the solution{member} blew up ({what}) at step {steps}, t = {now:.6g}: L2 "
                    f"norm {norm:.4g} vs initial {norm0:.4g} (limit {blowup_factor:g}x); dt = "
                    f"{h_t:.6g}, stability limit dt = {limit.dt:.6g} ({limit.reason}); the "
                    f"partial solution up to t = {times[k - 1]:.6g} is attached",
                    step=steps, time=now, norm=norm, partial=partial,
                )
            failure = monitor.check(runner.state, t0 + done * h_t)
            if failure is not None:
                now = t0 + done * h_t
                partial = Solution(times[:k], grid.x, snapshots[:k].copy(),
                                   info(time.perf_counter() - started), problem, complete=False)
                sq = float(row_squares(runner.state)[failure.row])
                raise SchemeFailureError(
                    monitor.explain(failure, now, f" (batch row {failure.row})" if batch else ""),
                    step=steps, time=now, norm=math.sqrt(grid.h * sq), partial=partial,
                    measure=failure.measure, value=failure.value, initial=failure.initial)
            report(steps, t0 + done * h_t)
        snapshots[k] = runner.state
    report(steps, t_final, force=True)
    growth = monitor.growth_message()
    if growth is not None:
        issued.append(MaximumPrincipleWarning(growth, growth=monitor.largest_growth,
                                              time=monitor.largest_growth_time))
        warnings.warn(issued[-1], stacklevel=2)
    return Solution(times, grid.x, snapshots, info(time.perf_counter() - started), problem)
