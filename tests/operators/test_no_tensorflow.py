"""Operators never pull in TensorFlow: importing and applying them stays light."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_operators_do_not_import_tensorflow() -> None:
    code = textwrap.dedent(
        """
        import sys
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
        import learned_ops.cli.cmd_operators
        bad = sorted(m for m in sys.modules if m.split(".")[0] in {"tensorflow", "keras"})
        assert not bad, bad
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
