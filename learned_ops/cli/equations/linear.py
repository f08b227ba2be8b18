"""The linear equations' registrations: advection (``--velocity``) and heat (``--diffusivity``)."""

from __future__ import annotations

from typing import Any

from learned_ops.cli.equations.registry import Equation, EquationOption, Values, register_equation
from learned_ops.cli.option_table import Option


# --------------------------------------------------------------------------- advection
def velocity_value(text: str) -> float | tuple[float, float]:
    """``--velocity``: one number ``a``, or a pair ``ax,ay`` (for ``--dims 2``).

    Raises:
        argparse.ArgumentTypeError: For anything else (argparse prints it, exit 2).
    """
    import argparse

    parts = text.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number a or a pair ax,ay, got {text!r}") from None
    if len(numbers) == 1:
        return numbers[0]
    if len(numbers) == 2:
        return numbers[0], numbers[1]
    raise argparse.ArgumentTypeError(f"expected a number a or a pair ax,ay, got {text!r}")


def _pde(values: Values) -> str:
    v = values["velocity"]
    if isinstance(v, tuple):
        return f"u_t + {v[0]:g} u_x + {v[1]:g} u_y = 0"
    return f"u_t + {v:g} u_x = 0"


def _advection_operator(ops: list[Any], values: Values) -> tuple[Any, tuple[str, ...]]:
    return ops[0], ()


def _advection_problem(values: Values, operator: Any, grid: Any,
                       ends: tuple[float, float]) -> Any:
    import solvers

    velocity = values["velocity"]
    if isinstance(velocity, tuple):
        from learned_ops.cli.options import refuse

        refuse("--velocity ax,ay is for two dimensions (--dims 2); give one number in 1-D")
    inflow = ends[0] if velocity > 0 else ends[1]
    return solvers.Advection(velocity, operator, grid, inflow=inflow)


_VELOCITY = 1.0

register_equation(
    Equation(
        name="advection",
        pde=_pde,
        options=("velocity",),
        operator_counts=(1, 1),
        combine=_advection_operator,
        build=_advection_problem,
    ),
    {"velocity": EquationOption(
        Option(("--velocity",), settings={"type": velocity_value}, per_command={
            "simulate": {"help": f"advection velocity a (default {_VELOCITY:g}), or ax,ay "
                                 "with --dims 2 (default 1,0.5)"},
            "converge": {"help": f"advection velocity a (default {_VELOCITY:g}; negative makes "
                                 "a forward stencil upwind), or ax,ay with --dims 2"},
        }),
        default=_VELOCITY, ignored_elsewhere=True,
    )},
)


# --------------------------------------------------------------------------- heat
def _heat_operator(ops: list[Any], values: Values) -> tuple[Any, tuple[str, ...]]:
    """A second-derivative operator, two first-derivative ones (outer after inner), or one
    first-derivative operator composed with itself (a note says so)."""
    if len(ops) == 2:
        return (ops[0], ops[1]), ()
    if ops[0].derivative_order == 1:
        return (ops[0], ops[0]), (f"composing {ops[0].name} with itself for u_xx",)
    return ops[0], ()


def _heat_problem(values: Values, operator: Any, grid: Any, ends: tuple[float, float]) -> Any:
    import solvers

    return solvers.Heat(values["diffusivity"], operator, grid, dirichlet=ends)


_DIFFUSIVITY = 0.001

register_equation(
    Equation(
        name="heat",
        pde=lambda values: f"u_t = {values['diffusivity']:g} u_xx",
        options=("diffusivity",),
        operator_counts=(1, 2),
        combine=_heat_operator,
        build=_heat_problem,
    ),
    {"diffusivity": EquationOption(
        Option(("--diffusivity",), settings={"type": float}, per_command={
            "simulate": {"help": f"heat diffusivity nu (default {_DIFFUSIVITY:g})"},
            "converge": {"help": f"heat diffusivity nu (default {_DIFFUSIVITY:g}, as simulate "
                                 "and demo)"},
        }),
        default=_DIFFUSIVITY, ignored_elsewhere=True,
    )},
)
