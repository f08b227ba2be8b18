"""The registry of the equations the CLI solves: ``simulate`` and ``converge`` read it.

A registration (:class:`Equation`) holds the equation's name, the options it adds (declared
once in :data:`EQUATION_OPTIONS`, with the defaults of its one default problem), how many
``--operator`` values it takes and how it combines them, how it builds the :mod:`solvers`
problem on a grid, and its default final time. The commands take their ``equation`` choices
and every equation-specific option from here, so a new equation is one
:func:`register_equation` call plus its options; nothing else branches on the equation.

Every equation is posed on :data:`DOMAIN` (``[-2, 2)``) up to ``t = 1`` by default, so a number
printed by one command can be compared with another's; every output states the problem it ran
(:meth:`Equation.describe`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from learned_ops.cli.option_table import Option
from learned_ops.cli.options import refuse, resolve_checked

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

DOMAIN: tuple[float, float] = (-2.0, 2.0)

Values = Mapping[str, Any]
"""An equation's option values, keyed by the option's ``dest`` (e.g. ``{"velocity": 1.0}``)."""
OperatorBuilder = Callable[[list[Any], Values], tuple[Any, tuple[str, ...]]]
ProblemBuilder = Callable[[Values, Any, Any, tuple[float, float]], Any]

_COUNT_WORDS = ("no", "one", "two", "three", "four")


@dataclass(frozen=True)
class EquationOption:
    """An option that only some equations take.

    Attributes:
        option: Its flags, type and help; parsed with default None, so a given value is told
            apart from the default.
        default: The value of the equation's default problem.
        ignored_elsewhere: True: equations that do not take it accept it and ignore it (what
            ``--velocity`` and ``--diffusivity`` have always done); False: they refuse it.
    """

    option: Option
    default: Any
    ignored_elsewhere: bool = False


@dataclass(frozen=True)
class Equation:
    """One equation the CLI can solve.

    Attributes:
        name: The ``equation`` argument, e.g. ``heat``.
        pde: The equation with its option values, e.g. ``u_t = 0.001 u_xx``.
        options: Names (keys of :data:`EQUATION_OPTIONS`) of the options it takes.
        operator_counts: Fewest and most ``--operator`` values it takes.
        combine: The :mod:`solvers` operator from the resolved ``--operator`` stencils and the
            option values, with notes for the reader (e.g. a stencil composed with itself).
        build: The :mod:`solvers` problem from the option values, the combined operator, the
            grid and the boundary values ``(left, right)`` taken from the initial condition.
        t_final: Final time of the default problem.
        ic_context: Extra keywords for :func:`solvers.initial_condition` from the option values
            (Burgers passes its viscosity, which the exact ``cole-hopf`` data needs).
        default_ic: The ``simulate`` initial condition when ``--ic`` is not given.
    """

    name: str
    pde: Callable[[Values], str]
    options: tuple[str, ...]
    operator_counts: tuple[int, int]
    combine: OperatorBuilder
    build: ProblemBuilder
    t_final: float = 1.0
    ic_context: Callable[[Values], dict[str, Any]] = lambda values: {}
    default_ic: str = "sinusoid"
    labels: tuple[str, ...] = ()

    def label(self, operator: Any) -> str:
        """The operator(s) by name: a composed pair as ``outer o inner``; with ``labels``
        (one per slot of a tuple), ``role name, role name``."""
        def name(op: Any) -> str:
            if isinstance(op, tuple):
                return " o ".join(name(part) for part in op)
            return "none" if op is None else getattr(op, "name", "")

        if self.labels and isinstance(operator, tuple):
            return ", ".join(f"{role} {name(op)}"
                             for role, op in zip(self.labels, operator, strict=True))
        return name(operator)

    def initial_condition(self, spec: str | None, values: Values, *, seed: int | None = None,
                          grid: Any = None) -> Any:
        """:func:`solvers.initial_condition` for ``spec`` (None: ``default_ic``)."""
        import solvers

        kwargs: dict[str, Any] = {"grid": grid, **self.ic_context(values)}
        if seed is not None:
            kwargs["seed"] = seed
        return solvers.initial_condition(self.default_ic if spec is None else spec, **kwargs)

    def operator(self, specs: Sequence[str], values: Values) -> tuple[Any, tuple[str, ...]]:
        """The operator from the ``--operator`` specs (each resolved and checked), with notes.

        Raises:
            ProblemError: On the wrong number of operators.
        """
        import solvers

        ops = [resolve_checked(spec) for spec in specs]
        fewest, most = self.operator_counts
        if not fewest <= len(ops) <= most:
            raise solvers.ProblemError(f"{self.name} takes {_count_text(fewest, most)}, "
                                       f"got {len(ops)}")
        return self.combine(ops, values)

    def problem(self, values: Values, operator: Any, grid: Any, ic: Any) -> Any:
        """The :mod:`solvers` problem on ``grid``; a bounded grid's ends hold ``ic``'s values."""
        return self.build(values, operator, grid, boundary_values(ic, grid))

    def describe(self, values: Values, t_final: float, boundary: str = "periodic") -> str:
        """The problem in one phrase, e.g. ``heat u_t = 0.001 u_xx on [-2, 2), periodic, t = 1``.

        Args:
            values: The equation's option values (other keys are ignored).
            t_final: The final time.
            boundary: ``periodic`` or ``bounded``.

        Returns:
            One line of plain ASCII.
        """
        lower, upper = DOMAIN
        return (f"{self.name} {self.pde(values)} on [{lower:g}, {upper:g}), {boundary}, "
                f"t = {t_final:g}")


def _count_text(fewest: int, most: int) -> str:
    """``one --operator``, ``one or two --operator options``."""
    if fewest == most:
        return f"{_COUNT_WORDS[fewest]} --operator" + ("" if fewest == 1 else " options")
    return f"{_COUNT_WORDS[fewest]} or {_COUNT_WORDS[most]} --operator options"


EQUATIONS: dict[str, Equation] = {}
"""Name -> registration, in the order the help lists them."""

EQUATION_OPTIONS: dict[str, EquationOption] = {}
"""Name -> an option that only some equations take, in the order the help lists them."""


def register_equation(equation: Equation, options: Mapping[str, EquationOption]) -> None:
    """Add ``equation`` and the options it declares (options it shares are declared once).

    Raises:
        ValueError: If the name is taken, an option is declared twice, or the equation names an
            option nobody declared.
    """
    if equation.name in EQUATIONS:
        raise ValueError(f"equation {equation.name!r} is registered already")
    clash = set(options) & set(EQUATION_OPTIONS)
    if clash:
        raise ValueError(f"options {sorted(clash)} are declared already")
    unknown = set(equation.options) - set(options) - set(EQUATION_OPTIONS)
    if unknown:
        raise ValueError(f"{equation.name} takes undeclared options {sorted(unknown)}")
    EQUATION_OPTIONS.update(options)
    EQUATIONS[equation.name] = equation


def add_equation_argument(parser: argparse.ArgumentParser) -> None:
    """Add the positional ``equation`` argument: one of the registered names."""
    names = list(EQUATIONS)
    text = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    parser.add_argument("equation", choices=tuple(names), help=text)


def add_equation_options(parser: argparse.ArgumentParser, command: str) -> None:
    """Add every registered equation's options to ``command``'s parser."""
    for entry in EQUATION_OPTIONS.values():
        entry.option.add_to(parser, command)


def default_values(name: str) -> dict[str, Any]:
    """The option values of equation ``name``'s default problem."""
    return {EQUATION_OPTIONS[key].option.dest: EQUATION_OPTIONS[key].default
            for key in EQUATIONS[name].options}


def equation_values(args: argparse.Namespace) -> dict[str, Any]:
    """The chosen equation's option values (given, else default).

    Raises:
        UsageError: If an option of another equation was given and this one refuses it.
    """
    equation = EQUATIONS[args.equation]
    for key, entry in EQUATION_OPTIONS.items():
        given = getattr(args, entry.option.dest) is not None
        if given and key not in equation.options and not entry.ignored_elsewhere:
            takers = [e.name for e in EQUATIONS.values() if key in e.options]
            refuse(f"{entry.option.flag} only applies to {' and '.join(takers)}, not to "
                   f"{equation.name}")
    values = default_values(equation.name)
    for key in equation.options:
        dest = EQUATION_OPTIONS[key].option.dest
        if getattr(args, dest) is not None:
            values[dest] = getattr(args, dest)
    return values


def boundary_values(ic: Any, grid: Any) -> tuple[float, float]:
    """The initial condition's values at the two end nodes of a bounded grid, else zeros."""
    if grid.is_periodic or ic is None:
        return 0.0, 0.0
    import solvers

    values = solvers.initial_values(ic, grid)
    return float(values[0]), float(values[-1])
