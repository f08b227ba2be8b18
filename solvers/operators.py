"""The operator protocol as ``solvers`` uses it, and what it derives from it.

An operator approximates the m-th derivative on a uniform grid with spacing ``h``::

    out[i] = h**(-m) * sum_j c[j] * u[i + offsets[j]]

``solvers`` reads only ``offsets``, ``coefficients`` and ``derivative_order`` (plus
``matrix(n, h, boundary)`` on bounded grids, for the operator's own boundary closures), so any
object that follows the protocol plugs in. Moments, symbol and consistency are computed here
from the offsets and coefficients; an operator's own ``is_consistent`` / ``leading_defect`` are
used for the explanation when it has them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from importlib.metadata import entry_points
from math import factorial
from typing import Any, Protocol, runtime_checkable

import numpy as np

from solvers.errors import OperatorError

__all__ = [
    "ComposedOperator",
    "OperatorLike",
    "compose",
    "consistency_problem",
    "operator_label",
    "operator_moments",
    "resolve_operator",
    "stencil_data",
    "symbol",
]

MOMENT_TOLERANCE = 4096.0
"""Allowed |mu_q - delta(q, m)| in units of the round-off bound eps * n * sum_j |c_j| |j|**q / q!
(as ``learned_ops.moments``)."""
_EPS = float(np.finfo(np.float64).eps)


@runtime_checkable
class OperatorLike(Protocol):
    """What ``solvers`` needs from a derivative operator."""

    offsets: Any
    coefficients: Any
    derivative_order: int


RESOLVER_GROUP = "solvers.operator_specs"
"""Entry-point group of the functions that turn a spec string into an operator.

``learned-ops`` registers :func:`learned_ops.resolve.resolve_operator` there (pretrained names,
operator files, ``fd:M:OFFSETS``); ``solvers`` itself imports no such package, it finds them
by entry point when it first meets a string."""


def _resolvers() -> list[Any]:
    return sorted(entry_points(group=RESOLVER_GROUP), key=lambda e: e.name)


def resolve_operator(operator: object, what: str = "operator") -> object:
    """The operator a spec names (a string or path); any other object unchanged.

    Strings and :class:`os.PathLike` objects go to the resolver installed under the entry
    point group :data:`RESOLVER_GROUP` (``learned-ops``: a pretrained name such as
    ``learned-d1-c5-o2``, a path to an operator file, or ``fd:M:OFFSETS`` such as
    ``fd:1:-1,0,1``; the same forms as the CLI). TensorFlow is not imported.

    Args:
        operator: An operator object, or its spec.
        what: The role of the operator, for the error message.

    Raises:
        OperatorError: If the spec names no operator (the resolver's message says why and
            lists the forms), or no resolver is installed.
    """
    if isinstance(operator, os.PathLike):
        operator = os.fspath(operator)
    if not isinstance(operator, str):
        return operator
    resolvers = _resolvers()
    if not resolvers:
        raise OperatorError(
            f"{what} {operator!r}: a spec string needs an operator resolver, and none is "
            f"installed (entry point group {RESOLVER_GROUP!r}); install learned-ops "
            "(pip install learned-ops, or pip install -e . in a checkout) or pass an operator "
            "object"
        )
    try:
        return resolvers[0].load()(operator)
    except ValueError as exc:  # the resolver's own errors (learned-ops': ValueError subclasses)
        raise OperatorError(f"{what}: {exc}") from exc


def stencil_data(operator: object, what: str = "operator") -> tuple[np.ndarray, np.ndarray, int]:
    """Offsets (int64), coefficients (float64) and derivative order of a protocol object.

    Raises:
        OperatorError: If an attribute is missing or malformed.
    """
    missing = [
        name for name in ("offsets", "coefficients", "derivative_order")
        if not hasattr(operator, name)
    ]
    if missing:
        raise OperatorError(
            f"{what} {operator!r} does not follow the operator protocol: it lacks "
            f"{', '.join(missing)}; give an object with offsets, coefficients and "
            "derivative_order, or a spec string (a pretrained name, an operator file path or "
            "fd:M:OFFSETS); see docs/operator-protocol.md in the repository, or "
            "help(solvers.operators)"
        )
    offsets = np.asarray(operator.offsets)
    coefficients = np.asarray(operator.coefficients)
    order = operator.derivative_order
    if offsets.ndim != 1 or offsets.size == 0 or offsets.dtype.kind not in "iu":
        raise OperatorError(f"{what}: offsets must be a non-empty 1-D sequence of integers")
    if coefficients.shape != offsets.shape or coefficients.dtype.kind not in "iuf":
        raise OperatorError(f"{what}: need one real coefficient per offset")
    coefficients = coefficients.astype(np.float64)
    if not np.isfinite(coefficients).all():
        raise OperatorError(f"{what}: coefficients must be finite")
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
        raise OperatorError(f"{what}: derivative_order must be an integer >= 0, got {order!r}")
    return offsets.astype(np.int64), coefficients, int(order)


def operator_label(operator: object) -> str:
    """A short human name for an operator."""
    name = getattr(operator, "name", "")
    if isinstance(name, str) and name:
        return name
    try:
        offsets, coefficients, order = stencil_data(operator)
    except OperatorError:
        return repr(operator)
    coeffs = ", ".join(f"{c:.6g}" for c in coefficients)
    return f"m={order} offsets {offsets.tolist()} [{coeffs}]"


def operator_moments(offsets: np.ndarray, coefficients: np.ndarray, count: int) -> np.ndarray:
    """mu_q = sum_j c_j j**q / q! for q < count."""
    j = np.asarray(offsets, dtype=np.float64)
    c = np.asarray(coefficients, dtype=np.float64)
    with np.errstate(all="ignore"):  # huge weights may overflow: inf
        return np.array([float(np.sum(c * j**q)) / factorial(q) for q in range(count)])


def _polynomial_from_roots(roots: list[int]) -> list[int]:
    """Integer coefficients (lowest degree first) of prod_r (x - r)."""
    poly = [1]
    for r in roots:
        shifted = [0, *poly]  # x * poly
        for k, a in enumerate(poly):
            shifted[k] -= r * a
        poly = shifted
    return poly


@lru_cache(maxsize=4096)
def _order_cap(offsets: tuple[int, ...], order: int) -> int | None:
    """First moment index q* that the exact classical stencil on these offsets breaks.

    No stencil on the offsets reaches accuracy order above q* - m (with n distinct offsets,
    order >= n - m forces the classical stencil). None for an exact operator (the identity).
    The classical weights come from differentiating the Lagrange basis polynomials in exact
    integer arithmetic: w_j = m! [x**m] prod_{k != j} (x - x_k) / prod_{k != j} (x_j - x_k)
    (an independent route to the weights ``learned_ops`` gets from Fornberg's recursion).
    """
    nodes = sorted({int(o) for o in offsets})
    n = len(nodes)
    if n < order + 1:  # q < n force c = 0, which breaks mu_m = 1
        return order
    weights = []
    for i, x in enumerate(nodes):
        others = nodes[:i] + nodes[i + 1:]
        numerator = _polynomial_from_roots(others)[order] * factorial(order)
        denominator = 1
        for y in others:
            denominator *= x - y
        weights.append(Fraction(numerator, denominator))
    # Moments q < n are exact; even and odd moments beyond are Vandermonde systems in the
    # distinct |j|, so the first nonzero one (if any) comes before q = 3n.
    for q in range(n, 3 * n + 2):
        if sum(w * x**q for w, x in zip(weights, nodes, strict=True)) != 0:
            return q
    return None


@lru_cache(maxsize=1024)
def _power_table(offsets: tuple[int, ...], count: int) -> np.ndarray:
    """(count, taps) table of j**q / q!, correctly rounded."""
    table = np.array(
        [[float(Fraction(j) ** q / factorial(q)) for j in offsets] for q in range(count)],
        dtype=np.float64,
    ).reshape(count, len(offsets))
    table.setflags(write=False)
    return table


def _first_defect(offsets: np.ndarray, coefficients: np.ndarray, order: int
                  ) -> tuple[int, float] | None:
    """Index and value of the first moment that differs from delta(q, m); None for an
    exact operator (the identity for m = 0, possibly padded with zeros).

    Below the exact cap (:func:`_order_cap`) a moment is judged against the round-off of its
    own sum: |mu_q - delta(q, m)| <= MOMENT_TOLERANCE * eps * n * sum_j |c_j| |j|**q / q!;
    when every moment below the cap passes, the cap's moment is the defect (its value is
    then the exact moment of the float coefficients).

    Kept here rather than imported: ``solvers`` depends only on the operator protocol, so it
    verifies orders itself (the same rule as ``learned_ops.moments``)."""
    offs = tuple(int(o) for o in offsets)
    c = np.asarray(coefficients, dtype=np.float64)
    cap = _order_cap(offs, order)
    limit = 3 * len(offs) + 2 if cap is None else cap
    with np.errstate(all="ignore"):  # overflow to inf, underflow: judged below
        terms = _power_table(offs, limit) * c
        mu = terms.sum(axis=1)
        scale = np.abs(terms).sum(axis=1)
        allowed = MOMENT_TOLERANCE * _EPS * len(offs) * scale  # tiny weights: may underflow
    expected = (np.arange(limit) == order).astype(np.float64)
    bad = ~(np.isfinite(mu) & np.isfinite(scale) & (np.abs(mu - expected) <= allowed))
    if bad.any():
        q = int(np.argmax(bad))
        return q, float(operator_moments(np.array(offs), c, q + 1)[q])
    if cap is None:
        return None
    exact = sum(Fraction(float(x)) * j**cap for x, j in zip(c, offs, strict=True))
    return cap, float(Fraction(exact) / factorial(cap))


def accuracy_order_of(operator: object) -> int:
    """Accuracy order verified from the moments (0: inconsistent), never above the most any
    stencil on its offsets can reach."""
    operator = resolve_operator(operator)
    offsets, coefficients, order = stencil_data(operator)
    defect = _first_defect(offsets, coefficients, order)
    if defect is None:  # exact: the most any stencil on these taps can have (a lower bound)
        return max(1, len(coefficients) - order + 1)
    return max(0, defect[0] - order)


def consistency_problem(operator: object) -> str | None:
    """None for a consistent operator, else one line saying which moment is off.

    Uses the operator's own ``is_consistent`` and ``leading_defect().describe()`` when it has
    them; otherwise computes the moments from ``offsets`` and ``coefficients``.
    """
    operator = resolve_operator(operator)
    if hasattr(operator, "is_consistent") and hasattr(operator, "leading_defect"):
        if operator.is_consistent:
            return None
        detail = operator.leading_defect().describe()
    else:
        offsets, coefficients, order = stencil_data(operator)
        defect = _first_defect(offsets, coefficients, order)
        if defect is None or defect[0] > order:
            return None
        q, mu = defect
        expected = 1.0 if q == order else 0.0
        detail = (
            f"moment mu_{q} = {mu:.6g} but must be {expected:g} (off by {mu - expected:+.3g})"
        )
    return (
        f"operator {operator_label(operator)} is inconsistent (accuracy order 0): {detail}; "
        "its error does not vanish as h -> 0, so the solution will not converge under grid "
        "refinement"
    )


def symbol(operator: object, theta: np.ndarray | float) -> np.ndarray:
    """sigma(theta) = sum_j c_j exp(i j theta) (exact value (i theta)**m)."""
    operator = resolve_operator(operator)
    offsets, coefficients, _ = stencil_data(operator)
    t = np.asarray(theta, dtype=np.float64)
    out = np.zeros(t.shape, dtype=np.complex128)
    # A loop over the few taps, not a matrix product: a threaded BLAS call here leaves OpenBLAS
    # threads spinning for a while and slows the time loop that follows on a small machine.
    for o, c in zip(offsets.tolist(), coefficients.tolist(), strict=True):
        out += c * np.exp(1j * o * t)
    return out


@dataclass(frozen=True, eq=False)
class ComposedOperator:
    """``outer(inner(u))``: two operators applied in turn; derivative orders add.

    Follows the operator protocol itself, so it keeps full introspection: its ``offsets`` and
    ``coefficients`` are the composite stencil (exact on periodic grids), ``matrix`` is the
    product of the factors' matrices (with their boundary closures on bounded grids).

    Attributes:
        outer: Applied second.
        inner: Applied first.
    """

    outer: OperatorLike
    inner: OperatorLike
    offsets: tuple[int, ...] = field(init=False)
    coefficients: np.ndarray = field(init=False)
    derivative_order: int = field(init=False)

    def __post_init__(self) -> None:
        for side in ("outer", "inner"):  # a spec string becomes its operator
            object.__setattr__(self, side, resolve_operator(getattr(self, side),
                                                            f"{side} operator"))
        oo, oc, om = stencil_data(self.outer, "outer operator")
        io, ic, im = stencil_data(self.inner, "inner operator")
        combined: dict[int, float] = {}
        for a, ca in zip(oo.tolist(), oc.tolist(), strict=True):
            for b, cb in zip(io.tolist(), ic.tolist(), strict=True):
                combined[a + b] = combined.get(a + b, 0.0) + ca * cb
        offsets = tuple(sorted(combined))
        coefficients = np.array([combined[o] for o in offsets], dtype=np.float64)
        coefficients.setflags(write=False)
        object.__setattr__(self, "offsets", offsets)
        object.__setattr__(self, "coefficients", coefficients)
        object.__setattr__(self, "derivative_order", om + im)

    @property
    def name(self) -> str:
        """``outer∘inner``."""
        return f"({operator_label(self.outer)})∘({operator_label(self.inner)})"

    @property
    def factors(self) -> tuple[OperatorLike, OperatorLike]:
        """(outer, inner)."""
        return self.outer, self.inner

    @property
    def accuracy_order(self) -> int:
        """Accuracy order of the composite stencil, verified from its moments."""
        return accuracy_order_of(self)

    @property
    def is_consistent(self) -> bool:
        """True when both factors and the composite are consistent."""
        return all(consistency_problem(op) is None for op in (self.outer, self.inner)) and (
            self.accuracy_order >= 1
        )

    def symbol(self, theta: np.ndarray | float) -> np.ndarray:
        """Product of the factors' symbols."""
        return symbol(self.outer, theta) * symbol(self.inner, theta)

    def matrix(self, n: int, h: float = 1.0, boundary: str = "periodic") -> Any:
        """Product of the factors' sparse matrices (same boundary mode)."""
        return (self.outer.matrix(n, h, boundary) @ self.inner.matrix(n, h, boundary)).tocsr()

    def __call__(self, u: np.ndarray, h: float = 1.0, *, boundary: str = "periodic",
                 axis: int = -1) -> np.ndarray:
        """Apply inner, then outer."""
        return self.outer(self.inner(u, h, boundary=boundary, axis=axis), h, boundary=boundary,
                          axis=axis)


def compose(outer: OperatorLike | str, inner: OperatorLike | str) -> ComposedOperator:
    """The composite ``outer(inner(u))`` (either may be a spec string, as the CLI takes)."""
    return ComposedOperator(outer, inner)
