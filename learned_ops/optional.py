"""Optional dependencies: TensorFlow comes with the ``train`` extra, not with the package.

``pip install learned-ops`` gives the operators, files, analysis and (through ``solvers``) the
solvers without TensorFlow; training needs ``pip install 'learned-ops[train]'``. The training
entry points call :func:`require_tensorflow` before any work, so a user without it learns at
once what to install instead of reading an ``ImportError`` from deep inside Keras.
"""

from __future__ import annotations

import importlib.util

from learned_ops.errors import LearnedOpsError

__all__ = ["TRAIN_EXTRA_HINT", "MissingDependencyError", "require_tensorflow"]

TRAIN_EXTRA_HINT = ("pip install 'learned-ops[train]' (or, in a checkout, "
                    "pip install -e '.[train]'; make demo and make test install it)")


class MissingDependencyError(LearnedOpsError):
    """An optional dependency that the requested feature needs is not installed."""


def require_tensorflow(what: str = "training") -> None:
    """Fail with what to install unless TensorFlow and Keras can be imported.

    Checks without importing them (``importlib.util.find_spec``: milliseconds, not the
    seconds TensorFlow's import takes).

    Args:
        what: The feature that needs TensorFlow, for the message.

    Raises:
        MissingDependencyError: If ``tensorflow`` or ``keras`` is not installed.
    """
    missing = [name for name in ("tensorflow", "keras") if _missing(name)]
    if missing:
        raise MissingDependencyError(
            f"{what} needs TensorFlow ({' and '.join(missing)} not installed): "
            f"{TRAIN_EXTRA_HINT}. "
            "Simulating, analysing and converging operators work without it."
        )


def _missing(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):  # a broken or half-removed installation
        return True
