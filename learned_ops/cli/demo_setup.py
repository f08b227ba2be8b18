"""What ``learned-ops demo`` runs: its settings and the operators it compares.

The settings are the CLI's one default problem per equation (:mod:`learned_ops.cli.equations`)
at the seed's training resolution; the operators are the pretrained ones unless ``--train``
trained them afresh.
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

    The velocity, diffusivity and final time are the CLI's one default problem per equation
    (:mod:`learned_ops.cli.equations`), the same as ``simulate`` and ``converge``.
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

    def __post_init__(self) -> None:
        """One final time for both equations (the default problems share it)."""
        if EQUATIONS["advection"].t_final != EQUATIONS["heat"].t_final:  # pragma: no cover
            raise ValueError("the demo runs both equations to one t_final")

    def values(self) -> dict[str, float]:
        """The equations' option values (each equation reads its own)."""
        return {"velocity": self.velocity, "diffusivity": self.diffusivity}

    def number(self, equation: str) -> float:
        """The Courant (advection) or diffusion (heat) number of ``equation``'s runs."""
        return {"advection": self.courant, "heat": self.diffusion_number}[equation]

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
        }

    def learned(self) -> list[Any]:
        """The learned stencils themselves (for the coefficient figure)."""
        return [self.seed_forward, self.seed_backward, self.seed_central, self.learned_d1,
                self.learned_d2]


def pretrained_operators() -> DemoOperators:
    """The shipped operators (no training, no TensorFlow)."""
    from learned_ops.pretrained import load_pretrained

    return DemoOperators(*(load_pretrained(name) for name in (
        "seed-forward", "seed-backward", "seed-central", "learned-d1-c5-o2", "learned-d2-c5-o2")))
