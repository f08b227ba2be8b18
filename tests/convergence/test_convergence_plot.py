"""The log-log plot, and that ``import solvers`` stays free of matplotlib, numba, TensorFlow."""

from __future__ import annotations

import matplotlib.pyplot as plt  # the Agg backend: MPLBACKEND is set in tests/conftest.py
import pytest

from solvers.convergence_plot import plot_convergence


@pytest.fixture
def studies(central_studies):
    return central_studies


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


def test_import_solvers_stays_light(fresh_python) -> None:
    fresh_python("import solvers, solvers.convergence, solvers.convergence_plot")
