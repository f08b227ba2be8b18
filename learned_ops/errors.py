"""Exception hierarchy of ``learned_ops``: one root, specific subclasses beneath.

Every error subclasses :class:`LearnedOpsError`, itself a :class:`ValueError`, so callers can
catch the whole family with one ``except`` clause. Messages say what was wrong and what to do.
"""

from __future__ import annotations

__all__ = [
    "DataSpecError",
    "InputArrayError",
    "LearnedOpsError",
    "NothingToLearnError",
    "OperatorFileError",
    "StencilError",
    "TooFewSamplesError",
    "TrainingDiverged",
    "TrainingError",
    "TrainingInterrupted",
]


class LearnedOpsError(ValueError):
    """Root of every error raised by ``learned_ops``."""


class StencilError(LearnedOpsError):
    """An invalid stencil: offsets, coefficients, derivative order or accuracy request."""


class InputArrayError(LearnedOpsError):
    """An array handed to an operator is unusable (dtype, shape, non-finite values)."""


class DataSpecError(LearnedOpsError):
    """An invalid dataset specification (domain, spacing, wavenumbers, sizes)."""


class OperatorFileError(LearnedOpsError):
    """An operator file is missing, malformed, of the wrong version, or unwritable."""


class TrainingError(LearnedOpsError):
    """Training settings are invalid or training failed."""


class NothingToLearnError(TrainingError):
    """The accuracy constraints fix every coefficient, so there is nothing left to learn."""


class TrainingInterrupted(TrainingError):
    """Training was stopped by a signal; a checkpoint was saved to resume from."""


class TooFewSamplesError(TrainingError):
    """The data cannot determine the free coefficients: too few training samples for the free
    parameters, or no validation sample to judge the fit on."""


class TrainingDiverged(TrainingError):
    """Gradient descent diverges (or provably will): the step size is beyond the stable limit,
    the loss grew, or it became non-finite. No result is produced."""
