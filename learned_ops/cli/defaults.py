"""The default problem of each equation, shared by ``simulate``, ``converge`` and ``demo``.

One problem per equation, so a number printed by one command can be compared with another's:
advection ``u_t + a u_x = 0`` with ``a = 1`` and heat ``u_t = nu u_xx`` with ``nu = 0.001``,
both on ``[-2, 2)`` up to ``t = 1``. Every output states the problem it ran
(:func:`describe_problem`).
"""

from __future__ import annotations

__all__ = [
    "DIFFUSIVITY",
    "DOMAIN",
    "TIME_ERROR_SHARE",
    "T_FINAL",
    "VELOCITY",
    "describe_problem",
]

DOMAIN: tuple[float, float] = (-2.0, 2.0)
VELOCITY: float = 1.0
DIFFUSIVITY: float = 0.001
T_FINAL: dict[str, float] = {"advection": 1.0, "heat": 1.0}
#: The default time step of ``simulate`` keeps the time error at most this share of the error.
TIME_ERROR_SHARE: float = 0.01


def describe_problem(equation: str, coefficient: float, t_final: float,
                     boundary: str = "periodic") -> str:
    """The problem in one phrase, e.g. ``heat u_t = 0.001 u_xx on [-2, 2), periodic, t = 1``.

    Args:
        equation: ``advection`` or ``heat``.
        coefficient: The velocity ``a`` (advection) or the diffusivity ``nu`` (heat).
        t_final: The final time.
        boundary: ``periodic`` or ``bounded``.

    Returns:
        One line of plain ASCII.
    """
    pde = (f"u_t + {coefficient:g} u_x = 0" if equation == "advection"
           else f"u_t = {coefficient:g} u_xx")
    lower, upper = DOMAIN
    return f"{equation} {pde} on [{lower:g}, {upper:g}), {boundary}, t = {t_final:g}"
