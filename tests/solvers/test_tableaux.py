"""Butcher tableaux: validation, registry, stability polynomials, order on ODEs."""

from __future__ import annotations

from math import factorial

import numpy as np
import pytest

from solvers import (
    STEPPERS,
    ButcherTableau,
    FunctionRhs,
    RungeKuttaKernel,
    StepperError,
    get_tableau,
    stepper_names,
)

ORDERS = {"euler": 1, "heun": 2, "ssprk3": 3, "rk4": 4}


def test_registry_holds_the_four_methods() -> None:
    assert {name: t.order for name, t in STEPPERS.items()} == ORDERS


@pytest.mark.parametrize(("alias", "name"), [("forward-euler", "euler"), ("SSP-RK2", "heun"),
                                             ("ssp_rk3", "ssprk3"), ("rk4", "rk4")])
def test_aliases(alias: str, name: str) -> None:
    assert get_tableau(alias) is STEPPERS[name]


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(StepperError, match="rk45") as info:
        get_tableau("rk45")
    for name in stepper_names():
        assert name in str(info.value)


@pytest.mark.parametrize("name", list(ORDERS))
def test_stability_polynomial_is_taylor(name: str) -> None:
    tableau = STEPPERS[name]
    expected = [1.0 / factorial(k) for k in range(tableau.order + 1)]
    np.testing.assert_allclose(tableau.stability_coefficients, expected, rtol=1e-15)
    z = np.array([-1.0, 0.5j, -0.3 + 0.2j])
    np.testing.assert_allclose(tableau.stability_polynomial(z),
                               np.polynomial.polynomial.polyval(z, expected), rtol=1e-14)


def test_tableau_is_frozen_and_read_only() -> None:
    tableau = STEPPERS["rk4"]
    with pytest.raises(ValueError, match="read-only"):
        tableau.a[1, 0] = 2.0
    with pytest.raises(AttributeError):
        tableau.order = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("a", "b", "order", "match"),
    [
        ([[0.0, 1.0], [1.0, 0.0]], [0.5, 0.5], 2, "strictly lower"),
        ([[0.0, 0.0], [1.0, 0.0]], [0.5, 0.5], 3, "claims order 3"),
        ([[0.0]], [0.9], 1, "claims order 1"),
        ([[0.0, 0.0]], [1.0], 1, "must be"),
        ([[0.0]], [np.nan], 1, "finite"),
        ([[0.0]], [1.0], 5, "order must be 1..4"),
    ],
)
def test_invalid_tableaux_are_refused(a: list, b: list, order: int, match: str) -> None:
    with pytest.raises(StepperError, match=match):
        ButcherTableau("bad", a, b, order)


def _ode(u: np.ndarray, t: float, out: np.ndarray) -> None:
    """Non-autonomous, partly nonlinear: y0' = y0 cos t, y1' = -y1**2 cos t."""
    out[0] = u[0] * np.cos(t)
    out[1] = -u[1] ** 2 * np.cos(t)


def _ode_error(name: str, steps: int, t_final: float = 2.0) -> float:
    kernel = RungeKuttaKernel(FunctionRhs(_ode, 2), STEPPERS[name])
    kernel.load(np.array([1.0, 1.0]))
    kernel.advance(0.0, t_final / steps, steps)
    exact = np.array([np.exp(np.sin(t_final)), 1.0 / (1.0 + np.sin(t_final))])
    return float(np.max(np.abs(kernel.state - exact)))


@pytest.mark.parametrize("name", list(ORDERS))
def test_each_stepper_reaches_its_order_on_an_ode(name: str, order_fit) -> None:
    steps = [20, 40, 80, 160]
    errors = [_ode_error(name, s) for s in steps]
    slope = order_fit([2.0 / s for s in steps], errors)
    assert abs(slope - ORDERS[name]) < 0.15, f"{name}: observed order {slope:.3f}, errors {errors}"
