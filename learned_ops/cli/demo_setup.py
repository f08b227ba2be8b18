"""What ``learned-ops demo`` runs: its settings and the operators it compares.

The settings are the CLI's one default problem per equation (:mod:`learned_ops.cli.equations`):
advection and heat at the seed's training resolution, viscous Burgers (the exact Cole-Hopf
wave) on a coarse grid; the operators are the pretrained ones unless ``--train`` trained them
afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from learned_ops.cli.equations import EQUATIONS, default_values

__all__ = ["DEFAULT_SETTINGS", "DemoOperators", "DemoSettings", "pretrained_operators"]


@dataclass(frozen=True)
class DemoSettings:
    """What the demo runs.

    Attributes:
        n: Nodes of the comparison runs (400: the seed's training spacing 0.01 on [-2, 2)).
        t_final: Final time of the comparison runs.
        snapshots: Saved times per comparison run (for the error-against-time figure).
        velocity: Advection velocity a.
        diffusivity: Heat diffusivity nu of the comparison runs.
        ic_seed: Seed of the initial condition drawn from the seed family.
        courant: Courant number of the advection runs (RK4).
        diffusion_number: Diffusion number of the heat runs (RK4).
        grids: Grids of the convergence studies (same equation, velocity, diffusivity
            and final time as the comparison runs; the initial condition is a smooth bump).
        stepper: The explicit Runge-Kutta stepper.
        viscosity: Burgers viscosity nu (the CLI's default).
        burgers_ic: Burgers initial condition: an exact Cole-Hopf wave (smooth at all times).
        burgers_n: Nodes of the Burgers comparison runs (coarse: h = 0.08).
        burgers_grids: Grids of the Burgers convergence studies (dt ~ h**2 under the viscous
            limit, so n = 800 would cost as much as the rest of the demo).
        front_n: Nodes of the front figure's runs (coarse for the front: a few nodes across).
        front_viscosity: Viscosity of the front figure (smaller: a steep front).
        front_amplitude: The front figure's ``u0 = amplitude sin(pi x)`` (inviscid shock time
            ``1 / (pi amplitude)``).
        front_times: Times the front figure shows (``front_times[-1]`` is its final time).

    The velocity, diffusivity, viscosity and final time are the CLI's one default problem per
    equation (:mod:`learned_ops.cli.equations`), the same as ``simulate`` and ``converge``.
    """

    n: int = 400
    t_final: float = EQUATIONS["advection"].t_final
    snapshots: int = 21
    velocity: float = default_values("advection")["velocity"]
    diffusivity: float = default_values("heat")["diffusivity"]
    ic_seed: int = 0
    courant: float = 0.5
    diffusion_number: float = 0.4
    grids: tuple[int, ...] = (50, 100, 200, 400, 800)
    stepper: str = "rk4"
    viscosity: float = default_values("burgers")["viscosity"]
    burgers_ic: str = "cole-hopf:A=1.5,k=1"
    burgers_n: int = 50
    burgers_grids: tuple[int, ...] = (50, 100, 200, 400)
    front_n: int = 64
    front_viscosity: float = 0.01
    front_amplitude: float = 0.5
    front_times: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)

    def __post_init__(self) -> None:
        """One final time for every equation (the default problems share it)."""
        if len({EQUATIONS[eq].t_final for eq in EQUATIONS}) != 1:  # pragma: no cover
            raise ValueError("the demo runs every equation to one t_final")

    def values(self) -> dict[str, Any]:
        """The equations' option values (each equation reads its own)."""
        return {**default_values("burgers"), "velocity": self.velocity,
                "diffusivity": self.diffusivity, "viscosity": self.viscosity}

    def number(self, equation: str) -> float | None:
        """The Courant (advection) or diffusion (heat) number of ``equation``'s runs; None
        for Burgers (0.9 x its stability limit, which the viscous term sets)."""
        return {"advection": self.courant, "heat": self.diffusion_number}.get(equation)

    def comparison_n(self, equation: str) -> int:
        """Nodes of ``equation``'s comparison runs."""
        return self.burgers_n if equation == "burgers" else self.n

    def study_grids(self, equation: str) -> tuple[int, ...]:
        """Grids of ``equation``'s convergence studies."""
        return self.burgers_grids if equation == "burgers" else self.grids

    def problem(self, equation: str) -> str:
        """The problem of ``equation`` in one phrase (for the table and the figures)."""
        return EQUATIONS[equation].describe(self.values(), self.t_final)


DEFAULT_SETTINGS = DemoSettings()


@dataclass(frozen=True)
class DemoOperators:
    """The operators the demo compares (pretrained, or freshly trained with ``--train``).

    Attributes:
        seed_forward: The seed's learned forward stencil (offsets 0, 1).
        seed_backward: The seed's learned backward stencil (offsets -1, 0).
        seed_central: The seed's learned central stencil (offsets -1, 0, 1).
        learned_d1: A constrained learned first-derivative stencil (5 points, order 2).
        learned_d2: A constrained learned second-derivative stencil (5 points, order 2).
    """

    seed_forward: Any
    seed_backward: Any
    seed_central: Any
    learned_d1: Any
    learned_d2: Any

    def lineup(self) -> dict[str, list[tuple[str, str, Any]]]:
        """Per equation: (role, label, operator) for each row, in table order."""
        from learned_ops.textbook import textbook_stencil
        from solvers import compose

        return {
            "advection": [
                ("textbook", "fd:1:-1,0,1", textbook_stencil(1, (-1, 0, 1))),
                ("seed-learned", self.seed_central.name or "seed-central", self.seed_central),
                ("constrained", self.learned_d1.name or "learned-d1", self.learned_d1),
                ("textbook", "fd:1:-2,-1,0,1,2", textbook_stencil(1, (-2, -1, 0, 1, 2))),
            ],
            "heat": [
                ("textbook", "fd:2:-1,0,1", textbook_stencil(2, (-1, 0, 1))),
                ("seed-learned", f"{self.seed_forward.name or 'seed-forward'}∘"
                                 f"{self.seed_backward.name or 'seed-backward'}",
                 compose(self.seed_forward, self.seed_backward)),
                ("constrained", self.learned_d2.name or "learned-d2", self.learned_d2),
                ("textbook", "fd:2:-2,-1,0,1,2", textbook_stencil(2, (-2, -1, 0, 1, 2))),
            ],
            "burgers": [
                ("textbook", "fd:{1,2}:-1,0,1",
                 (textbook_stencil(1, (-1, 0, 1)), textbook_stencil(2, (-1, 0, 1)))),
                ("constrained", _pair_label(self.learned_d1, self.learned_d2),
                 (self.learned_d1, self.learned_d2)),
                ("textbook", "fd:{1,2}:-2,-1,0,1,2",
                 (textbook_stencil(1, (-2, -1, 0, 1, 2)), textbook_stencil(2, (-2, -1, 0, 1, 2)))),
            ],
        }

    def learned(self) -> list[Any]:
        """The learned stencils themselves (for the coefficient figure)."""
        return [self.seed_forward, self.seed_backward, self.seed_central, self.learned_d1,
                self.learned_d2]


def _pair_label(flux: Any, diffusion: Any) -> str:
    """``learned-d{1,2}-c5-o2`` for a pair whose names differ only in the derivative order."""
    first = flux.name or "learned-d1"
    second = diffusion.name or "learned-d2"
    if first.replace("d1", "d{1,2}", 1) == second.replace("d2", "d{1,2}", 1):
        return first.replace("d1", "d{1,2}", 1)
    return f"{first}, {second}"


def pretrained_operators() -> DemoOperators:
    """The shipped operators (no training, no TensorFlow)."""
    from learned_ops.pretrained import load_pretrained

    return DemoOperators(*(load_pretrained(name) for name in (
        "seed-forward", "seed-backward", "seed-central", "learned-d1-c5-o2", "learned-d2-c5-o2")))
