"""The log-log plot, and that ``import solvers`` stays free of matplotlib, numba, TensorFlow."""

from __future__ import annotations

import subprocess
import sys

import matplotlib.pyplot as plt  # the Agg backend: MPLBACKEND is set in tests/conftest.py
import pytest

from learned_ops import central_stencil
from solvers import Advection, Grid, convergence_study
from solvers.convergence_plot import plot_convergence


@pytest.fixture(scope="module")
def studies():
    return [convergence_study(Advection(1.0, central_stencil(1, p), Grid.periodic(50)), 1.0,
                              grids=(50, 100, 200)) for p in (2, 4)]


def test_plot_draws_each_norm_and_the_reference_slopes(studies) -> None:
    fig = plot_convergence(studies[0])
    try:
        ax = fig.axes[0]
        assert ax.get_xscale() == "log"
        assert ax.get_yscale() == "log"
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("L2" in label for label in labels)
        assert any("max" in label for label in labels)
        assert any("slope 2" in t.get_text() for t in ax.texts)
    finally:
        plt.close(fig)


def test_plot_of_several_studies_on_given_axes(studies) -> None:
    fig, ax = plt.subplots()
    try:
        assert plot_convergence(studies, ax=ax, slopes=(2, 4)) is fig
        slopes = {t.get_text() for t in ax.texts}
        assert slopes == {"slope 2", "slope 4"}
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="at least one"):
        plot_convergence([])


def test_import_solvers_stays_light() -> None:
    code = ("import sys, solvers, solvers.convergence, solvers.convergence_plot; "
            "print(sorted(m for m in ('matplotlib', 'numba', 'tensorflow') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
