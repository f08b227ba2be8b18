"""Training checkpoints: what an interrupted run saves, and how it is read back to resume.

A checkpoint is a small JSON file (written atomically) with the parameters, the optimizer's
variables and the history after the last completed epoch, tagged with a fingerprint of the run
(data, stencil, settings, seed), so a resume with different options is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import signal
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from learned_ops.atomic import atomic_write_text
from learned_ops.errors import TrainingError
from learned_ops.training.constraints import AffineStencilSpace

__all__ = [
    "CHECKPOINT_SCHEMA",
    "CHECKPOINT_VERSION",
    "MAX_CHECKPOINT_BYTES",
    "TrainingState",
    "load_checkpoint",
    "run_fingerprint",
    "save_checkpoint",
    "sigterm_as_interrupt",
]

CHECKPOINT_SCHEMA = "learned-ops/checkpoint"
CHECKPOINT_VERSION = 2
MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024


@dataclass
class TrainingState:
    """Everything needed to continue after a completed epoch.

    Attributes:
        epoch: Epochs completed.
        thetas: Each stencil's trainable parameters.
        optimizer: The optimizer's variables, flattened, in ``optimizer.variables`` order.
        histories: Each stencil's per-epoch records so far.
    """

    epoch: int
    thetas: list[np.ndarray]
    optimizer: list[list[float]]
    histories: list[list[dict[str, float]]]


def run_fingerprint(data: dict[str, Any], spaces: Sequence[AffineStencilSpace],
                    targets: Sequence[str], settings: dict[str, Any], seed: int,
                    streaming: bool) -> str:
    """SHA-256 of everything that determines a run's result."""
    stencils = [{"offsets": list(space.offsets), "m": space.derivative_order,
                 "p": space.accuracy_order, "target": target, "symmetric": space.symmetric}
                for space, target in zip(spaces, targets, strict=True)]
    record = {"splits": data, "stencils": stencils, "settings": settings, "seed": seed,
              "streaming": streaming}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def save_checkpoint(path: Path, fingerprint: str, state: TrainingState) -> None:
    """Write ``state`` atomically."""
    payload = {"schema": CHECKPOINT_SCHEMA, "version": CHECKPOINT_VERSION,
               "fingerprint": fingerprint, "epoch": state.epoch,
               "thetas": [theta.tolist() for theta in state.thetas],
               "optimizer": state.optimizer, "histories": state.histories}
    atomic_write_text(path, json.dumps(payload, indent=1))


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-finite number {name} in checkpoint")


def load_checkpoint(path: Path, fingerprint: str) -> TrainingState:
    """Read a checkpoint written by a run with the same ``fingerprint``.

    Raises:
        TrainingError: Missing, oversized, unreadable, wrong-version or foreign checkpoints.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise TrainingError(f"no checkpoint at {path} to resume from; run without --resume"
                            ) from None
    if size > MAX_CHECKPOINT_BYTES:
        raise TrainingError(f"checkpoint {path} is larger than 64 MiB; refusing to read it")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TrainingError(f"checkpoint {path} is unreadable ({exc}); delete it and start "
                            "again without --resume") from None
    if not isinstance(payload, dict) or payload.get("schema") != CHECKPOINT_SCHEMA or (
        payload.get("version") != CHECKPOINT_VERSION
    ):
        raise TrainingError(
            f"{path} is not a version-{CHECKPOINT_VERSION} learned-ops checkpoint (checkpoints "
            "from older learned-ops versions cannot be resumed); delete it and start again "
            "without --resume")
    if payload.get("fingerprint") != fingerprint:
        raise TrainingError(
            f"checkpoint {path} was written by a run with different data, stencil or settings; "
            "resume with the same options or delete the checkpoint"
        )
    try:
        return TrainingState(int(payload["epoch"]),
                             [np.asarray(t, dtype=np.float64) for t in payload["thetas"]],
                             payload["optimizer"], payload["histories"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TrainingError(f"checkpoint {path} is incomplete ({exc}); delete it and start "
                            "again without --resume") from None


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt while training (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
