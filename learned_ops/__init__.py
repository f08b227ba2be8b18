"""learned-ops: learned finite-difference derivative operators.

Operators are plain data (:class:`Stencil`); TensorFlow is imported only by the training code,
lazily. ``learned_ops`` never imports ``solvers`` (only the CLI glue in ``learned_ops.cli`` does).
"""

from __future__ import annotations

from learned_ops.atomic import atomic_path, atomic_write_bytes, atomic_write_text
from learned_ops.closures import closure_rows
from learned_ops.errors import (
    DataSpecError,
    InputArrayError,
    LearnedOpsError,
    NothingToLearnError,
    OperatorFileError,
    StencilError,
    TooFewSamplesError,
    TrainingDiverged,
    TrainingError,
    TrainingInterrupted,
)
from learned_ops.fornberg import fornberg_weights, fornberg_weights_exact
from learned_ops.moments import MomentDefect
from learned_ops.operator_file import (
    load_stencil,
    save_stencil,
    stencil_from_dict,
    stencil_to_dict,
)
from learned_ops.pretrained import list_pretrained, load_pretrained
from learned_ops.resolve import resolve_operator
from learned_ops.stencil import BOUNDARY_MODES, Stencil
from learned_ops.textbook import (
    backward_stencil,
    central_stencil,
    forward_stencil,
    textbook_stencil,
)

__version__ = "0.1.0"

__all__ = [
    "BOUNDARY_MODES",
    "DataSpecError",
    "InputArrayError",
    "LearnedOpsError",
    "MomentDefect",
    "NothingToLearnError",
    "OperatorFileError",
    "Stencil",
    "StencilError",
    "TooFewSamplesError",
    "TrainingDiverged",
    "TrainingError",
    "TrainingInterrupted",
    "__version__",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "backward_stencil",
    "central_stencil",
    "closure_rows",
    "fornberg_weights",
    "fornberg_weights_exact",
    "forward_stencil",
    "list_pretrained",
    "load_pretrained",
    "load_stencil",
    "resolve_operator",
    "save_stencil",
    "stencil_from_dict",
    "stencil_to_dict",
    "textbook_stencil",
]
