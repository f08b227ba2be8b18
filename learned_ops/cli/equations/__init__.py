"""The equations the CLI solves, one registration each (see :mod:`.registry`).

Importing this package registers advection and heat (:mod:`.linear`) and Burgers
(:mod:`.burgers`), in the order the help lists them.
"""

from learned_ops.cli.equations import burgers, linear  # noqa: F401 - registrations
from learned_ops.cli.equations.registry import (
    DOMAIN,
    EQUATION_OPTIONS,
    EQUATIONS,
    Equation,
    EquationOption,
    add_equation_argument,
    add_equation_options,
    boundary_values,
    default_values,
    equation_values,
    register_equation,
)

__all__ = [
    "DOMAIN",
    "EQUATIONS",
    "EQUATION_OPTIONS",
    "Equation",
    "EquationOption",
    "add_equation_argument",
    "add_equation_options",
    "boundary_values",
    "default_values",
    "equation_values",
    "register_equation",
]
