"""Viscous Burgers' registration: ``--viscosity``, ``--diffusion-operator``, ``--form``,
``--forcing``; the exact ``cole-hopf`` wave as the default initial condition."""

from __future__ import annotations

from typing import Any

from learned_ops.cli.equations import linear  # noqa: F401 - the linear ones list first
from learned_ops.cli.equations.registry import Equation, EquationOption, Values, register_equation
from learned_ops.cli.option_table import Option
from learned_ops.cli.options import refuse, resolve_checked


# --------------------------------------------------------------------------- burgers
def _burgers_operator(ops: list[Any], values: Values) -> tuple[Any, tuple[str, ...]]:
    """(flux operator, diffusion operator): ``--diffusion-operator`` (a first-derivative one
    composed with itself), else the flux operator composed with itself (a note says so)."""
    flux = ops[0]
    if values["viscosity"] == 0.0:
        if values["diffusion_operator"] is not None:
            refuse("--diffusion-operator has no use at --viscosity 0 (no diffusion term); "
                   "drop it or give a viscosity > 0")
        return (flux, None), ()
    spec = values["diffusion_operator"]
    if spec is None:
        return (flux, (flux, flux)), (f"composing {flux.name} with itself for u_xx (give "
                                      "--diffusion-operator for another)",)
    second = resolve_checked(spec)
    if second.derivative_order == 1:
        return (flux, (second, second)), (f"composing {second.name} with itself for u_xx",)
    return (flux, second), ()


def _ic_context(values: Values) -> dict[str, Any]:
    """The viscosity the exact ``cole-hopf`` data needs (checked first: a bad one is named)."""
    nu = values["viscosity"]
    if not nu >= 0.0:  # also NaN
        refuse(f"--viscosity {nu!r}: the viscosity must be a number >= 0")
    return {"viscosity": nu}


def _burgers_problem(values: Values, operator: Any, grid: Any,
                     ends: tuple[float, float]) -> Any:
    import solvers

    if not grid.is_periodic:
        refuse("burgers runs on periodic grids only (the flux has no boundary closures); "
               "drop --boundary bounded")
    flux, diffusion = operator
    forcing = None
    if values["forcing"] is not None:
        forcing = solvers.TravellingWaves.random(values["forcing"], grid.length)
    return solvers.Burgers(values["viscosity"], flux, diffusion, grid, form=values["form"],
                           forcing=forcing)


def _burgers_pde(values: Values) -> str:
    flux = {"conservative": "(u^2/2)_x", "advective": "u u_x",
            "skew": "((u^2)_x + u u_x)/3"}[values["form"]]
    forcing = "" if values["forcing"] is None else f" + f(x, t; seed {values['forcing']})"
    return f"u_t + {flux} = {values['viscosity']:g} u_xx{forcing}"


def _forcing_seed(text: str) -> int:
    from learned_ops.cli.options import ascii_int

    seed = ascii_int(text, "--forcing")
    if seed < 0:
        refuse(f"--forcing {text!r}: the seed must be >= 0")
    return seed


_VISCOSITY = 0.05
_FORMS = ("conservative", "advective", "skew")

register_equation(
    Equation(
        name="burgers",
        pde=_burgers_pde,
        options=("viscosity", "diffusion_operator", "form", "forcing"),
        operator_counts=(1, 1),
        combine=_burgers_operator,
        build=_burgers_problem,
        ic_context=_ic_context,
        default_ic="cole-hopf",
        labels=("flux", "diffusion"),
    ),
    {
        "viscosity": EquationOption(
            Option(("--viscosity",), settings={"type": float, "metavar": "NU"},
                   per_command={c: {"help": f"Burgers viscosity nu >= 0 (default {_VISCOSITY:g})"}
                                for c in ("simulate", "converge")}),
            default=_VISCOSITY),
        "diffusion_operator": EquationOption(
            Option(("--diffusion-operator",), settings={"metavar": "D2"},
                   per_command={c: {"help": "Burgers: operator for u_xx (a second-derivative "
                                            "one, or a first-derivative one composed with "
                                            "itself; default: --operator composed with itself)"}
                                for c in ("simulate", "converge")}),
            default=None),
        "form": EquationOption(
            Option(("--form",), settings={"choices": _FORMS},
                   per_command={c: {"help": "Burgers flux form: conservative D(u^2/2) (keeps "
                                            "the mean), skew (D(u^2) + u D(u))/3 (keeps the "
                                            "energy with a central D) or advective u D(u) "
                                            "(default conservative)"}
                                for c in ("simulate", "converge")}),
            default="conservative"),
        "forcing": EquationOption(
            Option(("--forcing",), settings={"type": _forcing_seed, "metavar": "SEED"},
                   per_command={c: {"help": "Burgers: add the seeded random travelling-wave "
                                            "forcing (20 waves, amplitudes up to 0.5)"}
                                for c in ("simulate", "converge")}),
            default=None),
    },
)
