"""Coarse-grained fine-grid truths, cached on disk with their provenance.

A cached truth is one ``.npz`` per (:class:`~learned_ops.trajectory.fine_truth.FineTruthSpec`,
coarse ``n``): the subsampled snapshots, their times and a JSON provenance (the spec, the
method, the format version). The file name is a hash of the provenance, so a changed spec is a
different file and never a stale hit; a file whose provenance does not match its name is
refused. Files are written atomically (:mod:`learned_ops.atomic`). The cache folder is
``$LEARNED_OPS_CACHE/truth`` or ``~/.cache/learned-ops/truth``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from learned_ops.atomic import atomic_write_bytes
from learned_ops.trajectory.fine_truth import FineTruth, FineTruthSpec, solve_fine

__all__ = ["TRUTH_FORMAT", "coarse_truths", "default_cache_dir"]

TRUTH_FORMAT = 1
"""Bumped whenever the fine solver's numbers change (old files are then never read)."""
METHOD = "dealiased pseudo-spectral, integrating-factor RK4, subsampled"


def default_cache_dir() -> Path:
    """``$LEARNED_OPS_CACHE/truth``, else ``~/.cache/learned-ops/truth``."""
    root = os.environ.get("LEARNED_OPS_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "learned-ops"
    return base / "truth"


def _provenance(spec: FineTruthSpec, n: int) -> dict[str, object]:
    return {"format": TRUTH_FORMAT, "method": METHOD, "n": int(n), "spec": spec.as_dict()}


def _path(folder: Path, provenance: dict[str, object]) -> Path:
    digest = hashlib.sha256(json.dumps(provenance, sort_keys=True).encode()).hexdigest()[:20]
    return folder / f"burgers-truth-{digest}.npz"


@lru_cache(maxsize=4)
def _fine(spec: FineTruthSpec) -> FineTruth:
    return solve_fine(spec)


def _read(path: Path, provenance: dict[str, object]) -> np.ndarray | None:
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        stored = json.loads(str(data["provenance"]))
        if stored != provenance:
            raise ValueError(f"{path}: its provenance {stored} is not the one its name stands "
                             f"for ({provenance}); delete the file")
        return np.array(data["snapshots"], dtype=np.float64)


def _write(path: Path, provenance: dict[str, object], times: np.ndarray,
           snapshots: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, times=times, snapshots=snapshots,
             provenance=np.array(json.dumps(provenance, sort_keys=True)))
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buffer.getvalue())


def coarse_truths(specs: Sequence[FineTruthSpec], n: int, *,
                  cache_dir: Path | str | None = None, use_cache: bool = True,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The truths of ``specs`` subsampled to ``n`` nodes: ``(times, snapshots)``.

    Args:
        specs: One spec per trajectory (same times for all).
        n: Coarse nodes (a divisor of every spec's ``n_fine``).
        cache_dir: The cache folder (None: :func:`default_cache_dir`).
        use_cache: False: solve, and neither read nor write files.

    Returns:
        ``times`` of shape (T,) and ``snapshots`` of shape (T, len(specs), n).

    Raises:
        ValueError: On specs with different times, or a corrupt cache file.
    """
    if not specs:
        raise ValueError("need at least one truth spec")
    clocks = {(s.t_final, s.save_interval) for s in specs}
    if len(clocks) != 1:
        raise ValueError(f"the truths must share t_final and save_interval, got {sorted(clocks)}")
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    rows = []
    times = None
    for spec in specs:
        provenance = _provenance(spec, n)
        path = _path(folder, provenance)
        snapshots = _read(path, provenance) if use_cache else None
        if snapshots is None:
            fine = _fine(spec)
            snapshots = np.ascontiguousarray(fine.coarse(n))
            if use_cache:  # the finer subsamplings too: evaluations refine n by factors of 2
                size = n
                while spec.n_fine % size == 0 and size < spec.n_fine:
                    finer = _provenance(spec, size)
                    if size == n or not _path(folder, finer).is_file():
                        _write(_path(folder, finer), finer, fine.times,
                               np.ascontiguousarray(fine.coarse(size)))
                    size *= 2
        rows.append(snapshots)
        if times is None:
            times = spec.save_interval * np.arange(spec.saves + 1)
    return np.asarray(times), np.stack(rows, axis=1)
