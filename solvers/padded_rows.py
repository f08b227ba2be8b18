"""The state of a compiled kernel: rows of fields in two ghost-padded buffers.

A compiled kernel advances ``rows`` fields of ``n`` nodes at once, reading one buffer and
writing the other; each row carries ``hl`` ghost nodes on the left and ``hr`` on the right
(periodic copies, refreshed by the compiled loop). :class:`PaddedRows` holds that layout for
:class:`~solvers.fast_kernels.FastRungeKuttaKernel` and
:class:`~solvers.fast_semilinear.SemilinearKernel`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PaddedRows"]


class PaddedRows:
    """Two buffers of shape ``(rows, hl + n + hr)``, the current one, and per-row scratch.

    Subclasses call :meth:`_init_rows` once ``n`` (``self.disc.n``), ``self._hl`` and
    ``self._hr`` are known, and extend :meth:`_resize` for per-row arrays of their own.
    """

    disc: object
    _hl: int
    _hr: int

    def _init_rows(self) -> None:
        self._buffers = np.zeros((2, 1, self._hl + self.disc.n + self._hr))
        self._cur = 0
        self._single = True
        self._resize(1)

    def _resize(self, rows: int) -> None:
        """Per-row arrays for ``rows`` rows (here: the sums of squares)."""
        self._sq = np.zeros(rows)

    @property
    def rows(self) -> int:
        """Number of fields advanced together."""
        return self._buffers.shape[1]

    @property
    def state(self) -> np.ndarray:
        """The current solution, shape ``(n,)`` or ``(rows, n)`` as loaded (a view)."""
        view = self._buffers[self._cur, :, self._hl : self._hl + self.disc.n]
        return view[0] if self._single else view

    def load(self, u: np.ndarray) -> None:
        """Copy ``u`` (shape ``(n,)`` or ``(rows, n)``) into the state, ghosts included."""
        arr = np.asarray(u, dtype=np.float64)
        n = self.disc.n
        if arr.shape[-1] != n or arr.ndim not in (1, 2):
            raise ValueError(f"state must have shape ({n},) or (rows, {n}), got {arr.shape}")
        rows = 1 if arr.ndim == 1 else arr.shape[0]
        if rows != self.rows:
            self._buffers = np.zeros((2, rows, self._hl + n + self._hr))
            self._resize(rows)
        self._single = arr.ndim == 1
        self._cur = 0
        buf = self._buffers[0]
        hl, hr = self._hl, self._hr
        buf[:, hl : hl + n] = arr.reshape(rows, n)
        if hl:
            buf[:, :hl] = buf[:, n : n + hl]
        if hr:
            buf[:, hl + n :] = buf[:, hl : hl + hr]
