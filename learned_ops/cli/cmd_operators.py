"""``learned-ops list`` and ``learned-ops inspect``: what operators exist, and what one is worth.

``inspect`` shows the coefficients beside the textbook stencil on the same offsets, the moments,
the verified accuracy order, consistency (and why not), the resolving band, and optionally a
plot of the symbol against the exact derivative.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from learned_ops.cli.options import resolve_checked
from learned_ops.errors import OperatorFileError, StencilError
from learned_ops.pretrained import list_pretrained, load_pretrained
from learned_ops.spectral import relative_symbol_error
from learned_ops.stencil import Stencil
from learned_ops.textbook import textbook_stencil

__all__ = ["describe_operator", "register"]

BAND_EPS: tuple[float, ...] = (1e-2, 1e-3)
_PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``list`` and ``inspect`` subcommands."""
    p_list = subparsers.add_parser(
        "list",
        help="list the pretrained operators",
        description="List the pretrained operators shipped with learned-ops.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  learned-ops list\n  learned-ops list --json",
    )
    p_list.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p_list.add_argument("--quiet", action="store_true", help="no messages on stderr")
    p_list.set_defaults(handler=_handle_list)

    p_inspect = subparsers.add_parser(
        "inspect",
        help="show an operator's coefficients, order, consistency and resolving band",
        description=(
            "Inspect an operator: coefficients beside the textbook stencil, moments, verified\n"
            "accuracy order, consistency, resolving band and (optionally) a symbol plot.\n"
            "OPERATOR is a pretrained name, a path to an operator file (*.json), or a textbook\n"
            "spec fd:M:OFFSETS."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  learned-ops inspect fd:1:-1,0,1\n"
            "  learned-ops inspect fd:2:-2,-1,0,1,2 --json\n"
            "  learned-ops inspect my_stencil.json --plot symbol.png"
        ),
    )
    p_inspect.add_argument("operator", metavar="OPERATOR", help="name, file or fd:M:OFFSETS")
    p_inspect.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p_inspect.add_argument("--plot", metavar="FILE.png", help="write a symbol plot to FILE")
    p_inspect.add_argument("--force", action="store_true", help="overwrite an existing --plot file")
    p_inspect.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    p_inspect.set_defaults(handler=_handle_inspect)


# --------------------------------------------------------------------------- list
def _summary(stencil: Stencil) -> dict[str, Any]:
    return {
        "name": stencil.name,
        "derivative_order": stencil.derivative_order,
        "offsets": list(stencil.offsets),
        "accuracy_order": stencil.accuracy_order,
        "consistent": stencil.is_consistent,
        "description": stencil.description,
    }


def _handle_list(args: argparse.Namespace) -> int:
    rows = [{**_summary(load_pretrained(name)), "name": name} for name in list_pretrained()]
    if args.json:
        print(json.dumps({"pretrained": rows}, allow_nan=False))
        return 0
    if not rows:
        print("no pretrained operators yet (run 'make pretrained').")
    for row in rows:
        flag = "" if row["consistent"] else "  INCONSISTENT"
        print(
            f"{row['name']:<24} m={row['derivative_order']} p={row['accuracy_order']} "
            f"offsets={row['offsets']}{flag}"
        )
    print("textbook stencils are always available as fd:M:OFFSETS, e.g. fd:1:-1,0,1")
    return 0


# --------------------------------------------------------------------------- inspect
def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _stability(stencil: Stencil) -> dict[str, Any] | None:
    """HOOK (solvers engineer): largest stable Courant / diffusion numbers per stepper.

    Calls ``solvers.stable_numbers(operator, equation, stepper, velocity_sign=)``
    for every registered stepper when ``solvers`` provides it: advection (both directions)
    for first derivatives, heat for second derivatives; None for other orders or when the
    solvers package lacks it. Stability is computed in ``solvers``, never here.
    """
    equation = {1: "advection", 2: "heat"}.get(stencil.derivative_order)
    if equation is None:
        return None
    try:
        from solvers import STEPPERS, stable_numbers
    except (ImportError, AttributeError):
        return None
    signs = {"a>0": 1, "a<0": -1} if equation == "advection" else {"": 1}
    steppers: dict[str, Any] = {}
    for name in STEPPERS:
        entry: dict[str, Any] = {}
        for label, sign in signs.items():
            limit = stable_numbers(stencil, equation, name, velocity_sign=sign)
            key = f"number {label}".strip()
            entry[key] = _finite_or_none(float(limit.number))
            entry[f"kind {label}".strip()] = limit.kind
            number_name = limit.number_name
        steppers[name] = entry
    return {"equation": equation, "number_name": number_name, "steppers": steppers}


def describe_operator(stencil: Stencil) -> dict[str, Any]:
    """Everything ``inspect`` reports, as a JSON-able mapping."""
    m, p = stencil.derivative_order, stencil.accuracy_order
    textbook = textbook_stencil(m, stencil.offsets)
    count = m + max(p, textbook.accuracy_order) + 2
    mu = stencil.moments(count)
    defect = None if stencil.is_consistent else stencil.leading_defect()
    band = {}
    for eps in BAND_EPS:
        theta = stencil.resolving_band(eps)
        band[f"{eps:g}"] = {
            "theta": theta,
            "points_per_wavelength": _finite_or_none(stencil.points_per_wavelength(eps)),
        }
    info: dict[str, Any] = {
        "name": stencil.name,
        "description": stencil.description,
        "derivative_order": m,
        "offsets": list(stencil.offsets),
        "coefficients": [float(c) for c in stencil.coefficients],
        "textbook_coefficients": [float(c) for c in textbook.coefficients],
        "textbook_accuracy_order": textbook.accuracy_order,
        "accuracy_order": p,
        "consistent": stencil.is_consistent,
        "exact": stencil.leading_defect() is None,
        "inconsistency": None if defect is None else defect.describe(),
        "moments": [float(x) for x in mu],
        "band": band,
    }
    stability = _stability(stencil)
    if stability is not None:
        info["stability"] = stability
    return info


def _print_human(info: dict[str, Any]) -> None:
    m = info["derivative_order"]
    print(f"operator {info['name'] or '(unnamed)'}: derivative order {m}")
    if info["description"]:
        print(f"  {info['description']}")
    print(f"\n  {'offset':>6}  {'coefficient':>24}  {'textbook':>24}  {'difference':>11}")
    rows = zip(info["offsets"], info["coefficients"], info["textbook_coefficients"], strict=True)
    for offset, coeff, ref in rows:
        print(f"  {offset:>6}  {coeff!r:>24}  {ref!r:>24}  {coeff - ref:>+11.3e}")
    print("\n  moments mu_q = sum_j c_j j**q / q!  (must equal 1 for q = m, else 0)")
    for q, value in enumerate(info["moments"]):
        expected = 1.0 if q == m else 0.0
        print(f"    mu_{q} = {value:+.15g}   (exact {expected:g}, off by {value - expected:+.2e})")
    order = (f"exact (every moment matches; reported as {info['accuracy_order']})"
             if info["exact"] else str(info["accuracy_order"]))
    print(
        f"\n  verified accuracy order: {order} "
        f"(textbook on the same offsets: {info['textbook_accuracy_order']})"
    )
    if info["consistent"]:
        print("  consistent: yes (the error vanishes as h -> 0)")
    else:
        print(f"  consistent: NO; {info['inconsistency']}: the error does not vanish as h -> 0")
    print("\n  resolving band (relative symbol error <= eps):")
    for eps, entry in info["band"].items():
        ppw = entry["points_per_wavelength"]
        ppw_text = "none (no wave resolved)" if ppw is None else f"{ppw:.2f} points per wavelength"
        print(f"    eps = {eps:<6} theta <= {entry['theta']:.4f}   {ppw_text}")
    if "stability" in info:
        stability = info["stability"]
        print(
            f"\n  largest stable {stability['number_name']} ({stability['equation']}, "
            "from solvers.stability; null = every step is stable):"
        )
        for stepper, entry in stability["steppers"].items():
            cells = ", ".join(
                f"{key} = {value:.4g}" if isinstance(value, float) else f"{key} = {value}"
                for key, value in entry.items()
            )
            print(f"    {stepper:<8} {cells}")


def _plot(stencil: Stencil, path: Path, *, overwrite: bool) -> None:
    """Write the symbol plot atomically (Agg backend, selected here)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from learned_ops.atomic import atomic_path

    m = stencil.derivative_order
    textbook = textbook_stencil(m, stencil.offsets)
    theta = np.linspace(0.0, np.pi, 400)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    label = stencil.name or "operator"
    if m == 1:
        ax = axes[0]
        ax.plot(theta, theta, "k--", label="exact: θ")
        ax.plot(theta, textbook.modified_wavenumber(theta), label="textbook, same offsets")
        ax.plot(theta, stencil.modified_wavenumber(theta), label=label)
        ax.set(xlabel="θ = k h", ylabel="Im σ(θ)", title="modified wavenumber")
        ax = axes[1]
        ax.axhline(0.0, color="k", linestyle="--", label="exact: 0")
        ax.plot(theta, textbook.dissipation(theta), label="textbook, same offsets")
        ax.plot(theta, stencil.dissipation(theta), label=label)
        ax.set(xlabel="θ = k h", ylabel="Re σ(θ)", title="dissipation")
    else:
        exact = (1j * theta) ** m
        sigma = stencil.symbol(theta)
        ax = axes[0]
        ax.plot(theta, exact.real, "k--", label=f"exact Re (iθ)^{m}")
        ax.plot(theta, exact.imag, "k:", label=f"exact Im (iθ)^{m}")
        ax.plot(theta, sigma.real, label=f"{label}: Re σ")
        ax.plot(theta, sigma.imag, label=f"{label}: Im σ")
        ax.set(xlabel="θ = k h", ylabel="σ(θ)", title=f"symbol, derivative order {m}")
        ax = axes[1]
        t = theta[1:]
        for name, op in (("textbook, same offsets", textbook), (label, stencil)):
            err = relative_symbol_error(np.array(op.offsets), op.coefficients, m, t)
            ax.semilogy(t, np.maximum(err, 1e-17), label=name)
        for eps in BAND_EPS:
            ax.axhline(eps, color="grey", linewidth=0.8, linestyle=":")
        ax.set(xlabel="θ = k h", ylabel="|σ - (iθ)^m| / θ^m", title="relative symbol error")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", framealpha=0.9)
    try:
        with atomic_path(path, overwrite=overwrite) as tmp:
            fig.savefig(tmp, dpi=120, format=path.suffix[1:])
    finally:
        plt.close(fig)


def _handle_inspect(args: argparse.Namespace) -> int:
    def chatter(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr)

    plot_path = None
    if args.plot is not None:
        plot_path = Path(args.plot)
        if plot_path.suffix.lower() not in _PLOT_SUFFIXES:
            raise OperatorFileError(
                f"{plot_path}: plot files must end in {', '.join(_PLOT_SUFFIXES)}"
            )
        from learned_ops.atomic import check_target

        check_target(plot_path, overwrite=args.force, probe=True)  # fail before any work
    stencil = resolve_checked(args.operator)
    chatter(f"inspecting {stencil.name or args.operator}")
    try:
        info = describe_operator(stencil)
    except StencilError as exc:  # pragma: no cover - every valid stencil can be described
        raise StencilError(f"cannot inspect {args.operator!r}: {exc}") from exc
    if plot_path is not None:
        _plot(stencil, plot_path, overwrite=args.force)
        chatter(f"wrote {plot_path}")
    if args.json:
        print(json.dumps(info, allow_nan=False))
    else:
        _print_human(info)
    return 0
