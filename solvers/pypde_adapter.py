"""Our operators inside py-pde: a ``register_operator`` factory for periodic Cartesian grids.

py-pde registers operators per backend and grid class with a factory ``factory(grid,
**kwargs) -> op(arr, out)``; ``arr`` is the *full* array (one ghost cell on each side of every
axis) and ``out`` the valid part. A 5- or 7-point stencil reaches past one ghost cell, so the
operator made here ignores the ghost cells and wraps periodically itself (only periodic axes
are accepted). The implementation is plain NumPy that numba also compiles (py-pde compiles
operators with numba when a PDE is solved, even with ``backend="numpy"``).

Example:
    >>> import pde  # doctest: +SKIP
    >>> from solvers.pypde_adapter import register_operator
    >>> register_operator("learned-d1-c5-o2", "d_dx_learned")  # doctest: +SKIP
    >>> eq = pde.PDE({"u": "-d_dx_learned(u)"})  # u_t + u_x = 0 with the learned stencil
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from solvers.errors import OperatorError
from solvers.operators import operator_label, resolve_operator, stencil_data

__all__ = ["make_factory", "register_operator"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def _axes(axes: int | Sequence[int], dim: int) -> tuple[int, ...]:
    chosen = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
    if not chosen or any(not 0 <= int(a) < dim for a in chosen) or len(set(chosen)) != len(
            chosen):
        raise OperatorError(f"axes {axes!r} must name distinct axes of the {dim}-D grid "
                            f"(0..{dim - 1})")
    return tuple(int(a) for a in chosen)


def make_factory(operator: object, axes: int | Sequence[int] = 0) -> Callable[..., Any]:
    """A py-pde operator factory applying ``operator`` along ``axes`` (summed over them).

    Args:
        operator: An operator object (the protocol) or a spec string (a pretrained name, an
            operator file, ``fd:M:OFFSETS``).
        axes: The grid axis, or several (the result is the sum over them: a second
            derivative over all axes is the Laplacian).

    Returns:
        ``factory(grid, **kwargs) -> op(arr, out)`` for ``register_operator``.

    Raises:
        OperatorError: If the operator does not follow the protocol (raised at once), or
            (when py-pde calls the factory) the grid is not a periodic Cartesian grid along
            ``axes`` or has too few cells for the stencil.
    """
    operator = resolve_operator(operator, "py-pde operator")
    offsets, coefficients, order = stencil_data(operator, "py-pde operator")
    label = operator_label(operator)

    def factory(grid: Any, backend: Any = None,
                **kwargs: Any) -> Callable[[np.ndarray, np.ndarray], None]:
        if kwargs:  # py-pde passes its backend; our operator has no options
            raise OperatorError(f"{label}: no options are taken, got {sorted(kwargs)}")
        if type(grid).__name__ != "CartesianGrid":
            raise OperatorError(f"{label}: py-pde adapter supports CartesianGrid only, got "
                                f"{type(grid).__name__}")
        chosen = _axes(axes, grid.num_axes)
        shape = tuple(int(n) for n in grid.shape)
        for axis in chosen:
            if not grid.periodic[axis]:
                raise OperatorError(f"{label}: axis {axis} of the grid is not periodic; the "
                                    "adapter wraps periodically (use periodic=True)")
            if shape[axis] < int(offsets[-1] - offsets[0]) + 1:
                raise OperatorError(f"{label}: {shape[axis]} cells along axis {axis} are too "
                                    f"few for the stencil's span {offsets[-1] - offsets[0]}")
        return _make_op(offsets, coefficients, order, grid.discretization, shape, chosen)

    return factory


def _make_op(offsets: np.ndarray, coefficients: np.ndarray, order: int, spacing: Any,
             shape: tuple[int, ...], axes: tuple[int, ...]) -> Callable[..., None]:
    """``op(arr, out)`` on 1-D or 2-D full arrays (ghost cells ignored, periodic wrap)."""
    if len(shape) not in (1, 2):
        raise OperatorError(f"py-pde adapter supports 1-D and 2-D grids, got {len(shape)}-D")
    weights = [coefficients * float(spacing[a]) ** (-order) for a in (0, 1)[:len(shape)]]
    index = [np.array([(np.arange(n) + o) % n for o in offsets], dtype=np.int64)
             for n in shape]
    w0, i0 = weights[0], index[0]
    along0, along1 = 0 in axes, 1 in axes
    if len(shape) == 1:
        def op1(arr: np.ndarray, out: np.ndarray) -> None:
            valid = arr[1:-1]
            out[:] = 0.0
            for j in range(w0.size):
                out[:] += w0[j] * valid[i0[j]]

        return op1
    w1, i1 = weights[1], index[1]

    def op2(arr: np.ndarray, out: np.ndarray) -> None:
        valid = arr[1:-1, 1:-1]
        out[:] = 0.0
        if along0:
            for j in range(w0.size):
                out[:] += w0[j] * valid[i0[j], :]
        if along1:
            for j in range(w1.size):
                out[:] += w1[j] * valid[:, i1[j]]

    return op2


def register_operator(operator: object, name: str, *, axes: int | Sequence[int] = 0,
                      backends: Sequence[str] = ("numpy", "numba")) -> str:
    """Register ``operator`` in py-pde as ``name`` on :class:`pde.CartesianGrid`.

    Then ``pde.PDE({"u": f"... {name}(u) ..."})`` and ``field.apply_operator(name, ...)`` use
    it. py-pde must be installed (``pip install py-pde``).

    Args:
        operator: An operator object or a spec string (see :func:`make_factory`).
        name: The name in py-pde expressions (letters, digits, underscores; starts with a
            letter).
        axes: The axis or axes it acts along (see :func:`make_factory`).
        backends: The py-pde backends to register with (py-pde makes a PDE's operators with
            its numba backend even for ``backend="numpy"``).

    Returns:
        ``name``.

    Raises:
        OperatorError: A bad name, operator or backend, or py-pde not installed.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise OperatorError(f"py-pde operator name {name!r} must be an identifier (letters, "
                            "digits and underscores, starting with a letter), e.g. "
                            "d_dx_learned")
    factory = make_factory(operator, axes)
    try:
        import pde
        from pde.backends import backend_registry
    except ImportError:
        raise OperatorError("the py-pde adapter needs py-pde: pip install py-pde") from None
    for backend in backends:
        if backend not in backend_registry:
            raise OperatorError(f"unknown py-pde backend {backend!r}; available: "
                                f"{', '.join(sorted(backend_registry))}")
        cls = type(backend_registry.get_backend(backend))
        cls.register_operator(pde.CartesianGrid, name, factory)
    return name
