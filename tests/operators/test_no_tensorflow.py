"""Operators never pull in TensorFlow: importing, applying them and simulating stays light."""

from __future__ import annotations

import textwrap

NO_TENSORFLOW = ("tensorflow", "keras")


def test_operators_and_simulations_do_not_import_tensorflow(fresh_python) -> None:
    fresh_python(textwrap.dedent(
        """
        import numpy as np
        import learned_ops
        import solvers
        from learned_ops import resolve_operator, stencil_to_dict, stencil_from_dict
        s = learned_ops.central_stencil(1, 4)
        u = np.sin(np.linspace(0, 1, 64))
        for b in learned_ops.BOUNDARY_MODES:
            s(u, 0.1, boundary=b)
        s.matrix(64, 0.1)
        stencil_from_dict(stencil_to_dict(resolve_operator("fd:2:-1,0,1")))
        learned = learned_ops.load_pretrained("learned-d1-c5-o2")
        problem = solvers.Advection(1.0, learned, solvers.Grid.periodic(32))
        solvers.solve(problem, solvers.SineMode(1), 0.1)
        import learned_ops.cli.cmd_operators
        """
    ), forbid=NO_TENSORFLOW)
