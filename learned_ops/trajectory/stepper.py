"""Differentiable explicit Runge-Kutta stepping of a periodic problem in TensorFlow (float64).

The NumPy solver (:mod:`solvers.rhs`, :mod:`solvers.kernels`) advances
``du/dt = L u + sum_fluxes (alpha D(u**2) + beta u D(u)) + f(x, t)`` with dimensional weights;
here the same right-hand side is written with TensorFlow ops so that a trajectory is a
differentiable function of the stencils' *dimensionless* coefficients. Each term of the
problem's :class:`~solvers.terms.RightHandSide` is one slot:

- a :class:`LinearSlot` per linear term: ``scale * sum_j c_j u[i + o_j]`` with
  ``scale = coefficient * h**-m`` (as in :func:`solvers.discretization.discretize`);
- a :class:`FluxSlot` per flux term: ``alpha D(u**2) + beta u D(u)`` with ``D``'s weights
  ``c_j / h`` and ``(alpha, beta)`` from :func:`solvers.terms.flux_weights`.

Any slot's coefficients may be replaced by a tensor (a ``tf.Variable`` or a function of one,
e.g. ``base + basis @ theta``), and its offsets with :meth:`TrajectorySystem.with_offsets`.
States may carry leading batch axes; the grid is the last axis. This module imports
TensorFlow: load it only when training runs (``import learned_ops`` never does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from learned_ops.training.environment import _silenced_stderr, _tensorflow_environment

_tensorflow_environment()
with _silenced_stderr(True):
    import tensorflow as tf

from solvers.operators import stencil_data  # noqa: E402
from solvers.problems import Problem  # noqa: E402
from solvers.tableaux import ButcherTableau, get_tableau  # noqa: E402
from solvers.terms import flux_weights  # noqa: E402

__all__ = [
    "FluxSlot",
    "ForcingBatch",
    "LinearSlot",
    "TrajectorySystem",
    "rk_step",
    "rollout",
    "system_from_problem",
    "tendency",
]

Coefficients = Sequence[Any] | None
"""One coefficient vector (array, tensor or variable) per slot, linear slots first; None: the
problem's own stencils."""


@dataclass(frozen=True, eq=False)
class LinearSlot:
    """``scale * sum_j c_j u[i + o_j]``: one linear term.

    Attributes:
        offsets: Stencil offsets.
        derivative_order: m.
        scale: The physical coefficient times ``h**-m``.
        coefficients: The problem's dimensionless coefficients (the default).
    """

    offsets: tuple[int, ...]
    derivative_order: int
    scale: float
    coefficients: np.ndarray


@dataclass(frozen=True, eq=False)
class FluxSlot:
    """``alpha D(u**2) + beta u D(u)`` with ``D u = (1/h) sum_j c_j u[i + o_j]``.

    Attributes:
        offsets: Offsets of D.
        scale: ``1/h``.
        alpha: Weight of ``D(u**2)`` (the physical coefficient folded in).
        beta: Weight of ``u D(u)``.
        coefficients: The problem's dimensionless coefficients of D (the default).
    """

    offsets: tuple[int, ...]
    scale: float
    alpha: float
    beta: float
    coefficients: np.ndarray
    derivative_order: int = 1


@dataclass(frozen=True, eq=False)
class TrajectorySystem:
    """A periodic problem's right-hand side as slots, ready for TensorFlow.

    Attributes:
        n: Nodes.
        h: Grid spacing.
        linear: The linear slots.
        fluxes: The flux slots.
        forcing: A :class:`~solvers.forcing.TravellingWaves` or None.
        nodes: The grid's nodes.
    """

    n: int
    h: float
    linear: tuple[LinearSlot, ...]
    fluxes: tuple[FluxSlot, ...]
    forcing: Any
    nodes: np.ndarray

    @property
    def slots(self) -> tuple[LinearSlot | FluxSlot, ...]:
        """Linear slots, then flux slots: the order coefficient lists follow."""
        return (*self.linear, *self.fluxes)

    def default_coefficients(self) -> list[np.ndarray]:
        """The problem's own coefficients, one vector per slot."""
        return [slot.coefficients for slot in self.slots]

    def with_offsets(self, index: int, offsets: Sequence[int],
                     coefficients: np.ndarray | None = None) -> TrajectorySystem:
        """The system with slot ``index`` on new offsets (a learned stencil's).

        Raises:
            ValueError: If the coefficients do not match the offsets.
        """
        offsets = tuple(int(o) for o in offsets)
        values = np.zeros(len(offsets)) if coefficients is None else np.asarray(
            coefficients, dtype=np.float64)
        if values.shape != (len(offsets),):
            raise ValueError(f"need {len(offsets)} coefficients for offsets {list(offsets)}")
        slot = replace(self.slots[index], offsets=offsets, coefficients=values)
        if index < len(self.linear):
            linear = list(self.linear)
            linear[index] = slot
            return replace(self, linear=tuple(linear))
        fluxes = list(self.fluxes)
        fluxes[index - len(self.linear)] = slot
        return replace(self, fluxes=tuple(fluxes))

    @property
    def ghosts(self) -> tuple[int, int]:
        """Wrap-around nodes needed on the left and the right."""
        left = max([0, *(-min(s.offsets) for s in self.slots)])
        right = max([0, *(max(s.offsets) for s in self.slots)])
        return left, right


@dataclass(frozen=True, eq=False)
class ForcingBatch:
    """One :class:`~solvers.forcing.TravellingWaves` per batch row (states of shape
    ``(rows, n)``): the forcings of trajectories from different seeds and start times, stepped
    together. Every member needs the same number of waves.

    Attributes:
        waves: The forcings, one per row.
    """

    waves: tuple[Any, ...]

    def __post_init__(self) -> None:
        counts = {w.amplitudes.size for w in self.waves}
        if len(counts) != 1:
            raise ValueError(f"the forcings of a batch need the same number of waves, got "
                             f"{sorted(counts)}")

    def tables(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``sin(k x)`` and ``cos(k x)`` per row: two arrays of shape (rows, waves, n)."""
        pairs = [w.tables(x) for w in self.waves]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])

    def coefficients(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """(a, b) per row at time ``t``: two arrays of shape (rows, waves) (as each member's
        :meth:`~solvers.forcing.TravellingWaves.coefficients`)."""
        amplitudes, frequencies, phases = self._stacked
        angle = frequencies * t + phases
        return amplitudes * np.cos(angle), amplitudes * np.sin(angle)

    @cached_property
    def _stacked(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return tuple(np.stack([getattr(w, name) for w in self.waves])
                     for name in ("amplitudes", "frequencies", "phases"))


def system_from_problem(problem: Problem) -> TrajectorySystem:
    """The slots of a periodic problem (Advection, Heat, AdvectionDiffusion, Burgers).

    A composed second derivative (a pair of first-derivative operators) is one slot with the
    composite stencil, as the solver merges it.

    Raises:
        ValueError: On a bounded grid (no boundary closures here).
    """
    grid = problem.grid
    if not grid.is_periodic:
        raise ValueError("trajectory stepping runs on periodic grids only")
    h = grid.h
    rhs = problem.right_hand_side()
    linear = []
    for term in rhs.linear:
        offsets, coefficients, order = stencil_data(term.operator)
        linear.append(LinearSlot(tuple(int(o) for o in offsets), order,
                                 float(term.coefficient) * h ** (-order), coefficients))
    fluxes = []
    for term in rhs.fluxes:
        offsets, coefficients, _ = stencil_data(term.operator)
        alpha, beta = flux_weights(term)
        fluxes.append(FluxSlot(tuple(int(o) for o in offsets), 1.0 / h, float(alpha),
                               float(beta), coefficients))
    return TrajectorySystem(grid.n, h, tuple(linear), tuple(fluxes), rhs.forcing,
                            np.asarray(grid.x, dtype=np.float64))


def _weights(system: TrajectorySystem, coefficients: Coefficients) -> list[tf.Tensor]:
    values = system.default_coefficients() if coefficients is None else list(coefficients)
    if len(values) != len(system.slots):
        raise ValueError(f"need {len(system.slots)} coefficient vectors (one per slot), "
                         f"got {len(values)}")
    out = []
    for slot, c in zip(system.slots, values, strict=True):
        c = tf.convert_to_tensor(c, dtype=tf.float64)
        if c.shape.rank != 1 or c.shape[0] != len(slot.offsets):
            raise ValueError(f"slot on offsets {list(slot.offsets)} needs "
                             f"{len(slot.offsets)} coefficients, got shape {c.shape}")
        out.append(c * slot.scale)
    return out


class _Tendency:
    """The right-hand side with the weights and forcing tables prepared once per rollout."""

    def __init__(self, system: TrajectorySystem, coefficients: Coefficients) -> None:
        self.system = system
        self.n = system.n
        self.left, self.right = system.ghosts
        if max(self.left, self.right) > self.n:
            raise ValueError(f"stencils reach {max(self.left, self.right)} nodes away on a "
                             f"grid of {self.n}")
        self.weights = _weights(system, coefficients)
        forcing = system.forcing
        self.batched = isinstance(forcing, ForcingBatch)
        self.forcing = None if forcing is None else tf.constant(
            np.concatenate(forcing.tables(system.nodes), axis=-2), tf.float64)
        # (2 waves, n); a ForcingBatch: (rows, 2 waves, n)

    def forcing_rows(self, times: np.ndarray) -> tf.Tensor | None:
        """The forcing's ``(a, b)`` at each time (NumPy's correctly rounded sin and cos;
        TensorFlow's float64 ones are off by up to ~1e-10 relative): shape
        (*times, 2 waves), or (*times, rows, 2 waves) for a :class:`ForcingBatch`."""
        forcing = self.system.forcing
        if forcing is None:
            return None
        times = np.asarray(times, dtype=np.float64)
        rows = [np.concatenate(forcing.coefficients(float(t)), axis=-1) for t in times.ravel()]
        return tf.constant(np.reshape(rows, (*times.shape, *np.shape(rows[0]))), tf.float64)

    def _pad(self, u: tf.Tensor) -> tf.Tensor:
        parts = []
        if self.left:
            parts.append(u[..., self.n - self.left:])
        parts.append(u)
        if self.right:
            parts.append(u[..., : self.right])
        return tf.concat(parts, axis=-1) if len(parts) > 1 else u

    def _apply(self, padded: tf.Tensor, offsets: tuple[int, ...], w: tf.Tensor) -> tf.Tensor:
        out = None
        for j, o in enumerate(offsets):
            start = self.left + o
            term = w[j] * padded[..., start : start + self.n]
            out = term if out is None else out + term
        return out

    def __call__(self, u: tf.Tensor, forcing_row: tf.Tensor | None) -> tf.Tensor:
        """du/dt with the forcing's ``(a, b)`` at the stage time (None without forcing)."""
        system = self.system
        padded = self._pad(u)
        out = tf.zeros_like(u)
        slots = system.slots
        for slot, w in zip(slots[: len(system.linear)], self.weights, strict=False):
            out = out + self._apply(padded, slot.offsets, w)
        padded_squares = None
        for slot, w in zip(slots[len(system.linear):], self.weights[len(system.linear):],
                           strict=True):
            if slot.alpha != 0.0:
                if padded_squares is None:
                    padded_squares = padded * padded
                out = out + slot.alpha * self._apply(padded_squares, slot.offsets, w)
            if slot.beta != 0.0:
                out = out + slot.beta * (u * self._apply(padded, slot.offsets, w))
        if self.forcing is not None and self.batched:
            out = out + tf.einsum("...bw,bwn->...bn", forcing_row, self.forcing)
        elif self.forcing is not None:
            out = out + tf.linalg.matvec(self.forcing, forcing_row, transpose_a=True)
        return out


def tendency(system: TrajectorySystem, u: Any, t: float = 0.0,
             coefficients: Coefficients = None) -> tf.Tensor:
    """``du/dt`` at state ``u`` (shape ``(..., n)``) and time ``t``."""
    f = _Tendency(system, coefficients)
    return f(tf.convert_to_tensor(u, tf.float64), f.forcing_rows(np.float64(t)))


def rk_step(f: Any, u: tf.Tensor, forcing_rows: tf.Tensor | None, dt: float,
            tableau: ButcherTableau) -> tf.Tensor:
    """One step of an explicit Runge-Kutta method for ``u' = f(u, forcing_row)``, with
    ``forcing_rows[i]`` the forcing at stage i's time (None without forcing)."""
    a, b = tableau.a, tableau.b
    stages: list[tf.Tensor] = []
    for i in range(tableau.stages):
        y = u
        for j in range(i):
            if a[i, j] != 0.0:
                y = y + (dt * float(a[i, j])) * stages[j]
        stages.append(f(y, None if forcing_rows is None else forcing_rows[i]))
    for j in range(tableau.stages):
        if b[j] != 0.0:
            u = u + (dt * float(b[j])) * stages[j]
    return u


def rollout(system: TrajectorySystem, u0: Any, dt: float, steps: int, *,
            stepper: str | ButcherTableau = "rk4", coefficients: Coefficients = None,
            t0: float = 0.0, every: int = 1) -> tf.Tensor:
    """Unroll ``steps`` steps of size ``dt`` from ``u0`` at time ``t0``.

    The steps run in a ``tf.while_loop`` (a small graph under ``tf.function`` whatever K is;
    gradients flow through it).

    Args:
        system: The slots (:func:`system_from_problem`).
        u0: Initial state(s), shape ``(..., n)``.
        dt: Time step.
        steps: K >= 0.
        stepper: A stepper name or tableau (:func:`solvers.tableaux.get_tableau`).
        coefficients: One dimensionless coefficient vector per slot (tensors or variables to
            differentiate with respect to); None: the problem's own stencils.
        t0: Start time (the forcing's clock).
        every: Keep every ``every``-th state.

    Returns:
        The states at steps 0, every, 2 every, ... <= K: shape ``(K // every + 1, ..., n)``.
        Step k is at time ``t0 + k dt``; stage i of step k at ``t0 + k dt + c_i dt`` (the
        solver's ``now = t + step * dt``).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
        raise ValueError(f"every must be an integer >= 1, got {every!r}")
    tableau = get_tableau(stepper)
    f = _Tendency(system, coefficients)
    u = tf.convert_to_tensor(u0, dtype=tf.float64)
    if u.shape[-1] != system.n:
        raise ValueError(f"states need {system.n} values on the last axis, got {u.shape}")
    steps, dt = int(steps), float(dt)
    if steps == 0:
        return u[tf.newaxis]
    stage_times = t0 + dt * (np.arange(steps)[:, None] + tableau.c[None, :])
    forcing = f.forcing_rows(stage_times)  # (K, s, 2 waves) or None
    states = tf.TensorArray(tf.float64, size=steps + 1, element_shape=u.shape)
    states = states.write(0, u)

    def body(k: tf.Tensor, u: tf.Tensor, states: tf.TensorArray) -> tuple[Any, ...]:
        rows = None if forcing is None else tf.gather(forcing, k)
        u = rk_step(f, u, rows, dt, tableau)
        return k + 1, u, states.write(k + 1, u)

    _, _, states = tf.while_loop(lambda k, u, states: k < steps, body,
                                 (tf.constant(0), u, states))
    return states.stack()[::every]
