"""Between Keras and :class:`~learned_ops.stencil.Stencil` (imports TensorFlow lazily).

* :func:`stencil_from_keras` reads a trained :class:`~learned_ops.training.layer.StencilLayer`,
  a bias-free single-filter ``Conv1D`` (the seed's layer), or a model holding exactly one of
  them, and returns the dimensionless stencil ``c = w * dx**m``.
* :func:`keras_layer_from_stencil` builds a trainable ``StencilLayer`` starting at a stencil.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from learned_ops.errors import TrainingError
from learned_ops.stencil import Stencil

__all__ = ["keras_layer_from_stencil", "stencil_from_keras"]


def _find_layer(obj: Any) -> Any:
    import keras

    from learned_ops.training.layer import StencilLayer

    if isinstance(obj, (StencilLayer, keras.layers.Conv1D)):
        return obj
    if isinstance(obj, keras.Model):
        found = [layer for layer in obj.layers
                 if isinstance(layer, (StencilLayer, keras.layers.Conv1D))]
        if len(found) != 1:
            raise TrainingError(
                f"model {obj.name!r} has {len(found)} stencil/Conv1D layers; pass the layer itself"
            )
        return found[0]
    raise TrainingError(
        f"expected a StencilLayer, a Conv1D layer or a model containing one, got {type(obj)!r}"
    )


def stencil_from_keras(
    obj: Any, dx: float | None = None, *, offsets: Sequence[int] | None = None,
    derivative_order: int | None = None, name: str = "",
) -> Stencil:
    """The dimensionless stencil of a trained Keras layer or model.

    Args:
        obj: A ``StencilLayer``, a ``Conv1D(filters=1, use_bias=False)`` or a model with one.
        dx: Training grid spacing (taken from a ``StencilLayer`` when omitted).
        offsets: Offsets of the kernel taps; required for ``Conv1D`` (whose output k reads
            u[k .. k + K - 1]; e.g. (0, 1) forward, (-1, 0) backward, (-1, 0, 1) central).
        derivative_order: m (taken from a ``StencilLayer``; default 1 for ``Conv1D``).
        name: Name for the stencil.
    """
    from learned_ops.training.layer import StencilLayer

    layer = _find_layer(obj)
    if isinstance(layer, StencilLayer):
        given = {"dx": (dx, layer.dx), "offsets": (None if offsets is None else tuple(offsets),
                                                   tuple(layer.offsets)),
                 "derivative_order": (derivative_order, layer.derivative_order)}
        for what, (value, own) in given.items():
            if value is not None and value != own:
                raise TrainingError(
                    f"this StencilLayer was built with {what} = {own!r}; got {value!r}. Leave "
                    f"{what} out: the layer knows it"
                )
        spacing, m = layer.dx, layer.derivative_order
        kernel = np.asarray(layer.kernel().numpy(), dtype=np.float64)
        taps = tuple(layer.offsets)
    else:
        if layer.use_bias or layer.filters != 1:
            raise TrainingError("only a bias-free single-filter Conv1D is a stencil")
        if tuple(layer.strides) != (1,) or tuple(layer.dilation_rate) != (1,):
            raise TrainingError(
                f"Conv1D with strides {layer.strides} and dilation {layer.dilation_rate} is not "
                "a stencil on consecutive nodes; only strides=1, dilation_rate=1 are"
            )
        _check_dx(dx)
        if dx is None or offsets is None:
            raise TrainingError("a Conv1D layer needs dx and offsets (e.g. offsets=(0, 1))")
        spacing, m = float(dx), 1 if derivative_order is None else derivative_order
        kernel = np.asarray(layer.kernel.numpy(), dtype=np.float64).reshape(-1)
        taps = tuple(offsets)
        if len(taps) != kernel.size or taps != tuple(range(taps[0], taps[0] + kernel.size)):
            raise TrainingError(
                f"a Conv1D kernel of size {kernel.size} needs {kernel.size} consecutive "
                f"offsets, got {list(taps)}"
            )
    if len(taps) != kernel.size:
        raise TrainingError(f"{len(taps)} offsets for a kernel of {kernel.size} taps")
    return Stencil(taps, kernel * spacing**m, m, name=name or getattr(layer, "name", ""),
                   provenance={"method": "keras", "dx": spacing})


def _check_dx(dx: object) -> None:
    if dx is None:
        return
    if isinstance(dx, bool) or not isinstance(dx, (int, float, np.floating)) or not (
        np.isfinite(dx) and dx > 0
    ):
        raise TrainingError(f"dx must be a finite number > 0, got {dx!r}")


def keras_layer_from_stencil(stencil: Stencil, dx: float, **kwargs: Any) -> Any:
    """A trainable ``StencilLayer`` (free parameterisation) whose kernel starts at ``stencil``."""
    from learned_ops.training.layer import StencilLayer

    _check_dx(dx)
    if not isinstance(stencil, Stencil):
        raise TrainingError(f"expected a Stencil, got {type(stencil).__name__}")

    m = stencil.derivative_order
    taps = stencil.taps
    basis = (np.eye(taps) * float(dx) ** m).tolist()
    return StencilLayer(list(stencil.offsets), m, float(dx), [0.0] * taps, basis,
                        (stencil.coefficients / float(dx) ** m).tolist(), **kwargs)
