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
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
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
    NoStableTimeStepError,
    ScheduleError,
    SolverWarning,
    StepperError,
    UnstableTimeStepError,
    WorkTooLargeError,
)
from solvers.initial_conditions import initial_values
from solvers.kernels import (
    Kernel,
    KernelFactory,
    LinearRhs,
    RungeKuttaKernel,
    make_kernel,
    sum_of_squares,
)
from solvers.operators import ComposedOperator, consistency_problem
from solvers.problems import Problem
from solvers.solution import Solution, SolveInfo
from solvers.stability import StabilityLimit, stability_limit
from solvers.tableaux import ButcherTableau, get_tableau

__all__ = ["operator_warnings", "solve"]

KERNEL_NAMES = ("auto", "numpy", "numba")
"""String values of ``solve(kernel=...)``."""
CHECKS_PER_CALL = 256
"""A kernel with ``advance_checked`` (blow-up checks in compiled code) runs up to this many
check intervals per call, so Python's per-call cost is spread over many steps."""
DT_TOLERANCE = 1e-8
"""A dt up to (1 + this) times the limit is accepted (the limit is computed to round-off)."""
POINTS_PER_CALL = 20_000_000
"""Point-stage updates per compiled call (about 0.02-0.1 s here), so Ctrl-C and progress
respond promptly at any grid size."""
LONG_RUN_UPDATES = 2e12
"""Point-stage updates above which a run is refused unless ``allow_long=True`` (at the ~1e9
updates/s the compiled kernels reach here, over half an hour)."""
MAX_SAVED_TIMES = 10_000_000
"""Most saved times a schedule may ask for (each one is a snapshot of the whole state)."""
SNAPSHOT_MEMORY_SHARE = 0.5
"""Largest share of the machine's memory the saved snapshots may take."""
ProgressCallback = Callable[[int, float, float], None]


def _positive_time(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ScheduleError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if not (math.isfinite(result) and result > 0.0):
        raise ScheduleError(f"{name} must be finite and > 0, got {result!r}")
    return result


def _schedule(t_final: float, save_times: Sequence[float] | None,
              save_every: float | None) -> np.ndarray:
    """Saved times: 0, the requested ones, and t_final (sorted, unique)."""
    if save_times is not None and save_every is not None:
        raise ScheduleError("give save_times or save_every, not both")
    targets: list[float] = []
    if save_every is not None:
        every = _positive_time("save_every", save_every)
        count = math.floor(t_final / every * (1 + 1e-12))
        if count > MAX_SAVED_TIMES:
            raise WorkTooLargeError(
                f"save_every = {every:g} up to t_final = {t_final:g} asks for {count:.3g} "
                f"snapshots (at most {MAX_SAVED_TIMES:,}); save less often or give save_times"
            )
        targets = [k * every for k in range(1, count + 1)]
    elif save_times is not None:
        try:
            arr = np.asarray(save_times, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise ScheduleError(f"save times must be numbers, got {save_times!r}") from None
        if not np.isfinite(arr).all() or np.any(arr < 0.0) or np.any(arr > t_final * (1 + 1e-12)):
            raise ScheduleError(
                f"save times must lie in [0, t_final = {t_final:g}], got {arr.tolist()}"
            )
        targets = arr.tolist()
    times = np.unique(np.clip(np.array([0.0, *targets, t_final]), 0.0, t_final))
    # Merge times closer than round-off (e.g. 3 * 0.1 vs 0.3).
    keep = np.concatenate([[True], np.diff(times) > 1e-12 * max(1.0, t_final)])
    times = times[keep]
    times[-1] = t_final
    return times


def operator_warnings(problem: Problem) -> list[str]:
    """One message per inconsistent operator of the problem (composites: per factor)."""
    messages = []
    for _, op in problem.terms():
        parts = [op.outer, op.inner] if isinstance(op, ComposedOperator) else []
        found = [m for m in (consistency_problem(p) for p in parts) if m]
        if not found:
            message = consistency_problem(op)
            found = [message] if message else []
        messages.extend(found)
    return messages


def _choose_dt(problem: Problem, limit: StabilityLimit, t_final: float, dt: float | None,
               courant: float | None, allow_unstable: bool, safety: float,
               pending: list[SolverWarning]) -> float:
    if dt is not None and courant is not None:
        raise ScheduleError("give dt or courant, not both")
    if courant is not None:
        dt = problem.dt_for_number(_positive_time("courant", courant))
    if not limit.stable and not (allow_unstable and dt is not None):
        raise NoStableTimeStepError(
            f"no stable time step for {problem.equation} with {limit.stepper}: {limit.reason}"
            + ("" if dt is None else " (pass allow_unstable=True to run anyway)"),
            limit=limit,
        )
    if dt is None:
        return t_final if math.isinf(limit.dt) else safety * limit.dt
    dt = _positive_time("dt", dt)
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
        pending.append(BeyondStabilityLimitWarning(
            "running beyond the stability limit on request: " + message, dt=dt,
            limit_dt=limit.dt, reason=limit.reason))
    return dt


def _initial_state(problem: Problem, u0: Any, pending: list[SolverWarning]) -> np.ndarray:
    if not callable(u0) and np.ndim(u0) == 2:  # a batch: one initial condition per row
        rows = np.asarray(u0)
        if rows.shape[0] == 0:
            raise InitialConditionError("a batch of initial conditions needs at least one row")
        values = np.stack([initial_values(row, problem.grid) for row in rows])
    else:
        values = initial_values(u0, problem.grid)
    scale = max(1.0, float(np.abs(values).max()))
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
    return values


class _RowByRow:
    """Runs a one-field kernel over a batch, row after row (the NumPy path for ensembles)."""

    batched = True

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.name = getattr(kernel, "name", "kernel")
        self._rows = np.zeros((0, 0))

    @property
    def state(self) -> np.ndarray:
        return self._rows

    def load(self, u: np.ndarray) -> None:
        self._rows = np.array(u, dtype=np.float64, ndmin=2)

    def advance(self, t: float, dt: float, steps: int) -> None:
        for row in self._rows:
            self.kernel.load(row)
            self.kernel.advance(t, dt, steps)
            row[...] = self.kernel.state


def _row_squares(u: np.ndarray) -> np.ndarray:
    """Sum of squares per row (inf or nan on blow-up, without float warnings)."""
    if u.ndim == 1:
        return np.array([sum_of_squares(u)])
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return np.einsum("ij,ij->i", u, u)


def _make_runner(kernel: KernelFactory | str | None, disc: Any,
                 tableau: ButcherTableau) -> Kernel:
    if kernel is None or kernel == "auto":
        return make_kernel(disc, tableau)
    if kernel == "numpy":
        return RungeKuttaKernel(LinearRhs(disc), tableau)
    if kernel == "numba":
        from solvers.fast_kernels import _failure, fast_kernel_factory, jit_disabled

        runner = fast_kernel_factory(disc, tableau)
        if runner is None:
            why = ("LEARNED_OPS_NO_JIT is set" if jit_disabled() else
                   _failure or "this discretization's layout is not supported")
            raise StepperError(f"the compiled kernel is not available: {why}")
        return runner
    if isinstance(kernel, str):
        raise StepperError(f"unknown kernel {kernel!r}; valid names: {', '.join(KERNEL_NAMES)}")
    return kernel(disc, tableau) or make_kernel(disc, tableau)


class _Progress:
    def __init__(self, progress: bool | ProgressCallback | None, t_final: float) -> None:
        self.callback: ProgressCallback | None
        if progress is True:
            self.callback = self._print
        elif callable(progress):
            self.callback = progress
        else:
            self.callback = None
        self.t_final = t_final
        self.last = time.perf_counter()
        self.quiet_end = progress is True  # the default printer skips a lone final line

    @staticmethod
    def _print(step: int, t: float, t_final: float) -> None:
        print(f"step {step}: t = {t:.6g} / {t_final:.6g} ({100 * t / t_final:.0f}%)",
              file=sys.stderr, flush=True)

    def __call__(self, step: int, t: float, *, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.perf_counter()
        if (force and not self.quiet_end) or now - self.last >= 0.5:
            self.last = now
            self.quiet_end = False
            self.callback(step, t, self.t_final)


def _machine_memory() -> float:
    """Physical memory in bytes (inf where the platform does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return math.inf


def _check_work(problem: Problem, state: np.ndarray, times: np.ndarray, dt_max: float,
                stages: int, allow_long: bool) -> None:
    """Refuse, before any step, what cannot finish: snapshots beyond memory, or (unless
    ``allow_long``) more point-stage updates than ``LONG_RUN_UPDATES``."""
    snapshot_bytes = float(times.size) * state.size * 8.0
    memory = _machine_memory()
    if snapshot_bytes > SNAPSHOT_MEMORY_SHARE * memory:
        raise WorkTooLargeError(
            f"the {times.size:,} saved snapshots of {state.size:,} values need "
            f"{snapshot_bytes / 2**30:.3g} GiB, more than half this machine's "
            f"{memory / 2**30:.3g} GiB; save fewer times (save_every / save_times) or use a "
            "smaller grid or batch"
        )
    steps = float(times[-1]) / dt_max if dt_max > 0 else math.inf
    updates = steps * state.size * stages
    if updates > LONG_RUN_UPDATES and not allow_long:
        raise WorkTooLargeError(
            f"this run needs about {steps:.3g} steps of {state.size:,} points with a "
            f"{stages}-stage method ({updates:.3g} point updates; at about 1e9 per second, "
            f"{updates / 1e9 / 3600:.3g} hours); use a larger dt, a shorter t_final or a "
            f"smaller grid ({problem.number_name} {problem.number_for_dt(dt_max):.3g}), or pass "
            "allow_long=True to run it anyway"
        )


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
        check_every: Steps between blow-up checks.
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
    t_final = _positive_time("t_final", t_final)
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
    times = _schedule(t_final, save_times, save_every)
    notes = operator_warnings(problem)
    for message in notes:
        warnings.warn(InconsistentOperatorWarning(message), stacklevel=2)
    pending: list[SolverWarning] = []  # each kind its own SolverWarning subclass
    state = _initial_state(problem, u0, pending)
    limit = stability_limit(problem, tableau)
    dt_max = _choose_dt(problem, limit, t_final, dt, courant, allow_unstable, safety, pending)
    _check_work(problem, state, times, dt_max, len(tableau.b), allow_long)
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
        notes.append(str(warning))
        warnings.warn(warning, stacklevel=2)
    disc = discretize(problem)
    runner = _make_runner(kernel, disc, tableau)
    batch = state.ndim == 2
    if batch and not getattr(runner, "batched", False):
        runner = _RowByRow(runner)
    runner.load(state)
    checked = getattr(runner, "advance_checked", None)
    # Check intervals per compiled call, sized by work so that a call stays short at any n.
    # On huge grids even one interval of check_every steps is too long: check more often.
    per_step = max(1, state.size * len(tableau.b))
    interval = min(check_every, max(1, POINTS_PER_CALL // per_step))
    calls_per_chunk = max(1, min(CHECKS_PER_CALL, POINTS_PER_CALL // (per_step * interval)))
    grid = problem.grid
    snapshots = np.empty((times.size, *state.shape))
    snapshots[0] = state
    norms0 = np.sqrt(grid.h * _row_squares(state))
    ceilings = blowup_factor * np.where(norms0 > 0.0, norms0, 1.0)
    with np.errstate(over="ignore"):
        ceiling2 = ceilings * ceilings / grid.h
    report = _Progress(progress, t_final)
    steps, dt_used = 0, 0.0

    def info(wall: float) -> SolveInfo:
        margin = limit.dt / dt_used if dt_used > 0 else math.inf
        return SolveInfo(steps, dt_used, limit.dt, margin, problem.number_for_dt(dt_used),
                         limit.number_name, tableau.name, getattr(runner, "name", "kernel"),
                         wall, tuple(notes), limit)

    for k in range(1, times.size):
        t0, t1 = float(times[k - 1]), float(times[k])
        count = max(1, math.ceil((t1 - t0) / dt_max * (1.0 - 1e-12)))
        h_t = (t1 - t0) / count
        dt_used = max(dt_used, h_t)
        done = 0
        while done < count:
            if checked is not None:  # checks every check_every steps inside compiled code
                chunk = min(interval * calls_per_chunk, count - done)
                taken, sq_rows = checked(t0 + done * h_t, h_t, chunk, interval, ceiling2)
                if taken == chunk:
                    sq_rows = _row_squares(runner.state)
            else:
                taken = chunk = min(check_every, count - done)
                runner.advance(t0 + done * h_t, h_t, chunk)
                sq_rows = _row_squares(runner.state)
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
            report(steps, t0 + done * h_t)
        snapshots[k] = runner.state
    report(steps, t_final, force=True)
    return Solution(times, grid.x, snapshots, info(time.perf_counter() - started), problem)
