"""solvers: explicit time-steppers for advection and heat with swappable derivative operators.

Depends only on the operator protocol (offsets, coefficients, derivative_order, accuracy_order,
``__call__(u, h, boundary=..., axis=...)``, ``matrix(n, h, boundary)``, ``symbol(theta)``);
never on TensorFlow.
"""

from __future__ import annotations

__all__: list[str] = []
