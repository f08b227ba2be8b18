"""The Keras stencil layer (imports Keras: load this module only when training).

``StencilLayer`` is the seed's bias-free linear ``Conv1D`` over arbitrary integer offsets, with
its kernel written as ``w = (base + basis @ theta) / dx**m``: with ``base = 0`` and
``basis = dx**m * I`` it is exactly the seed's free Conv1D kernel; with the null-space basis of
the moment conditions every value of ``theta`` (step 0 included) has the requested accuracy
order. Computation is float64 throughout (``dtype="float64"``; Keras widens float32 inputs to
float64 losslessly before ``call``; nothing is ever narrowed).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from learned_ops.errors import TrainingError

__all__ = ["StencilLayer"]


@keras.saving.register_keras_serializable(package="learned_ops")
class StencilLayer(keras.layers.Layer):
    """Valid cross-correlation of (batch, points) inputs with a parameterised stencil.

    Args:
        offsets: Strictly increasing integer offsets.
        derivative_order: m.
        dx: Training grid spacing.
        base: Dimensionless coefficients at theta = 0, one per offset.
        basis: (taps, dim) matrix mapping theta to dimensionless coefficients.
        initial_theta: Starting theta (default zeros), length dim.
        **kwargs: Passed to :class:`keras.layers.Layer` (``dtype`` must stay float64).
    """

    def __init__(
        self,
        offsets: list[int],
        derivative_order: int,
        dx: float,
        base: list[float],
        basis: list[list[float]],
        initial_theta: list[float] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("dtype", "float64")
        super().__init__(**kwargs)
        if self.dtype != "float64" or self.compute_dtype != "float64":
            raise TrainingError(
                f"StencilLayer computes in float64 only, got dtype {self.dtype}; leave dtype out"
            )
        self.offsets = [int(o) for o in offsets]
        self.derivative_order = int(derivative_order)
        self.dx = float(dx)
        self.base = [float(b) for b in base]
        self.basis = [[float(v) for v in row] for row in basis]
        dim = len(self.basis[0]) if self.basis else 0
        self.initial_theta = (
            [0.0] * dim if initial_theta is None else [float(t) for t in initial_theta]
        )
        if len(self.initial_theta) != dim:
            raise TrainingError(
                f"initial_theta needs {dim} values, got {len(self.initial_theta)}"
            )
        scale = self.dx ** (-self.derivative_order)
        self._base = tf.constant(np.asarray(self.base) * scale, dtype=tf.float64)
        self._basis = tf.constant(np.asarray(self.basis).reshape(len(self.offsets), dim) * scale,
                                  dtype=tf.float64)
        self.theta = self.add_weight(
            name="theta",
            shape=(dim,),
            dtype="float64",
            initializer=keras.initializers.Constant(np.asarray(self.initial_theta)),
            trainable=True,
        )

    def kernel(self) -> tf.Tensor:
        """The kernel w (units 1/dx**m), float64."""
        return self._base + tf.linalg.matvec(self._basis, self.theta)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        """Valid correlation: output k = sum_j w_j u[..., k + o_j - o_0].

        Accepts samples of shape (batch, points), computed as a sum of shifted slices (no copy
        of the windows), or the same data already cut into windows of shape (batch, L, taps)
        (see :meth:`windows`): a rank-3 input is always read as windows.
        """
        kernel = self.kernel()
        if inputs.shape.rank == 3:
            return tf.linalg.matvec(inputs, kernel)
        span = self.offsets[-1] - self.offsets[0]
        length = inputs.shape[-1] - span if inputs.shape[-1] is not None else (
            tf.shape(inputs)[-1] - span)
        out = None
        for tap, offset in enumerate(self.offsets):
            start = offset - self.offsets[0]
            term = kernel[tap] * inputs[..., start : start + length]
            out = term if out is None else out + term
        return out

    def windows(self, inputs: tf.Tensor) -> tf.Tensor:
        """(batch, points) samples -> (batch, points - span, taps) stencil windows."""
        span = self.offsets[-1] - self.offsets[0]
        frames = tf.signal.frame(inputs, span + 1, 1, axis=-1)
        if len(self.offsets) == span + 1:
            return frames
        return tf.gather(frames, [o - self.offsets[0] for o in self.offsets], axis=-1)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        """(batch, points - span)."""
        if len(input_shape) == 3:
            return tuple(input_shape[:2])
        points = input_shape[-1]
        span = self.offsets[-1] - self.offsets[0]
        return (*input_shape[:-1], None if points is None else points - span)

    def get_config(self) -> dict[str, Any]:
        """Every constructor argument (theta's current value is a weight, saved separately)."""
        config = super().get_config()
        config.update(
            offsets=self.offsets,
            derivative_order=self.derivative_order,
            dx=self.dx,
            base=self.base,
            basis=self.basis,
            initial_theta=self.initial_theta,
        )
        return config

    def dimensionless_coefficients(self) -> np.ndarray:
        """c = w * dx**m as float64 NumPy."""
        return np.asarray(self.kernel().numpy(), dtype=np.float64) * self.dx**self.derivative_order
