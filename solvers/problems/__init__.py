"""Problems: an equation's terms on a grid, with its boundary values and time-step scale.

- :mod:`solvers.problems.base`: the :class:`Problem` interface and the shared checks;
- :mod:`solvers.problems.linear`: advection, heat, advection-diffusion;
- :mod:`solvers.problems.burgers`: viscous Burgers (a nonlinear flux term, optional forcing).
"""

from solvers.problems.base import Problem
from solvers.problems.burgers import Burgers
from solvers.problems.linear import Advection, AdvectionDiffusion, Heat

__all__ = ["Advection", "AdvectionDiffusion", "Burgers", "Heat", "Problem"]
